package dev.slipway.core.runtime.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
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
import java.util.Arrays;
import java.util.HashMap;
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
  private final List<OutputPlan> outputPlans;
  // Cleared for good when a call with pinned outputs fails: see predict.
  private volatile boolean pinOutputs = true;

  OnnxModel(OrtEnvironment environment, OrtSession session) throws OrtException {
    this.environment = environment;
    this.session = session;
    this.signature =
        Signature.of(specs(session.getInputInfo(), true), specs(session.getOutputInfo(), false));
    this.outputNames = new LinkedHashSet<>(signature.outputNames());
    this.outputPlans = outputPlans(session.getInputInfo(), session.getOutputInfo(), outputNames);
  }

  /**
   * How to tell an output's shape before the call, so that it can be written in place: each
   * dimension is fixed, or named like a dimension of an input (the usual "batch"), whose size
   * the request gives. {@code dims[d]} is the fixed size, or -1 with {@code inputs[d]} and
   * {@code inputDims[d]} naming the input dimension; {@code dims} is null when the shape cannot
   * be told or a slot cannot hold the type.
   */
  private record OutputPlan(String name, OnnxJavaType type, long[] dims, String[] inputs,
      int[] inputDims) {
    long[] shapeFor(List<Tensor> requestInputs) {
      if (dims == null) {
        return null;
      }
      long[] shape = dims.clone();
      for (int d = 0; d < shape.length; d++) {
        if (shape[d] < 0) {
          for (Tensor input : requestInputs) {
            if (input.name().equals(inputs[d])) {
              shape[d] = input.shape()[inputDims[d]];
            }
          }
          if (shape[d] < 0) {
            return null;
          }
        }
      }
      return shape;
    }
  }

  private static List<OutputPlan> outputPlans(Map<String, NodeInfo> inputInfo,
      Map<String, NodeInfo> outputInfo, Set<String> outputNames) {
    List<OutputPlan> plans = new ArrayList<>();
    for (String name : outputNames) {
      TensorInfo info = (TensorInfo) outputInfo.get(name).getInfo();
      long[] dims = info.getShape().clone();
      String[] dimNames = info.getDimensionNames();
      String[] inputs = new String[dims.length];
      int[] inputDims = new int[dims.length];
      boolean known = TensorSlots.holds(info.type);
      for (int d = 0; d < dims.length; d++) {
        if (dims[d] < 0) {
          String dimName = dimNames[d];
          for (NodeInfo input : inputInfo.values()) {
            if (inputs[d] == null && !dimName.isEmpty()
                && input.getInfo() instanceof TensorInfo inputTensor) {
              int at = Arrays.asList(inputTensor.getDimensionNames()).indexOf(dimName);
              if (at >= 0) {
                inputs[d] = input.getName();
                inputDims[d] = at;
              }
            }
          }
          known &= inputs[d] != null;
        }
      }
      plans.add(new OutputPlan(name, info.type, known ? dims : null, inputs, inputDims));
    }
    return plans;
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
    TensorSlots slots = TensorSlots.ofThisThread();
    Map<String, OnnxTensor> feeds = new HashMap<>();
    List<OnnxTensor> ownTensors = new ArrayList<>();
    try {
      for (int i = 0; i < inputs.size(); i++) {
        feeds.put(inputs.get(i).name(), toOnnx(inputs.get(i), slots.input(i), ownTensors));
      }
      if (pinOutputs) {
        try {
          return run(feeds, inputs, slots);
        } catch (OrtException e) {
          // The plan guessed an output's shape from a shared dimension name and the model
          // disagreed: from now on this model's outputs are allocated by ONNX Runtime.
          pinOutputs = false;
        }
      }
      return run(feeds, null, slots);
    } catch (OrtException e) {
      throw new SlipwayException("ONNX Runtime failed to score: " + e.getMessage(), e);
    } finally {
      ownTensors.forEach(OnnxTensor::close);
      for (int i = 0; i < inputs.size(); i++) {
        slots.input(i).trim();
      }
    }
  }

  /**
   * One call. With {@code inputs} (for the batch size), each output whose shape the plan can
   * tell is written in place into this thread's output slot; the others, and all of them when
   * {@code inputs} is null, ONNX Runtime allocates.
   */
  private List<Tensor> run(Map<String, OnnxTensor> feeds, List<Tensor> inputs, TensorSlots slots)
      throws OrtException {
    Map<String, OnnxTensor> pinned = new HashMap<>();
    Set<String> allocated = outputNames;
    if (inputs != null) {
      allocated = new LinkedHashSet<>();
      for (int o = 0; o < outputPlans.size(); o++) {
        OutputPlan plan = outputPlans.get(o);
        long[] shape = plan.shapeFor(inputs);
        if (shape == null) {
          allocated.add(plan.name());
        } else {
          pinned.put(plan.name(), slots.output(o).tensor(environment, plan.type(), shape));
        }
      }
    }
    try (OrtSession.Result result = pinned.isEmpty() ? session.run(feeds, allocated)
        : session.run(feeds, allocated, pinned)) {
      List<Tensor> outputs = new ArrayList<>(outputPlans.size());
      for (int o = 0; o < outputPlans.size(); o++) {
        OutputPlan plan = outputPlans.get(o);
        if (pinned.containsKey(plan.name())) {
          TensorSlots.Slot slot = slots.output(o);
          outputs.add(Tensor.of(plan.name(), dataType(plan.name(), plan.type()), slot.shape(),
              slot.read()));
          slot.trim();
        } else {
          outputs.add(fromOnnx(plan.name(), (OnnxTensor) result.get(plan.name()).orElseThrow()));
        }
      }
      return outputs;
    }
  }

  /**
   * The input as an ONNX Runtime tensor: the thread's slot for its position, filled, for the
   * numeric types slots hold; else a new tensor, added to {@code ownTensors} to be closed.
   */
  private OnnxTensor toOnnx(Tensor tensor, TensorSlots.Slot slot, List<OnnxTensor> ownTensors)
      throws OrtException {
    long[] shape = tensor.shape();
    OnnxJavaType type = switch (tensor.dataType()) {
      case FP32 -> OnnxJavaType.FLOAT;
      case FP64 -> OnnxJavaType.DOUBLE;
      case INT32 -> OnnxJavaType.INT32;
      case INT64 -> OnnxJavaType.INT64;
      default -> null;
    };
    if (type != null) {
      OnnxTensor onnx = slot.tensor(environment, type, shape);
      slot.write(tensor.data());
      return onnx;
    }
    OnnxTensor onnx = switch (tensor.dataType()) {
      case INT8 -> OnnxTensor.createTensor(
          environment, ByteBuffer.wrap((byte[]) tensor.data()), shape, OnnxJavaType.INT8);
      case UINT8 -> OnnxTensor.createTensor(
          environment, ByteBuffer.wrap((byte[]) tensor.data()), shape, OnnxJavaType.UINT8);
      case BOOL -> {
        boolean[] flags = (boolean[]) tensor.data();
        byte[] bytes = new byte[flags.length];
        for (int i = 0; i < flags.length; i++) {
          bytes[i] = flags[i] ? (byte) 1 : 0;
        }
        yield OnnxTensor.createTensor(
            environment, ByteBuffer.wrap(bytes), shape, OnnxJavaType.BOOL);
      }
      default -> throw new AssertionError(tensor.dataType());
    };
    ownTensors.add(onnx);
    return onnx;
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
