package dev.slipway.core.runtime.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.slipway.core.DataType;
import dev.slipway.core.ModelLoadException;
import dev.slipway.core.SlipwayException;
import dev.slipway.core.Signature;
import dev.slipway.core.Tensor;
import dev.slipway.core.TensorSpec;
import dev.slipway.core.runtime.Model;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One ONNX Runtime session. ONNX Runtime allows concurrent {@code run} calls on a session. */
final class OnnxModel implements Model {
  private final OrtEnvironment environment;
  private final OrtSession session;
  private final Signature signature;
  private final Set<String> outputNames;

  OnnxModel(OrtEnvironment environment, OrtSession session) throws OrtException {
    this.environment = environment;
    this.session = session;
    this.signature =
        Signature.of(specs(session.getInputInfo(), true), specs(session.getOutputInfo(), false));
    this.outputNames = new LinkedHashSet<>(signature.outputNames());
  }

  /**
   * Reads the graph's tensor specs. Non-tensor outputs (sequences and maps, such as
   * scikit-learn's ZipMap) are left out of the contract; a non-tensor input cannot be served.
   */
  private static List<TensorSpec> specs(Map<String, NodeInfo> nodes, boolean inputs) {
    List<TensorSpec> specs = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (!(node.getInfo() instanceof TensorInfo info)) {
        if (inputs) {
          throw new ModelLoadException(
              "input '" + node.getName() + "' is " + node.getInfo()
                  + " (expected a tensor: Slipway serves tensor inputs only)");
        }
        continue;
      }
      specs.add(new TensorSpec(node.getName(), dataType(node.getName(), info.type), info.getShape()));
    }
    return specs;
  }

  private static DataType dataType(String name, OnnxJavaType type) {
    switch (type) {
      case FLOAT:
        return DataType.FP32;
      case DOUBLE:
        return DataType.FP64;
      case INT32:
        return DataType.INT32;
      case INT64:
        return DataType.INT64;
      case BOOL:
        return DataType.BOOL;
      case INT8:
        return DataType.INT8;
      case UINT8:
        return DataType.UINT8;
      default:
        throw new ModelLoadException(
            "tensor '" + name + "' has element type " + type
                + " (expected one of FLOAT, DOUBLE, INT32, INT64, BOOL, INT8, UINT8)");
    }
  }

  @Override
  public Signature signature() {
    return signature;
  }

  @Override
  public String platform() {
    return "onnxruntime_onnx";
  }

  private static final int SCRATCH_LIMIT_BYTES = 4 << 20;
  // Per thread, one direct buffer per input position, reused by every call on that thread.
  private static final ThreadLocal<ByteBuffer[]> SCRATCH =
      ThreadLocal.withInitial(() -> new ByteBuffer[0]);

  @Override
  public List<Tensor> predict(List<Tensor> inputs) {
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    try {
      for (int i = 0; i < inputs.size(); i++) {
        feeds.put(inputs.get(i).name(), toOnnx(inputs.get(i), i));
      }
      try (OrtSession.Result result = session.run(feeds, outputNames)) {
        List<Tensor> outputs = new ArrayList<>(outputNames.size());
        for (String name : outputNames) {
          OnnxValue value = result.get(name).orElseThrow();
          outputs.add(fromOnnx(name, (OnnxTensor) value));
        }
        return outputs;
      }
    } catch (OrtException e) {
      throw new SlipwayException("ONNX Runtime failed to score: " + e.getMessage(), e);
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * Copies {@code data} into this thread's reusable direct buffer for input {@code position}.
   * ONNX Runtime scores a direct buffer in place; a heap array it copies into a new direct
   * buffer on every call, whose native memory only a garbage collection gives back (a batch job
   * scoring millions of rows grew its RSS that way). Inputs above {@link #SCRATCH_LIMIT_BYTES}
   * get a buffer of their own, so that one huge request does not pin memory in a thread.
   */
  private static FloatBuffer direct(int position, float[] data) {
    int bytes = data.length * Float.BYTES;
    ByteBuffer buffer;
    if (bytes > SCRATCH_LIMIT_BYTES) {
      buffer = ByteBuffer.allocateDirect(bytes);
    } else {
      ByteBuffer[] buffers = SCRATCH.get();
      if (buffers.length <= position) {
        buffers = Arrays.copyOf(buffers, position + 1);
        SCRATCH.set(buffers);
      }
      buffer = buffers[position];
      if (buffer == null || buffer.capacity() < bytes) {
        buffer = ByteBuffer.allocateDirect(Math.min(SCRATCH_LIMIT_BYTES,
            Math.max(bytes, buffer == null ? 0 : buffer.capacity() * 2)));
        buffers[position] = buffer;
      }
    }
    buffer.clear();
    FloatBuffer floats = buffer.order(ByteOrder.nativeOrder()).asFloatBuffer();
    floats.put(data).flip();
    return floats;
  }

  private OnnxTensor toOnnx(Tensor tensor, int position) throws OrtException {
    long[] shape = tensor.shape();
    switch (tensor.dataType()) {
      case FP32:
        return OnnxTensor.createTensor(environment, direct(position, (float[]) tensor.data()),
            shape);
      case FP64:
        return OnnxTensor.createTensor(
            environment, DoubleBuffer.wrap((double[]) tensor.data()), shape);
      case INT32:
        return OnnxTensor.createTensor(environment, IntBuffer.wrap((int[]) tensor.data()), shape);
      case INT64:
        return OnnxTensor.createTensor(environment, LongBuffer.wrap((long[]) tensor.data()), shape);
      case INT8:
        return OnnxTensor.createTensor(
            environment, ByteBuffer.wrap((byte[]) tensor.data()), shape, OnnxJavaType.INT8);
      case UINT8:
        return OnnxTensor.createTensor(
            environment, ByteBuffer.wrap((byte[]) tensor.data()), shape, OnnxJavaType.UINT8);
      case BOOL:
        boolean[] flags = (boolean[]) tensor.data();
        byte[] bytes = new byte[flags.length];
        for (int i = 0; i < flags.length; i++) {
          bytes[i] = flags[i] ? (byte) 1 : 0;
        }
        return OnnxTensor.createTensor(
            environment, ByteBuffer.wrap(bytes), shape, OnnxJavaType.BOOL);
      default:
        throw new AssertionError(tensor.dataType());
    }
  }

  private static Tensor fromOnnx(String name, OnnxTensor value) {
    TensorInfo info = value.getInfo();
    long[] shape = info.getShape();
    switch (info.type) {
      case FLOAT: {
        FloatBuffer buffer = value.getFloatBuffer();
        float[] data = new float[buffer.remaining()];
        buffer.get(data);
        return Tensor.of(name, DataType.FP32, shape, data);
      }
      case DOUBLE: {
        DoubleBuffer buffer = value.getDoubleBuffer();
        double[] data = new double[buffer.remaining()];
        buffer.get(data);
        return Tensor.of(name, DataType.FP64, shape, data);
      }
      case INT32: {
        IntBuffer buffer = value.getIntBuffer();
        int[] data = new int[buffer.remaining()];
        buffer.get(data);
        return Tensor.of(name, DataType.INT32, shape, data);
      }
      case INT64: {
        LongBuffer buffer = value.getLongBuffer();
        long[] data = new long[buffer.remaining()];
        buffer.get(data);
        return Tensor.of(name, DataType.INT64, shape, data);
      }
      case INT8:
      case UINT8: {
        ByteBuffer buffer = value.getByteBuffer();
        byte[] data = new byte[buffer.remaining()];
        buffer.get(data);
        return Tensor.of(name, info.type == OnnxJavaType.INT8 ? DataType.INT8 : DataType.UINT8,
            shape, data);
      }
      case BOOL: {
        ByteBuffer buffer = value.getByteBuffer();
        boolean[] data = new boolean[buffer.remaining()];
        for (int i = 0; i < data.length; i++) {
          data[i] = buffer.get() != 0;
        }
        return Tensor.of(name, DataType.BOOL, shape, data);
      }
      default:
        throw new SlipwayException("output '" + name + "' has unsupported type " + info.type);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new SlipwayException("ONNX Runtime failed to close a session: " + e.getMessage(), e);
    }
  }
}
