package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.slipway.core.testing.Fixtures;
import dev.slipway.core.testing.XGBoostModels;
import dev.slipway.serving.grpc.ModelInferResponse;
import dev.slipway.serving.grpc.ModelMetadataRequest;
import dev.slipway.serving.grpc.ModelMetadataResponse;
import java.nio.file.Path;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * XGBoost boosters saved as JSON and UBJSON, served over REST and gRPC: every answer must be
 * exactly what the booster itself predicts, not merely close.
 */
class XGBoostServingTest {
  /**
   * Reads JSON floats as BigDecimal so that each output's decimal text is parsed straight to a
   * float; going through double first could round twice and hide or fake a one-ulp difference.
   */
  private static final ObjectMapper EXACT_JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  @TempDir static Path repository;
  static ServingFixture fixture;
  static float[][] rows;
  /** booster.predict(DMatrix): P(class 1) per row for the classifier. */
  static float[] classifierP1;
  /** booster.predict(DMatrix): the value per row for the regressor. */
  static float[] regressorValues;

  @BeforeAll
  static void start() throws Exception {
    rows = Fixtures.breastCancerFeatures();
    Booster classifier = XGBoostModels.trainBreastCancerClassifier();
    Booster regressor = XGBoostModels.trainBreastCancerRegressor();
    try {
      classifierP1 = predictDirectly(classifier);
      regressorValues = predictDirectly(regressor);
      XGBoostModels.save(classifier, repository.resolve("classifier_json/1/model.json"));
      XGBoostModels.save(classifier, repository.resolve("classifier_ubj/1/model.ubj"));
      XGBoostModels.save(regressor, repository.resolve("regressor_json/1/model.json"));
      XGBoostModels.save(regressor, repository.resolve("regressor_ubj/1/model.ubj"));
    } finally {
      classifier.dispose();
      regressor.dispose();
    }
    fixture = ServingFixture.start(repository);
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  private static float[] predictDirectly(Booster booster) throws Exception {
    DMatrix matrix = new DMatrix(Fixtures.flatten(rows), rows.length, 30, Float.NaN);
    try {
      float[][] predictions = booster.predict(matrix);
      float[] firstColumn = new float[rows.length];
      for (int row = 0; row < rows.length; row++) {
        firstColumn[row] = predictions[row][0];
      }
      return firstColumn;
    } finally {
      matrix.dispose();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"classifier_json", "classifier_ubj"})
  void classifier_overRest_answersExactlyAsTheBooster(String model) throws Exception {
    // XGBoost models take their one input under any name.
    AggregatedHttpResponse response = fixture.post("/v2/models/" + model + "/infer",
        ServingFixture.floatRequest("features", rows));
    assertThat(response.status().code()).as(response.contentUtf8()).isEqualTo(200);
    JsonNode outputs = EXACT_JSON.readTree(response.contentUtf8()).path("outputs");
    assertThat(outputs.size()).isEqualTo(2);

    JsonNode labels = outputs.get(0);
    assertThat(labels.path("name").asText()).isEqualTo("predict");
    assertThat(labels.path("datatype").asText()).isEqualTo("INT64");
    assertThat(labels.path("shape").toString()).isEqualTo("[" + rows.length + "]");
    JsonNode probabilities = outputs.get(1);
    assertThat(probabilities.path("name").asText()).isEqualTo("predict_proba");
    assertThat(probabilities.path("datatype").asText()).isEqualTo("FP32");
    assertThat(probabilities.path("shape").toString()).isEqualTo("[" + rows.length + ",2]");

    for (int row = 0; row < rows.length; row++) {
      float p1 = classifierP1[row];
      assertThat(labels.path("data").get(row).isIntegralNumber()).isTrue();
      assertThat(labels.path("data").get(row).asLong()).as("row %d", row)
          .isEqualTo(p1 > 0.5f ? 1L : 0L);
      assertThat(exactFloat(probabilities.path("data").get(row * 2))).as("row %d", row)
          .isEqualTo(1f - p1);
      assertThat(exactFloat(probabilities.path("data").get(row * 2 + 1))).as("row %d", row)
          .isEqualTo(p1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"classifier_json", "classifier_ubj"})
  void classifier_overGrpc_answersExactlyAsTheBooster(String model) {
    ModelInferResponse response = fixture.grpc.modelInfer(
        ServingFixture.grpcFloatRequest(model, "features", rows).build());
    assertThat(response.getOutputsCount()).isEqualTo(2);

    ModelInferResponse.InferOutputTensor labels = response.getOutputs(0);
    assertThat(labels.getName()).isEqualTo("predict");
    assertThat(labels.getDatatype()).isEqualTo("INT64");
    assertThat(labels.getShapeList()).containsExactly((long) rows.length);
    ModelInferResponse.InferOutputTensor probabilities = response.getOutputs(1);
    assertThat(probabilities.getName()).isEqualTo("predict_proba");
    assertThat(probabilities.getDatatype()).isEqualTo("FP32");
    assertThat(probabilities.getShapeList()).containsExactly((long) rows.length, 2L);

    assertThat(labels.getContents().getInt64ContentsCount()).isEqualTo(rows.length);
    assertThat(probabilities.getContents().getFp32ContentsCount()).isEqualTo(rows.length * 2);
    for (int row = 0; row < rows.length; row++) {
      float p1 = classifierP1[row];
      assertThat(labels.getContents().getInt64Contents(row)).as("row %d", row)
          .isEqualTo(p1 > 0.5f ? 1L : 0L);
      assertThat(probabilities.getContents().getFp32Contents(row * 2)).as("row %d", row)
          .isEqualTo(1f - p1);
      assertThat(probabilities.getContents().getFp32Contents(row * 2 + 1)).as("row %d", row)
          .isEqualTo(p1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"regressor_json", "regressor_ubj"})
  void regressor_overRestAndGrpc_answersExactlyAsTheBooster(String model) throws Exception {
    AggregatedHttpResponse rest =
        fixture.post("/v2/models/" + model + "/infer", ServingFixture.floatRequest("x", rows));
    assertThat(rest.status().code()).as(rest.contentUtf8()).isEqualTo(200);
    JsonNode outputs = EXACT_JSON.readTree(rest.contentUtf8()).path("outputs");
    assertThat(outputs.size()).isEqualTo(1);
    assertThat(outputs.get(0).path("name").asText()).isEqualTo("predict");
    assertThat(outputs.get(0).path("datatype").asText()).isEqualTo("FP32");
    assertThat(outputs.get(0).path("shape").toString()).isEqualTo("[" + rows.length + "]");

    ModelInferResponse grpc = fixture.grpc.modelInfer(
        ServingFixture.grpcFloatRequest(model, "features", rows).build());
    assertThat(grpc.getOutputsCount()).isEqualTo(1);
    assertThat(grpc.getOutputs(0).getName()).isEqualTo("predict");
    assertThat(grpc.getOutputs(0).getDatatype()).isEqualTo("FP32");
    assertThat(grpc.getOutputs(0).getContents().getFp32ContentsCount()).isEqualTo(rows.length);

    for (int row = 0; row < rows.length; row++) {
      assertThat(exactFloat(outputs.get(0).path("data").get(row))).as("REST row %d", row)
          .isEqualTo(regressorValues[row]);
      assertThat(grpc.getOutputs(0).getContents().getFp32Contents(row)).as("gRPC row %d", row)
          .isEqualTo(regressorValues[row]);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"classifier_json", "classifier_ubj"})
  void classifierMetadata_namesXgboostOutputs(String model) {
    ModelMetadataResponse metadata =
        fixture.grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build());
    assertThat(metadata.getPlatform()).isEqualTo("xgboost");
    assertThat(metadata.getInputsList()).singleElement()
        .satisfies(input -> assertThat(input.getShapeList()).containsExactly(-1L, 30L));
    assertThat(metadata.getOutputsList())
        .extracting(ModelMetadataResponse.TensorMetadata::getName)
        .containsExactly("predict", "predict_proba");
    assertThat(metadata.getOutputsList())
        .extracting(ModelMetadataResponse.TensorMetadata::getDatatype)
        .containsExactly("INT64", "FP32");
  }

  private static float exactFloat(JsonNode number) {
    assertThat(number.isNumber()).as("%s is a number", number).isTrue();
    return Float.parseFloat(number.decimalValue().toString());
  }
}
