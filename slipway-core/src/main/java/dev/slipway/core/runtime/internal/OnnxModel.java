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
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
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

  @Override
  public List<Tensor> predict(List<Tensor> inputs) {
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    try {
      for (Tensor input : inputs) {
        feeds.put(input.name(), toOnnx(input));
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

  private OnnxTensor toOnnx(Tensor tensor) throws OrtException {
    long[] shape = tensor.shape();
    switch (tensor.dataType()) {
      case FP32:
        return OnnxTensor.createTensor(environment, FloatBuffer.wrap((float[]) tensor.data()), shape);
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
