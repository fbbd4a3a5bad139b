package dev.slipway.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import dev.slipway.app.internal.ExampleFeatures;
import dev.slipway.app.internal.ExamplePipelines;
import dev.slipway.app.internal.ExampleRepository;
import dev.slipway.app.internal.FeatureStores;
import dev.slipway.app.internal.Platform;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.registry.Registry;
import dev.slipway.registry.models.MetricComparator;
import dev.slipway.registry.models.ModelRegistry;
import dev.slipway.registry.models.NewModelVersion;
import dev.slipway.registry.models.ValidationCheck;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch scoring as a user drives it through the server: the example nightly pipeline (feature
 * view source, Parquet and online sinks) triggered over REST, the scores looked up with their
 * fallback chain, every mistake answered with a 4xx naming the field, and offline prediction of
 * a file from the registry on the command line.
 */
class BatchServingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private Platform start() throws Exception {
    ExampleRepository.Example example = ExampleRepository.train();
    Platform.Options options = AppTesting.options(dir);
    Registry registry = Registry.open(options.registryConfig());
    ModelRegistry models = registry.models();
    registry.artifacts().put("uploads/churn/model.onnx", new ByteArrayInputStream(example.onnx()));
    models.createRegisteredModel("churn", null, Map.of(), "test");
    models.createModelVersion(NewModelVersion.of("churn", "uploads/churn"), "test");
    models.recordValidation("churn", 1, ValidationCheck.threshold("accuracy", "accuracy",
        example.accuracy(), MetricComparator.GREATER_OR_EQUAL, 0.6));
    models.setRegisteredModelAlias("churn", "production", 1, "test");
    Path features = ExampleFeatures.write(dir.resolve("features"));
    try (OnlineStore store = FeatureStores.online(options.onlineStore, dir)) {
      ExampleFeatures.materialize(features, store);
    }
    options.features = features;
    options.bindFeatures = List.of("churn=" + ExampleFeatures.SERVICE);
    options.pipelines = ExamplePipelines.write(dir.resolve("features"), 0.25);
    return Platform.serve(registry, options, null, Map.of("churn", "models:/churn@production"));
  }

  @Test
  void pipelineTriggeredOverRest_scoresLookedUpWithFallbacks() throws Exception {
    try (Platform platform = start()) {
      WebClient client = WebClient.of(platform.baseUrl());

      AggregatedHttpResponse started = post(client, "/v1/pipelines/churn_nightly/runs", "");
      assertThat(started.status().code()).as(started.contentUtf8()).isEqualTo(202);
      long id = json(started).path("id").asLong();
      await().atMost(Duration.ofSeconds(60)).until(() -> json(client.get(
          "/v1/pipelines/churn_nightly/runs/" + id).aggregate().join()).path("status").asText(),
          status -> !status.equals("RUNNING"));
      JsonNode run = json(client.get("/v1/pipelines/churn_nightly/runs/" + id).aggregate()
          .join());
      assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
      assertThat(run.path("rows_scored").asLong()).isEqualTo(ExampleFeatures.CUSTOMERS);
      assertThat(run.path("model_version").asLong()).isEqualTo(1);
      assertThat(Files.list(dir.resolve("features/scores/churn")).toList()).hasSize(1);

      JsonNode listed = json(client.get("/v1/pipelines").aggregate().join());
      assertThat(listed.at("/pipelines/0/next_fire_time").asText()).endsWith("T02:00:00Z");
      assertThat(listed.at("/pipelines/0/last_run/id").asLong()).isEqualTo(id);

      JsonNode precomputed = json(client.get("/v1/scores/churn/42").aggregate().join());
      assertThat(precomputed.path("source").asText()).isEqualTo("precomputed");
      assertThat(precomputed.path("model_version").asLong()).isEqualTo(1);
      assertThat(precomputed.path("age_seconds").asDouble()).isBetween(0.0, 60.0);
      float online = onlineScore(client, 42);
      assertThat((float) precomputed.at("/scores/probability").asDouble()).isEqualTo(online);
      JsonNode zeroLed = json(client.get("/v1/scores/churn/042").aggregate().join());
      assertThat(zeroLed.path("source").asText()).isEqualTo("precomputed");
      assertThat(zeroLed.at("/scores/probability"))
          .isEqualTo(precomputed.at("/scores/probability"));
      AggregatedHttpResponse notAnId = client.get("/v1/scores/churn/abc").aggregate().join();
      assertThat(notAnId.status().code()).isEqualTo(400);
      assertThat(json(notAnId).path("error").asText())
          .isEqualTo("entity 'abc': expected an integer (the key customer_id is int64)");

      JsonNode baseline = json(client.get("/v1/scores/churn/123456").aggregate().join());
      assertThat(baseline.path("source").asText()).isEqualTo("baseline");
      assertThat(baseline.at("/scores/probability").asDouble()).isEqualTo(0.25);

      AggregatedHttpResponse unknown = client.get("/v1/scores/fraud/42").aggregate().join();
      assertThat(unknown.status().code()).isEqualTo(404);
      assertThat(json(unknown).path("error").asText()).contains("no score deployment 'fraud'");

      String metrics = client.get("/metrics").aggregate().join().contentUtf8();
      assertThat(metrics).contains(
          "slipway_scores_lookups_total{deployment=\"churn\",source=\"precomputed\"} 2.0",
          "slipway_scores_lookups_total{deployment=\"churn\",source=\"baseline\"} 1.0");
    }
  }

  @Test
  void pipelineApi_mistakes_areAnswered4xxNamingTheField() throws Exception {
    try (Platform platform = start()) {
      WebClient client = WebClient.of(platform.baseUrl());
      Map<String, String[]> cases = Map.of(
          "{\"end\": \"yesterday\"}", new String[] {"400", "end: 'yesterday'"},
          "{\"start\": \"2026-01-01T00:00:00Z\"}", new String[] {"400", "end: required"},
          "{\"end\": \"2026-01-01T00:00:00Z\", \"stop\": 1}",
              new String[] {"400", "unknown field 'stop'"},
          "[1, 2", new String[] {"400", "request body: not JSON"},
          "{\"start\": \"2026-02-01T00:00:00Z\", \"end\": \"2026-01-01T00:00:00Z\"}",
              new String[] {"400", "is not before end"});
      cases.forEach((body, expected) -> {
        AggregatedHttpResponse response = post(client, "/v1/pipelines/churn_nightly/runs", body);
        assertThat(response.status().code()).as(body).isEqualTo(Integer.parseInt(expected[0]));
        assertThat(json(response).path("error").asText()).as(body).contains(expected[1]);
      });
      AggregatedHttpResponse unknown = post(client, "/v1/pipelines/nightly/runs", "");
      assertThat(unknown.status().code()).isEqualTo(404);
      assertThat(json(unknown).path("error").asText()).contains("pipeline 'nightly'");
      assertThat(client.get("/v1/pipelines/churn_nightly/runs?limit=0").aggregate().join()
          .status().code()).isEqualTo(400);
      assertThat(client.get("/v1/pipelines/churn_nightly/runs/77").aggregate().join()
          .status().code()).isEqualTo(404);
      assertThat(json(client.get("/v1/pipelines/churn_nightly/runs").aggregate().join())
          .path("runs")).isEmpty();
    }
  }

  @Test
  void predict_registryModel_scoresAFileAndReportsMistakes() throws Exception {
    start().close();
    Path input = dir.resolve("features/customer_profiles.parquet");
    Path output = dir.resolve("scores.csv");

    AppTesting.Result scored = AppTesting.run("predict", "--model", "models:/churn@production",
        "--data-dir", dir.toString(), "--input", input.toString(), "--output", output.toString(),
        "--key", "customer_id", "--key", "event_ts");
    assertThat(scored.exitCode()).as(scored.err()).isZero();
    assertThat(scored.out()).contains("scored 2000 rows, quarantined 0 rows")
        .contains("model churn version 1");
    List<String> lines = Files.readAllLines(output);
    assertThat(lines.get(0)).isEqualTo(
        "customer_id,event_ts,probability,model_name,model_version");
    assertThat(lines).hasSize(2001);

    AppTesting.Result missing = AppTesting.run("predict", "--model", "models:/churn@production",
        "--data-dir", dir.toString(), "--input", dir.resolve("none.csv").toString(),
        "--output", dir.resolve("out.csv").toString());
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("none.csv: no such file");

    AppTesting.Result badUri = AppTesting.run("predict", "--model", "models:/churn@staging",
        "--data-dir", dir.toString(), "--input", input.toString(),
        "--output", dir.resolve("out.csv").toString());
    assertThat(badUri.exitCode()).isEqualTo(1);
    assertThat(badUri.err()).contains("model models:/churn@staging");
    assertThat(dir.resolve("out.csv")).doesNotExist();
  }

  private static float onlineScore(WebClient client, long customer) {
    AggregatedHttpResponse response = post(client, "/v2/models/churn/infer",
        "{\"inputs\":[{\"name\":\"customer_id\",\"datatype\":\"INT64\",\"shape\":[1],"
            + "\"data\":[" + customer + "]}]}");
    return (float) json(response).at("/outputs/0/data/0").asDouble();
  }

  private static AggregatedHttpResponse post(WebClient client, String path, String body) {
    return client.execute(HttpRequest.of(HttpMethod.POST, path, MediaType.JSON, body))
        .aggregate().join();
  }

  private static JsonNode json(AggregatedHttpResponse response) {
    try {
      return JSON.readTree(response.contentUtf8());
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + response.contentUtf8(), e);
    }
  }
}
