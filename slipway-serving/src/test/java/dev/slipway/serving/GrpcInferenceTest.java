package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import dev.slipway.serving.grpc.InferTensorContents;
import dev.slipway.serving.grpc.ModelInferRequest;
import dev.slipway.serving.grpc.ModelInferResponse;
import dev.slipway.serving.grpc.ModelMetadataRequest;
import dev.slipway.serving.grpc.ModelMetadataResponse;
import dev.slipway.serving.grpc.ModelReadyRequest;
import dev.slipway.serving.grpc.ServerLiveRequest;
import dev.slipway.serving.grpc.ServerMetadataRequest;
import dev.slipway.serving.grpc.ServerMetadataResponse;
import dev.slipway.serving.grpc.ServerReadyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The Open Inference Protocol over gRPC, scored against PyTorch's own predictions. */
class GrpcInferenceTest extends BreastCancerServerTest {
  @Test
  void infer_oneRowPerRequestAsTypedContents_matchesPytorchForAllRows() {
    for (int row = 0; row < rows.length; row++) {
      ModelInferResponse response = fixture.grpc.modelInfer(ServingFixture.grpcFloatRequest(
          "bc", "input", new float[][] {rows[row]}).setId("row-" + row).build());
      assertThat(response.getId()).isEqualTo("row-" + row);
      assertThat(response.getRawOutputContentsCount()).isZero();
      ModelInferResponse.InferOutputTensor output = response.getOutputs(0);
      assertThat(output.getName()).isEqualTo("probabilities");
      assertThat(output.getDatatype()).isEqualTo("FP32");
      assertThat(output.getShapeList()).containsExactly(1L, 2L);
      assertThat(output.getContents().getFp32ContentsCount()).isEqualTo(2);
      assertThat((double) output.getContents().getFp32Contents(1)).as("row %d", row)
          .isCloseTo(reference[row], within(1e-5));
    }
  }

  @Test
  void infer_allRowsInOneRequest_matchesPytorch() {
    ModelInferResponse response = fixture.grpc.modelInfer(
        ServingFixture.grpcFloatRequest("bc", "input", rows).setModelVersion("1").build());
    assertThat(response.getModelName()).isEqualTo("bc");
    assertThat(response.getModelVersion()).isEqualTo("1");
    ModelInferResponse.InferOutputTensor output = response.getOutputs(0);
    assertThat(output.getShapeList()).containsExactly((long) rows.length, 2L);
    InferTensorContents contents = output.getContents();
    assertThat(contents.getFp32ContentsCount()).isEqualTo(rows.length * 2);
    for (int row = 0; row < rows.length; row++) {
      assertThat((double) contents.getFp32Contents(row * 2 + 1)).as("row %d", row)
          .isCloseTo(reference[row], within(1e-5));
    }
  }

  @Test
  void infer_rawInputContents_isAnsweredInRawOutputContents() {
    ModelInferResponse response = fixture.grpc.modelInfer(
        ServingFixture.grpcRawFloatRequest("bc", "input", rows).build());
    ModelInferResponse.InferOutputTensor output = response.getOutputs(0);
    assertThat(output.getName()).isEqualTo("probabilities");
    assertThat(output.getDatatype()).isEqualTo("FP32");
    assertThat(output.getShapeList()).containsExactly((long) rows.length, 2L);
    // Raw answers leave the typed contents empty: the data is only in raw_output_contents.
    assertThat(output.hasContents()).isFalse();
    assertThat(response.getRawOutputContentsCount()).isEqualTo(1);
    assertThat(response.getRawOutputContents(0).size()).isEqualTo(rows.length * 2 * Float.BYTES);
    float[] probabilities = ServingFixture.littleEndianFloats(response.getRawOutputContents(0));
    for (int row = 0; row < rows.length; row++) {
      assertThat((double) probabilities[row * 2 + 1]).as("row %d", row)
          .isCloseTo(reference[row], within(1e-5));
    }
  }

  @Test
  void healthAndMetadata_describeServerAndModel() {
    assertThat(fixture.grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    assertThat(fixture.grpc.serverReady(ServerReadyRequest.getDefaultInstance()).getReady())
        .isTrue();
    ServerMetadataResponse server =
        fixture.grpc.serverMetadata(ServerMetadataRequest.getDefaultInstance());
    assertThat(server.getName()).isEqualTo("slipway");
    assertThat(server.getVersion()).isNotBlank();
    assertThat(server.getExtensionsList()).contains("model_repository", "metrics");

    for (String version : new String[] {"", "1"}) {
      ModelMetadataResponse model = fixture.grpc.modelMetadata(
          ModelMetadataRequest.newBuilder().setName("bc").setVersion(version).build());
      assertThat(model.getName()).isEqualTo("bc");
      assertThat(model.getVersionsList()).containsExactly("1");
      assertThat(model.getPlatform()).isEqualTo("onnxruntime_onnx");
      assertThat(model.getInputsList()).singleElement().satisfies(input -> {
        assertThat(input.getName()).isEqualTo("input");
        assertThat(input.getDatatype()).isEqualTo("FP32");
        assertThat(input.getShapeList()).containsExactly(-1L, 30L);
      });
      assertThat(model.getOutputsList()).singleElement().satisfies(output -> {
        assertThat(output.getName()).isEqualTo("probabilities");
        assertThat(output.getDatatype()).isEqualTo("FP32");
        assertThat(output.getShapeList()).containsExactly(-1L, 2L);
      });
    }

    assertThat(modelReady("bc", "")).isTrue();
    assertThat(modelReady("bc", "1")).isTrue();
    assertThat(modelReady("bc", "9")).isFalse();
    assertThat(modelReady("nope", "")).isFalse();
  }

  @Test
  void unknownModelOrVersion_isNotFound() {
    ModelInferRequest.Builder valid =
        ServingFixture.grpcFloatRequest("bc", "input", new float[][] {rows[0]});
    assertStatus(() -> fixture.grpc.modelInfer(valid.clone().setModelName("nope").build()),
        Status.Code.NOT_FOUND, "model 'nope' is not loaded");
    assertStatus(() -> fixture.grpc.modelInfer(valid.clone().setModelVersion("7").build()),
        Status.Code.NOT_FOUND, "no loaded version '7'");
    assertStatus(() -> fixture.grpc.modelMetadata(
        ModelMetadataRequest.newBuilder().setName("nope").build()),
        Status.Code.NOT_FOUND, "model 'nope' is not loaded");
  }

  @Test
  void clientMistakes_areInvalidArgumentNamingTheInput() {
    ModelInferRequest.Builder typed =
        ServingFixture.grpcFloatRequest("bc", "input", new float[][] {rows[0]});
    ModelInferRequest.Builder raw =
        ServingFixture.grpcRawFloatRequest("bc", "input", new float[][] {rows[0]});

    ModelInferRequest.Builder wrongShape = typed.clone();
    wrongShape.getInputsBuilder(0).clearShape().addShape(3).addShape(10);
    assertInvalidArgument(wrongShape, "input 'input': shape [3, 10] (expected [-1, 30]");

    ModelInferRequest.Builder wrongDatatype = typed.clone();
    InferTensorContents.Builder doubles = InferTensorContents.newBuilder();
    for (float value : rows[0]) {
      doubles.addFp64Contents(value);
    }
    wrongDatatype.getInputsBuilder(0).setDatatype("FP64").setContents(doubles);
    assertInvalidArgument(wrongDatatype, "input 'input': datatype FP64 (expected FP32)");

    ModelInferRequest.Builder unsupportedDatatype = typed.clone();
    unsupportedDatatype.getInputsBuilder(0).setDatatype("FP16");
    assertInvalidArgument(unsupportedDatatype, "input 'input'.datatype: unsupported datatype"
        + " 'FP16'");

    ModelInferRequest.Builder wrongCount = typed.clone();
    wrongCount.getInputsBuilder(0).getContentsBuilder().addFp32Contents(1f);
    assertInvalidArgument(wrongCount,
        "input 'input': contents.fp32_contents has 31 elements (expected 30");

    ModelInferRequest.Builder contentsInWrongField = typed.clone();
    contentsInWrongField.getInputsBuilder(0).setContents(
        InferTensorContents.newBuilder().addAllFp64Contents(doubles.getFp64ContentsList()));
    assertInvalidArgument(contentsInWrongField,
        "input 'input': contents.fp32_contents has 0 elements (expected 30");

    ModelInferRequest.Builder negativeShape = typed.clone();
    negativeShape.getInputsBuilder(0).clearShape().addShape(-1).addShape(30);
    assertInvalidArgument(negativeShape, "input 'input'.shape: [-1, 30] (expected non-negative");

    ModelInferRequest.Builder unknownInput = typed.clone();
    unknownInput.getInputsBuilder(0).setName("x");
    assertInvalidArgument(unknownInput, "input 'x': unknown to this model (expected inputs:"
        + " [input])");

    ModelInferRequest.Builder twice = typed.clone().addInputs(typed.getInputs(0));
    assertInvalidArgument(twice, "input 'input': given more than once");

    assertInvalidArgument(typed.clone().clearInputs(), "input 'input': missing");

    ModelInferRequest.Builder extraRawEntry = raw.clone().addRawInputContents(ByteString.EMPTY);
    assertInvalidArgument(extraRawEntry, "raw_input_contents: 2 entries for inputs [input]");

    ModelInferRequest.Builder shortRaw = raw.clone().setRawInputContents(0,
        raw.getRawInputContents(0).substring(0, 119));
    assertInvalidArgument(shortRaw,
        "input 'input': raw_input_contents has 119 bytes (expected 120 for 30 FP32 elements)");

    ModelInferRequest.Builder rawAndContents = raw.clone();
    rawAndContents.getInputsBuilder(0).setContents(typed.getInputs(0).getContents());
    assertInvalidArgument(rawAndContents,
        "input 'input': both contents and raw_input_contents given");

    ModelInferRequest.Builder unknownOutput = typed.clone().addOutputs(
        ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("logits"));
    assertInvalidArgument(unknownOutput, "output 'logits': unknown to this model");
  }

  private static boolean modelReady(String model, String version) {
    return fixture.grpc.modelReady(
        ModelReadyRequest.newBuilder().setName(model).setVersion(version).build()).getReady();
  }

  private static void assertInvalidArgument(ModelInferRequest.Builder request,
      String description) {
    assertStatus(() -> fixture.grpc.modelInfer(request.build()), Status.Code.INVALID_ARGUMENT,
        description);
  }

  static void assertStatus(ThrowingCallable call, Status.Code code, String description) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(description);
    });
  }
}
