package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestInferenceTest extends BreastCancerServerTest {
  @Test
  void infer_oneRowPerRequest_matchesPytorchForAllRows() {
    for (int row = 0; row < rows.length; row++) {
      AggregatedHttpResponse response = fixture.post("/v2/models/bc/infer",
          ServingFixture.floatRequest("input", new float[][] {rows[row]}));
      assertThat(response.status().code()).as(response.contentUtf8()).isEqualTo(200);
      JsonNode output = ServingFixture.json(response).path("outputs").get(0);
      assertThat(output.path("name").asText()).isEqualTo("probabilities");
      assertThat(output.path("shape").toString()).isEqualTo("[1,2]");
      assertThat(output.path("data").get(1).asDouble()).as("row %d", row)
          .isCloseTo(reference[row], within(1e-5));
    }
  }

  @Test
  void infer_allRowsAsOneBatch_matchesPytorch() {
    AggregatedHttpResponse response = fixture.post("/v2/models/bc/versions/1/infer",
        ServingFixture.floatRequest("input", rows));
    assertThat(response.status().code()).isEqualTo(200);
    JsonNode body = ServingFixture.json(response);
    assertThat(body.path("model_name").asText()).isEqualTo("bc");
    assertThat(body.path("model_version").asText()).isEqualTo("1");
    JsonNode data = body.path("outputs").get(0).path("data");
    assertThat(data.size()).isEqualTo(rows.length * 2);
    for (int row = 0; row < rows.length; row++) {
      assertThat(data.get(row * 2 + 1).asDouble()).as("row %d", row)
          .isCloseTo(reference[row], within(1e-5));
    }
  }

  @Test
  void infer_datatypeAfterData_andFlatData_areAccepted() {
    StringBuilder flat = new StringBuilder();
    for (float value : rows[0]) {
      flat.append(flat.length() == 0 ? "" : ",").append(value);
    }
    String body = "{\"id\":\"r-1\",\"inputs\":[{\"data\":[" + flat
        + "],\"name\":\"input\",\"shape\":[1,30],\"datatype\":\"FP32\"}],"
        + "\"outputs\":[{\"name\":\"probabilities\"}]}";
    AggregatedHttpResponse response = fixture.post("/v2/models/bc/infer", body);
    assertThat(response.status().code()).as(response.contentUtf8()).isEqualTo(200);
    JsonNode json = ServingFixture.json(response);
    assertThat(json.path("id").asText()).isEqualTo("r-1");
    assertThat(json.path("outputs").get(0).path("data").get(1).asDouble())
        .isCloseTo(reference[0], within(1e-5));
  }

  @Test
  void metadataAndHealth_describeServerAndModel() {
    assertThat(fixture.get("/v2/health/live").status().code()).isEqualTo(200);
    assertThat(fixture.get("/v2/health/ready").status().code()).isEqualTo(200);
    assertThat(ServingFixture.json(fixture.get("/v2")).path("extensions").toString())
        .contains("model_repository");
    JsonNode metadata = ServingFixture.json(fixture.get("/v2/models/bc"));
    assertThat(metadata.path("platform").asText()).isEqualTo("onnxruntime_onnx");
    assertThat(metadata.path("versions").toString()).isEqualTo("[\"1\"]");
    assertThat(metadata.path("inputs").toString())
        .isEqualTo("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,30]}]");
    assertThat(fixture.get("/v2/models/bc/versions/1/ready").status().code()).isEqualTo(200);
    assertThat(fixture.get("/v2/models/bc/versions/9/ready").status().code()).isEqualTo(404);
  }

  @Test
  void clientMistakes_get4xxWithErrorNamingTheProblem() {
    assertError(fixture.post("/v2/models/nope/infer", ServingFixture.floatRequest("input",
        new float[][] {rows[0]})), 404, "model 'nope' is not loaded");
    assertError(fixture.post("/v2/models/bc/versions/7/infer", ServingFixture.floatRequest(
        "input", new float[][] {rows[0]})), 404, "no loaded version '7'");
    assertError(fixture.post("/v2/models/bc/infer", "{\"inputs\": [{\"name\": \"input\""),
        400, "malformed JSON");
    assertError(fixture.post("/v2/models/bc/infer", ServingFixture.floatRequest("x",
        new float[][] {rows[0]})), 400, "input 'x': unknown to this model");
    assertError(fixture.post("/v2/models/bc/infer", "{\"inputs\":[{\"name\":\"input\","
        + "\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}"), 400,
        "input 'input': shape [1, 3] (expected [-1, 30]");
    assertError(fixture.post("/v2/models/bc/infer", "{\"inputs\":[{\"name\":\"input\","
        + "\"shape\":[1,30],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}"), 400,
        "data has 3 elements (expected 30");
    assertError(fixture.post("/v2/models/bc/infer", "{\"inputs\":[{\"name\":\"input\","
        + "\"shape\":[1,2],\"datatype\":\"FP64\",\"data\":[1,2]}]}"), 400,
        "datatype FP64 (expected FP32)");
    assertError(fixture.post("/v2/models/bc/infer", "{\"inputs\":[{\"name\":\"input\","
        + "\"shape\":[1,1],\"datatype\":\"FP32\",\"data\":[\"a\"]}]}"), 400,
        "data element 0 is the string \"a\"");
    assertError(fixture.post("/v2/models/bc/infer", "{\"inputs\":[]}"), 400, "inputs: missing");
    assertError(fixture.post("/v2/models/bc/infer", "{\"input\":[]}"), 400,
        "unknown field 'input'");
    assertError(fixture.post("/v2/models/bc/infer", ServingFixture.floatRequest("input",
        new float[][] {rows[0]}).replace("}]}", "}],\"outputs\":[{\"name\":\"nope\"}]}")), 400,
        "output 'nope': unknown");
    assertError(fixture.get("/v2/nothing-here"), 404, "no such endpoint");
  }

  @Test
  void undecodableUtf32Body_gets400NotInternalError() {
    // Leading zero bytes make Jackson read UTF-32; 0x7FFFFFFF is no Unicode character.
    byte[] body = {0, 0, (byte) 0xFE, (byte) 0xFF, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    assertError(fixture.execute(HttpMethod.POST, "/v2/models/bc/infer", body, MediaType.JSON),
        400, "malformed JSON: Invalid UTF-32 character");
  }

  @Test
  void bodyOverLimit_gets413WithJsonError() {
    try (ServingFixture small = smallLimitServer()) {
      String body = ServingFixture.floatRequest("input", rows);
      assertError(small.post("/v2/models/bc/infer", body), 413, "request body larger than");
      assertThat(small.post("/v2/models/bc/infer", ServingFixture.floatRequest("input",
          new float[][] {rows[0]})).status().code()).isEqualTo(200);
    }
  }

  private static ServingFixture smallLimitServer() {
    return ServingFixture.of(repository, InferenceServer.builder(repository).port(0)
        .pollInterval(Duration.ZERO).maxRequestBytes(16 * 1024).build().start());
  }

  static void assertError(AggregatedHttpResponse response, int status, String message) {
    assertThat(response.status().code()).as(response.contentUtf8()).isEqualTo(status);
    assertThat(response.contentType().subtype()).isEqualTo("json");
    assertThat(ServingFixture.json(response).path("error").asText()).contains(message);
  }
}
