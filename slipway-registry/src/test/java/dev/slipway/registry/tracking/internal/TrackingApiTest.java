package dev.slipway.registry.tracking.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.registry.artifacts.internal.ArtifactsApi;
import dev.slipway.registry.artifacts.internal.LocalArtifactStore;
import dev.slipway.registry.testing.TestDatabases;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import dev.slipway.registry.tracking.TrackingStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;
import org.mlflow_project.google.protobuf.Message;
import org.mlflow_project.google.protobuf.util.JsonFormat;

/**
 * The tracking REST API over a real Armeria server: MLflow's paths and methods, its JSON shapes
 * (checked exactly, and by strict parsing into MLflow's own protos, which fails on any field
 * service.proto does not define) and its error codes.
 */
class TrackingApiTest {
  private static final long NOW = 1_700_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger NAMES = new AtomicInteger();

  @TempDir
  static Path folder;
  private static TestDatabase database;
  private static Server server;
  private static HttpClient http;
  private static String base;

  /** A response's status and parsed body. */
  private record Reply(int status, JsonNode body, String text) {}

  @BeforeAll
  static void startServer() {
    database = TestDatabases.h2(folder);
    TrackingStore store = new TrackingStore(database.database(), "mlflow-artifacts:/",
        Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
    ServerBuilder builder = Server.builder().http(0);
    TrackingApi.registerOn(builder, store);
    new ArtifactsApi(new LocalArtifactStore(folder.resolve("artifacts"))).registerOn(builder);
    server = builder.build();
    server.start().join();
    base = "http://127.0.0.1:" + server.activeLocalPort();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.stop().join();
    }
    if (database != null) {
      database.close();
    }
  }

  private static Reply send(String method, String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
        .build();
    java.net.http.HttpResponse<String> response = http.send(request, BodyHandlers.ofString());
    String text = response.body();
    int status = response.statusCode();
    JsonNode parsed;
    try {
      parsed = text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
    } catch (IOException e) {
      parsed = JSON.createObjectNode();
    }
    return new Reply(status, parsed, text);
  }

  private static Reply post(String endpoint, String body) throws Exception {
    return send("POST", "/api/2.0/mlflow/" + endpoint, body);
  }

  private static Reply get(String endpointAndQuery) throws Exception {
    return send("GET", "/api/2.0/mlflow/" + endpointAndQuery, null);
  }

  private static JsonNode ok(Reply reply) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return reply.body();
  }

  private static JsonNode json(String text) throws IOException {
    return JSON.readTree(text);
  }

  /** Parses like MLflow's clients, but strictly: an unknown field name fails the test. */
  private static <B extends Message.Builder> B strict(Reply reply, B builder) throws Exception {
    JsonFormat.parser().merge(reply.text(), builder);
    return builder;
  }

  private static String newExperiment() throws Exception {
    return ok(post("experiments/create", "{\"name\": \"api-" + NAMES.incrementAndGet()
        + "\"}")).get("experiment_id").asText();
  }

  private static String newRun(String experimentId) throws Exception {
    return ok(post("runs/create", "{\"experiment_id\": \"" + experimentId + "\","
        + " \"start_time\": 5}")).at("/run/info/run_id").asText();
  }

  @Test
  void experimentsLookLikeMlflows() throws Exception {
    Reply created = post("experiments/create", "{\"name\": \"shape\", \"tags\": [{\"key\":"
        + " \"team\", \"value\": \"risk\"}]}");
    String id = ok(created).get("experiment_id").asText();
    assertThat(created.body().get("experiment_id").isTextual()).isTrue();
    strict(created, Service.CreateExperiment.Response.newBuilder());

    Reply fetched = get("experiments/get?experiment_id=" + id);
    assertThat(ok(fetched)).isEqualTo(json("{\"experiment\": {\"experiment_id\": \"" + id
        + "\", \"name\": \"shape\", \"artifact_location\": \"mlflow-artifacts:/" + id + "\","
        + " \"lifecycle_stage\": \"active\", \"last_update_time\": " + NOW + ","
        + " \"creation_time\": " + NOW + ", \"tags\": [{\"key\": \"team\", \"value\":"
        + " \"risk\"}]}}"));
    assertThat(strict(fetched, Service.GetExperiment.Response.newBuilder()).getExperiment()
        .getTags(0).getValue()).isEqualTo("risk");
    Reply byName = get("experiments/get-by-name?experiment_name=shape");
    assertThat(ok(byName)).isEqualTo(fetched.body());
    strict(byName, Service.GetExperimentByName.Response.newBuilder());

    Reply searched = get("experiments/search?filter=name%20%3D%20%27shape%27&max_results=5");
    assertThat(ok(searched).get("experiments")).containsExactly(fetched.body()
        .get("experiment"));
    assertThat(searched.body().has("next_page_token")).isFalse();
    strict(searched, Service.SearchExperiments.Response.newBuilder());
  }

  @Test
  void experimentLifecycleEndpoints() throws Exception {
    String id = newExperiment();
    String name = "renamed-" + NAMES.incrementAndGet();
    assertThat(ok(post("experiments/update", "{\"experiment_id\": \"" + id
        + "\", \"new_name\": \"" + name + "\"}"))).isEmpty();
    assertThat(ok(post("experiments/set-experiment-tag", "{\"experiment_id\": \"" + id
        + "\", \"key\": \"k\", \"value\": \"\"}"))).isEmpty();
    assertThat(ok(post("experiments/delete", "{\"experiment_id\": \"" + id + "\"}"))).isEmpty();
    JsonNode deleted = ok(post("experiments/search", "{\"view_type\": \"DELETED_ONLY\","
        + " \"filter\": \"name = '" + name + "'\"}"));
    assertThat(deleted.at("/experiments/0/lifecycle_stage").asText()).isEqualTo("deleted");
    assertThat(deleted.at("/experiments/0/tags/0")).isEqualTo(json("{\"key\": \"k\","
        + " \"value\": \"\"}"));
    assertThat(ok(post("experiments/restore", "{\"experiment_id\": " + id + "}"))).isEmpty();
    assertThat(ok(get("experiments/get?experiment_id=" + id)).at("/experiment/lifecycle_stage")
        .asText()).isEqualTo("active");
  }

  @Test
  void runsLookLikeMlflows() throws Exception {
    String experimentId = newExperiment();
    Reply created = post("runs/create", "{\"experiment_id\": \"" + experimentId + "\","
        + " \"user_id\": \"alice\", \"run_name\": \"r1\", \"start_time\": \"1234\","
        + " \"tags\": [{\"key\": \"source\", \"value\": \"test\"}]}");
    String runId = ok(created).at("/run/info/run_id").asText();
    assertThat(created.body()).isEqualTo(json("{\"run\": {\"info\": {\"run_id\": \"" + runId
        + "\", \"run_uuid\": \"" + runId + "\", \"run_name\": \"r1\", \"experiment_id\": \""
        + experimentId + "\", \"user_id\": \"alice\", \"status\": \"RUNNING\","
        + " \"start_time\": 1234, \"artifact_uri\": \"mlflow-artifacts:/" + experimentId + "/"
        + runId + "/artifacts\", \"lifecycle_stage\": \"active\"}, \"data\": {\"tags\":"
        + " [{\"key\": \"mlflow.runName\", \"value\": \"r1\"}, {\"key\": \"source\","
        + " \"value\": \"test\"}]}, \"inputs\": {}}}"));
    strict(created, Service.CreateRun.Response.newBuilder());

    ok(post("runs/log-parameter", "{\"run_uuid\": \"" + runId + "\", \"key\": \"lr\","
        + " \"value\": \"0.1\"}"));
    ok(post("runs/log-metric", "{\"run_id\": \"" + runId + "\", \"key\": \"loss\","
        + " \"value\": \"NaN\", \"timestamp\": 10}"));
    ok(post("runs/log-batch", "{\"run_id\": \"" + runId + "\", \"metrics\": [{\"key\":"
        + " \"acc\", \"value\": 0.5, \"timestamp\": \"20\", \"step\": 3}, {\"key\": \"inf\","
        + " \"value\": \"-Infinity\", \"timestamp\": 20}], \"params\": [{\"key\": \"depth\","
        + " \"value\": \"4\"}], \"tags\": [{\"key\": \"note\", \"value\": \"hi\"}]}"));
    ok(post("runs/set-tag", "{\"run_id\": \"" + runId + "\", \"key\": \"stage\", \"value\":"
        + " \"dev\"}"));
    ok(post("runs/delete-tag", "{\"run_id\": \"" + runId + "\", \"key\": \"note\"}"));

    Reply fetched = get("runs/get?run_id=" + runId);
    assertThat(ok(fetched).at("/run/data")).isEqualTo(json("{\"metrics\": [{\"key\": \"acc\","
        + " \"value\": 0.5, \"timestamp\": 20, \"step\": 3}, {\"key\": \"inf\", \"value\":"
        + " \"-Infinity\", \"timestamp\": 20, \"step\": 0}, {\"key\": \"loss\", \"value\":"
        + " \"NaN\", \"timestamp\": 10, \"step\": 0}], \"params\": [{\"key\": \"depth\","
        + " \"value\": \"4\"}, {\"key\": \"lr\", \"value\": \"0.1\"}], \"tags\": [{\"key\":"
        + " \"mlflow.runName\", \"value\": \"r1\"}, {\"key\": \"source\", \"value\": \"test\"},"
        + " {\"key\": \"stage\", \"value\": \"dev\"}]}"));
    Service.Run run = strict(fetched, Service.GetRun.Response.newBuilder()).getRun();
    assertThat(run.getData().getMetrics(2).getValue()).isNaN();
    assertThat(run.getInfo().getStatus()).isEqualTo(Service.RunStatus.RUNNING);

    Reply updated = post("runs/update", "{\"run_id\": \"" + runId + "\", \"status\":"
        + " \"FINISHED\", \"end_time\": 99}");
    assertThat(ok(updated).at("/run_info/status").asText()).isEqualTo("FINISHED");
    assertThat(updated.body().at("/run_info/end_time").isIntegralNumber()).isTrue();
    strict(updated, Service.UpdateRun.Response.newBuilder());

    Reply history = get("metrics/get-history?run_id=" + runId + "&metric_key=loss");
    assertThat(ok(history)).isEqualTo(json("{\"metrics\": [{\"key\": \"loss\", \"value\":"
        + " \"NaN\", \"timestamp\": 10, \"step\": 0}]}"));
    strict(history, Service.GetMetricHistory.Response.newBuilder());

    ok(post("runs/delete", "{\"run_id\": \"" + runId + "\"}"));
    assertThat(ok(get("runs/get?run_uuid=" + runId)).at("/run/info/lifecycle_stage").asText())
        .isEqualTo("deleted");
    ok(post("runs/restore", "{\"run_id\": \"" + runId + "\"}"));
  }

  @Test
  void searchesRunsWithFiltersOrderAndPages() throws Exception {
    String experimentId = newExperiment();
    for (double accuracy : List.of(0.2, 0.9, 0.5)) {
      String runId = newRun(experimentId);
      ok(post("runs/log-metric", "{\"run_id\": \"" + runId + "\", \"key\": \"acc\","
          + " \"value\": " + accuracy + ", \"timestamp\": 1}"));
    }
    String request = "{\"experiment_ids\": [\"" + experimentId + "\"], \"filter\":"
        + " \"metrics.acc > 0.3\", \"order_by\": [\"metrics.acc DESC\"], \"max_results\": 1,"
        + " \"run_view_type\": \"ACTIVE_ONLY\"";
    Reply first = post("runs/search", request + "}");
    assertThat(ok(first).at("/runs/0/data/metrics/0/value").asDouble()).isEqualTo(0.9);
    String token = first.body().get("next_page_token").asText();
    strict(first, Service.SearchRuns.Response.newBuilder());
    Reply second = post("runs/search", request + ", \"page_token\": \"" + token + "\"}");
    assertThat(ok(second).at("/runs/0/data/metrics/0/value").asDouble()).isEqualTo(0.5);
    assertThat(second.body().has("next_page_token")).isFalse();

    Reply none = post("runs/search", "{\"experiment_ids\": [\"" + experimentId + "\"],"
        + " \"filter\": \"params.missing = 'x'\"}");
    assertThat(ok(none)).isEmpty();
  }

  @Test
  void answersErrorsInMlflowsShape() throws Exception {
    Reply unknownRun = get("runs/get?run_id=0123456789abcdef0123456789abcdef");
    assertThat(unknownRun.status()).isEqualTo(404);
    assertThat(unknownRun.body().get("error_code").asText()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
    assertThat(unknownRun.body().get("message").asText()).contains("not found");

    Reply badJson = post("runs/create", "{\"experiment_id\": ");
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.body().get("error_code").asText()).isEqualTo("BAD_REQUEST");

    Reply missing = post("experiments/create", "{}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.body()).isEqualTo(json("{\"error_code\": \"INVALID_PARAMETER_VALUE\","
        + " \"message\": \"Missing value for required parameter 'name'. See the API docs for"
        + " more information about request parameters.\"}"));

    String name = "twice-" + NAMES.incrementAndGet();
    ok(post("experiments/create", "{\"name\": \"" + name + "\"}"));
    Reply duplicate = post("experiments/create", "{\"name\": \"" + name + "\"}");
    assertThat(duplicate.status()).isEqualTo(400);
    assertThat(duplicate.body().get("error_code").asText()).isEqualTo("RESOURCE_ALREADY_EXISTS");

    Reply badFilter = post("runs/search", "{\"experiment_ids\": [\"0\"], \"filter\":"
        + " \"metrics.acc >> 1\"}");
    assertThat(badFilter.status()).isEqualTo(400);
    assertThat(badFilter.body().get("message").asText()).contains("position 13");

    Reply wrongType = post("runs/log-metric", "{\"run_id\": \"x\", \"key\": \"k\","
        + " \"value\": \"high\", \"timestamp\": 1}");
    assertThat(wrongType.body().get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
    Reply badStatus = post("runs/update", "{\"run_id\": \"x\", \"status\": \"DONE\"}");
    assertThat(badStatus.body().get("message").asText()).contains("Invalid run status 'DONE'");
    Reply badView = post("experiments/search", "{\"view_type\": \"SOME\"}");
    assertThat(badView.body().get("message").asText()).contains("Invalid view type 'SOME'");
  }

  @Test
  void registersEveryEndpointWithMlflowsMethod() throws Exception {
    List<String> posts = List.of("experiments/create", "experiments/search",
        "experiments/delete", "experiments/restore", "experiments/update",
        "experiments/set-experiment-tag", "runs/create", "runs/update", "runs/delete",
        "runs/restore", "runs/search", "runs/log-metric", "runs/log-parameter",
        "runs/log-batch", "runs/set-tag", "runs/delete-tag");
    List<String> gets = List.of("experiments/search", "experiments/get",
        "experiments/get-by-name", "runs/get", "metrics/get-history");
    for (String endpoint : posts) {
      assertRouted(post(endpoint, "{}"), "POST " + endpoint);
    }
    for (String endpoint : gets) {
      assertRouted(get(endpoint), "GET " + endpoint);
    }
    assertThat(get("runs/create").status()).isEqualTo(405);
  }

  /** Routed: answered by a handler (success or MLflow error), not Armeria's 404 or 405. */
  private static void assertRouted(Reply reply, String endpoint) {
    assertThat(reply.status()).as(endpoint + ": " + reply.text()).isIn(200, 400, 404);
    if (reply.status() != 200) {
      assertThat(reply.body().has("error_code")).as(endpoint + ": " + reply.text()).isTrue();
    }
  }

  @Test
  void servesArtifactsBesideTracking() throws Exception {
    String experimentId = newExperiment();
    String runId = newRun(experimentId);
    String artifactUri = ok(get("runs/get?run_id=" + runId)).at("/run/info/artifact_uri")
        .asText();
    String path = artifactUri.substring("mlflow-artifacts:/".length()) + "/notes.txt";
    Reply put = send("PUT", ArtifactsApi.PREFIX + "/" + path, "hello");
    assertThat(put.status()).isEqualTo(200);
    Reply listed = send("GET", ArtifactsApi.PREFIX + "?path=" + experimentId + "/" + runId
        + "/artifacts", null);
    assertThat(listed.body().at("/files/0/path").asText()).isEqualTo("notes.txt");
    assertThat(send("GET", ArtifactsApi.PREFIX + "/" + path, null).text()).isEqualTo("hello");
  }
}
