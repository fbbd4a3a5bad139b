package dev.slipway.serving.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.slipway.core.DataType;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.Signature;
import dev.slipway.core.Tensor;
import dev.slipway.core.TensorSpec;
import dev.slipway.serving.grpc.GRPCInferenceServiceGrpc;
import dev.slipway.serving.grpc.InferTensorContents;
import dev.slipway.serving.grpc.ModelInferRequest;
import dev.slipway.serving.grpc.ModelInferResponse;
import dev.slipway.serving.grpc.ModelMetadataRequest;
import dev.slipway.serving.grpc.ModelMetadataResponse;
import dev.slipway.serving.grpc.ModelReadyRequest;
import dev.slipway.serving.grpc.ModelReadyResponse;
import dev.slipway.serving.grpc.ServerLiveRequest;
import dev.slipway.serving.grpc.ServerLiveResponse;
import dev.slipway.serving.grpc.ServerMetadataRequest;
import dev.slipway.serving.grpc.ServerMetadataResponse;
import dev.slipway.serving.grpc.ServerReadyRequest;
import dev.slipway.serving.grpc.ServerReadyResponse;
import dev.slipway.serving.internal.InferenceMetrics.Protocol;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The Open Inference Protocol's gRPC binding ({@code inference.GRPCInferenceService}). Inputs come
 * as typed {@code contents} or as little-endian {@code raw_input_contents}; a request that sent
 * raw inputs gets {@code raw_output_contents} back, as Triton's clients expect.
 */
public final class GrpcApi extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private final InferenceService inference;
  private final ModelManager models;
  private final ServerInfo serverInfo;

  public GrpcApi(InferenceService inference, ServerInfo serverInfo) {
    this.inference = inference;
    this.models = inference.models();
    this.serverInfo = serverInfo;
  }

  /** The gRPC status for any exception, through the same mapping as HTTP. */
  public static StatusRuntimeException toStatus(Throwable error) {
    ErrorMapping.Mapped mapped = ErrorMapping.map(error);
    return Status.fromCode(mapped.grpcCode()).withDescription(mapped.message())
        .asRuntimeException();
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
    response.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
    response.onCompleted();
  }

  @Override
  public void serverReady(
      ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
    response.onNext(ServerReadyResponse.newBuilder().setReady(models.ready()).build());
    response.onCompleted();
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
    boolean ready;
    try {
      models.resolve(request.getName(), request.getVersion());
      ready = true;
    } catch (RuntimeException e) {
      ready = false;
    }
    response.onNext(ModelReadyResponse.newBuilder().setReady(ready).build());
    response.onCompleted();
  }

  @Override
  public void serverMetadata(
      ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> response) {
    response.onNext(ServerMetadataResponse.newBuilder()
        .setName(serverInfo.name())
        .setVersion(serverInfo.version())
        .addExtensions("model_repository")
        .addExtensions("metrics")
        .build());
    response.onCompleted();
  }

  @Override
  public void modelMetadata(
      ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
    try {
      ServedVersion served = models.resolve(request.getName(), request.getVersion());
      ModelMetadataResponse.Builder metadata = ModelMetadataResponse.newBuilder()
          .setName(request.getName())
          .setPlatform(served.platform());
      models.versions(request.getName())
          .forEach(v -> metadata.addVersions(Long.toString(v.version())));
      Signature signature = served.signature();
      signature.inputs().forEach(spec -> metadata.addInputs(tensorMetadata(spec)));
      signature.outputs().forEach(spec -> metadata.addOutputs(tensorMetadata(spec)));
      response.onNext(metadata.build());
      response.onCompleted();
    } catch (RuntimeException e) {
      response.onError(toStatus(e));
    }
  }

  private static ModelMetadataResponse.TensorMetadata tensorMetadata(TensorSpec spec) {
    ModelMetadataResponse.TensorMetadata.Builder builder =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(spec.name())
            .setDatatype(spec.dataType().name());
    for (long dim : spec.shape()) {
      builder.addShape(dim);
    }
    return builder.build();
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
    long start = System.nanoTime();
    boolean raw = request.getRawInputContentsCount() > 0;
    List<Tensor> inputs;
    List<String> outputs;
    try {
      inputs = decodeInputs(request, raw);
      outputs = new ArrayList<>(request.getOutputsCount());
      for (ModelInferRequest.InferRequestedOutputTensor output : request.getOutputsList()) {
        outputs.add(output.getName());
      }
    } catch (RuntimeException e) {
      inference.rejected(Protocol.GRPC, request.getModelName(), request.getModelVersion(), e,
          start);
      response.onError(toStatus(e));
      return;
    }
    inference.infer(Protocol.GRPC, request.getModelName(), request.getModelVersion(), inputs,
        outputs).whenComplete((result, failure) -> {
          if (failure != null) {
            response.onError(toStatus(failure));
            return;
          }
          response.onNext(encode(request.getId(), result, raw));
          response.onCompleted();
        });
  }

  private static List<Tensor> decodeInputs(ModelInferRequest request, boolean raw) {
    if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
      // Name the inputs: a client that forgot one sees which, not just two numbers.
      List<String> names = new ArrayList<>(request.getInputsCount());
      request.getInputsList().forEach(input -> names.add(input.getName()));
      throw new InvalidInputException("raw_input_contents: " + request.getRawInputContentsCount()
          + " entries for inputs " + names + " (expected one entry per input, in order)");
    }
    List<Tensor> inputs = new ArrayList<>(request.getInputsCount());
    for (int i = 0; i < request.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor input = request.getInputs(i);
      String where = "input '" + input.getName() + "'";
      DataType type = DataType.parse(input.getDatatype(), where + ".datatype");
      long[] shape = shape(input.getShapeList(), where);
      int count = (int) Tensor.elementCount(shape);
      Object data;
      if (raw) {
        if (input.hasContents()) {
          throw new InvalidInputException(
              where + ": both contents and raw_input_contents given (expected one of them)");
        }
        data = decodeRaw(request.getRawInputContents(i), type, count, where);
      } else {
        data = decodeContents(input.getContents(), type, count, where);
      }
      inputs.add(Tensor.of(input.getName(), type, shape, data));
    }
    return inputs;
  }

  private static long[] shape(List<Long> dims, String where) {
    long[] shape = new long[dims.size()];
    long product = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i);
      if (shape[i] < 0) {
        throw new InvalidInputException(where + ".shape: " + dims
            + " (expected non-negative dimensions)");
      }
      product = shape[i] == 0 || product == 0 ? 0
          : (product > Integer.MAX_VALUE / shape[i] ? Long.MAX_VALUE : product * shape[i]);
    }
    if (product > Integer.MAX_VALUE) {
      throw new InvalidInputException(where + ".shape: " + dims + " holds too many elements");
    }
    return shape;
  }

  private static Object decodeContents(
      InferTensorContents contents, DataType type, int count, String where) {
    switch (type) {
      case FP32: {
        checkCount(contents.getFp32ContentsCount(), count, where, "fp32_contents");
        float[] data = new float[count];
        for (int i = 0; i < count; i++) {
          data[i] = contents.getFp32Contents(i);
        }
        return data;
      }
      case FP64: {
        checkCount(contents.getFp64ContentsCount(), count, where, "fp64_contents");
        double[] data = new double[count];
        for (int i = 0; i < count; i++) {
          data[i] = contents.getFp64Contents(i);
        }
        return data;
      }
      case INT64: {
        checkCount(contents.getInt64ContentsCount(), count, where, "int64_contents");
        long[] data = new long[count];
        for (int i = 0; i < count; i++) {
          data[i] = contents.getInt64Contents(i);
        }
        return data;
      }
      case INT32: {
        checkCount(contents.getIntContentsCount(), count, where, "int_contents");
        int[] data = new int[count];
        for (int i = 0; i < count; i++) {
          data[i] = contents.getIntContents(i);
        }
        return data;
      }
      case INT8: {
        checkCount(contents.getIntContentsCount(), count, where, "int_contents");
        byte[] data = new byte[count];
        for (int i = 0; i < count; i++) {
          int value = contents.getIntContents(i);
          if (value < Byte.MIN_VALUE || value > Byte.MAX_VALUE) {
            throw new InvalidInputException(where + ": element " + i + " is " + value
                + " (expected -128..127 for INT8)");
          }
          data[i] = (byte) value;
        }
        return data;
      }
      case UINT8: {
        checkCount(contents.getUintContentsCount(), count, where, "uint_contents");
        byte[] data = new byte[count];
        for (int i = 0; i < count; i++) {
          int value = contents.getUintContents(i);
          if (value < 0 || value > 255) {
            throw new InvalidInputException(where + ": element " + i + " is "
                + Integer.toUnsignedString(value) + " (expected 0..255 for UINT8)");
          }
          data[i] = (byte) value;
        }
        return data;
      }
      case BOOL: {
        checkCount(contents.getBoolContentsCount(), count, where, "bool_contents");
        boolean[] data = new boolean[count];
        for (int i = 0; i < count; i++) {
          data[i] = contents.getBoolContents(i);
        }
        return data;
      }
      default:
        throw new AssertionError(type);
    }
  }

  private static void checkCount(int given, int expected, String where, String field) {
    if (given != expected) {
      throw new InvalidInputException(where + ": contents." + field + " has " + given
          + " elements (expected " + expected + " for the shape)");
    }
  }

  private static int elementBytes(DataType type) {
    return switch (type) {
      case BOOL, INT8, UINT8 -> 1;
      case INT32, FP32 -> 4;
      case INT64, FP64 -> 8;
    };
  }

  private static Object decodeRaw(ByteString bytes, DataType type, int count, String where) {
    long expected = (long) count * elementBytes(type);
    if (bytes.size() != expected) {
      throw new InvalidInputException(where + ": raw_input_contents has " + bytes.size()
          + " bytes (expected " + expected + " for " + count + " " + type + " elements)");
    }
    ByteBuffer buffer = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    Object data = type.newArray(count);
    switch (type) {
      case FP32 -> buffer.asFloatBuffer().get((float[]) data);
      case FP64 -> buffer.asDoubleBuffer().get((double[]) data);
      case INT32 -> buffer.asIntBuffer().get((int[]) data);
      case INT64 -> buffer.asLongBuffer().get((long[]) data);
      case INT8, UINT8 -> buffer.get((byte[]) data);
      case BOOL -> {
        boolean[] flags = (boolean[]) data;
        for (int i = 0; i < count; i++) {
          flags[i] = buffer.get() != 0;
        }
      }
    }
    return data;
  }

  private static ModelInferResponse encode(String id, InferenceService.Result result, boolean raw) {
    ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
        .setModelName(result.modelName())
        .setModelVersion(Long.toString(result.version()))
        .setId(id);
    for (Tensor output : result.outputs()) {
      ModelInferResponse.InferOutputTensor.Builder tensor =
          ModelInferResponse.InferOutputTensor.newBuilder()
              .setName(output.name())
              .setDatatype(output.dataType().name());
      for (long dim : output.shape()) {
        tensor.addShape(dim);
      }
      if (raw) {
        response.addRawOutputContents(encodeRaw(output));
      } else {
        tensor.setContents(encodeContents(output));
      }
      response.addOutputs(tensor);
    }
    return response.build();
  }

  private static ByteString encodeRaw(Tensor tensor) {
    int count = tensor.elementCount();
    ByteBuffer buffer = ByteBuffer.allocate(count * elementBytes(tensor.dataType()))
        .order(ByteOrder.LITTLE_ENDIAN);
    switch (tensor.dataType()) {
      case FP32 -> buffer.asFloatBuffer().put((float[]) tensor.data());
      case FP64 -> buffer.asDoubleBuffer().put((double[]) tensor.data());
      case INT32 -> buffer.asIntBuffer().put((int[]) tensor.data());
      case INT64 -> buffer.asLongBuffer().put((long[]) tensor.data());
      case INT8, UINT8 -> buffer.put((byte[]) tensor.data());
      case BOOL -> {
        for (boolean flag : (boolean[]) tensor.data()) {
          buffer.put(flag ? (byte) 1 : 0);
        }
      }
    }
    // The buffer is ours and never written again: wrap it instead of copying.
    return UnsafeByteOperations.unsafeWrap(buffer.array());
  }

  private static InferTensorContents encodeContents(Tensor tensor) {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    switch (tensor.dataType()) {
      case FP32 -> {
        for (float value : (float[]) tensor.data()) {
          contents.addFp32Contents(value);
        }
      }
      case FP64 -> {
        for (double value : (double[]) tensor.data()) {
          contents.addFp64Contents(value);
        }
      }
      case INT32 -> {
        for (int value : (int[]) tensor.data()) {
          contents.addIntContents(value);
        }
      }
      case INT64 -> {
        for (long value : (long[]) tensor.data()) {
          contents.addInt64Contents(value);
        }
      }
      case INT8 -> {
        for (byte value : (byte[]) tensor.data()) {
          contents.addIntContents(value);
        }
      }
      case UINT8 -> {
        for (byte value : (byte[]) tensor.data()) {
          contents.addUintContents(value & 0xFF);
        }
      }
      case BOOL -> {
        for (boolean value : (boolean[]) tensor.data()) {
          contents.addBoolContents(value);
        }
      }
    }
    return contents.build();
  }
}
