package dev.slipway.registry.models;

import static com.linecorp.armeria.common.HttpMethod.DELETE;
import static com.linecorp.armeria.common.HttpMethod.GET;
import static com.linecorp.armeria.common.HttpMethod.PATCH;
import static com.linecorp.armeria.common.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.registry.models.RegistryServer.Response;
import dev.slipway.registry.testing.TestDatabases;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API on a real server: MLflow's shapes, methods, quirks and error codes. One server
 * for the class (an Armeria server takes seconds to stop); each test uses its own model names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelRegistryHttpTest {
  private static final String MLFLOW = "/api/2.0/mlflow";
  private static final String SLIPWAY = "/api/2.0/slipway";

  RegistryFixture fixture;
  RegistryServer server;

  @BeforeAll
  void start(@TempDir Path folder) {
    fixture = new RegistryFixture(TestDatabases.h2(folder), folder, PromotionPolicy.defaults(),
        WebhookDispatcher.disabled());
    server = new RegistryServer(fixture);
  }

  @AfterAll
  void stop() {
    server.close();
    fixture.close();
  }

  @Test
  void registeredModel_createGetUpdateSearchAndDelete() {
    Response created = post("/registered-models/create", """
        {"name": "fraud", "description": "Flags fraud",
         "tags": [{"key": "team", "value": "risk"}]}""");

    assertThat(created.status()).isEqualTo(200);
    JsonNode model = created.body().get("registered_model");
    assertThat(fields(model)).containsExactly("name", "creation_timestamp",
        "last_updated_timestamp", "description", "tags");
    assertThat(model.get("creation_timestamp").isIntegralNumber()).isTrue();
    assertThat(model.get("tags").get(0).get("key").asText()).isEqualTo("team");

    Response got = get("/registered-models/get?name=fraud");
    assertThat(got.body()).isEqualTo(created.body());

    Response updated = server.call(PATCH, MLFLOW + "/registered-models/update",
        "{\"name\": \"fraud\", \"description\": \"v2\"}");
    assertThat(updated.body().at("/registered_model/description").asText()).isEqualTo("v2");

    Response search = get("/registered-models/search?filter=" + encode("name LIKE 'fr%'")
        + "&max_results=10");
    assertThat(search.body().get("registered_models")).hasSize(1);
    assertThat(search.body().has("next_page_token")).isFalse();
    assertThat(get("/registered-models/search?filter=" + encode("name = 'x'")).body())
        .as("MLflow leaves empty lists out").isEmpty();

    assertThat(server.call(DELETE, MLFLOW + "/registered-models/delete",
        "{\"name\": \"fraud\"}").body()).isEmpty();
    assertThat(get("/registered-models/get?name=fraud").status()).isEqualTo(404);
  }

  @Test
  void errors_haveMlflowCodesAndStatuses() {
    post("/registered-models/create", "{\"name\": \"dup\"}");

    assertError(post("/registered-models/create", "{\"name\": \"dup\"}"), 400,
        "RESOURCE_ALREADY_EXISTS", "Registered Model (name=dup) already exists.");
    assertError(get("/registered-models/get?name=nope"), 404, "RESOURCE_DOES_NOT_EXIST",
        "Registered Model with name=nope not found");
    assertError(post("/registered-models/create", "{}"), 400, "INVALID_PARAMETER_VALUE",
        "Missing value for required parameter 'name'");
    assertError(post("/registered-models/create", "not json"), 400, "BAD_REQUEST",
        "Malformed request body");
    assertError(get("/model-versions/get?name=dup&version=abc"), 400,
        "INVALID_PARAMETER_VALUE", "Model version must be a positive integer, got 'abc'");
    assertError(get("/registered-models/search?max_results=5000"), 400,
        "INVALID_PARAMETER_VALUE", "at most 1000");
    assertError(post("/model-versions/transition-stage",
        "{\"name\": \"dup\", \"version\": \"1\", \"stage\": \"Live\"}"), 400,
        "INVALID_PARAMETER_VALUE", "Invalid Model Version stage: Live");
  }

  @Test
  void modelVersion_lifecycleWithVersionsAsStringsOrNumbers() {
    post("/registered-models/create", "{\"name\": \"life\"}");
    upload("uploads/life/MLmodel", "flavors: {}");
    upload("uploads/life/model.onnx", "weights");

    Response created = post("/model-versions/create", """
        {"name": "life", "source": "mlflow-artifacts:/uploads/life", "run_id": "abc",
         "description": "first", "tags": [{"key": "k", "value": "v"}]}""");

    JsonNode version = created.body().get("model_version");
    assertThat(fields(version)).containsExactly("name", "version", "creation_timestamp",
        "last_updated_timestamp", "user_id", "current_stage", "description", "source", "run_id",
        "status", "tags", "storage_location");
    assertThat(version.get("version").asText()).isEqualTo("1");
    assertThat(version.get("version").isTextual()).isTrue();
    assertThat(version.get("current_stage").asText()).isEqualTo("None");
    assertThat(version.get("status").asText()).isEqualTo("READY");
    assertThat(version.get("user_id").asText()).isEqualTo("unknown");

    Response staged = post("/model-versions/transition-stage",
        "{\"name\": \"life\", \"version\": 1, \"stage\": \"staging\"}");
    assertThat(staged.body().at("/model_version/current_stage").asText()).isEqualTo("Staging");
    Response patched = server.call(PATCH, MLFLOW + "/model-versions/update",
        "{\"name\": \"life\", \"version\": \"1\", \"description\": \"better\"}");
    assertThat(patched.body().at("/model_version/description").asText()).isEqualTo("better");
    assertThat(post("/model-versions/set-tag",
        "{\"name\": \"life\", \"version\": \"1\", \"key\": \"a\", \"value\": \"b\"}").status())
        .isEqualTo(200);
    assertThat(server.call(DELETE, MLFLOW + "/model-versions/delete-tag",
        "{\"name\": \"life\", \"version\": \"1\", \"key\": \"k\"}").status()).isEqualTo(200);
    assertThat(get("/model-versions/get?name=life&version=1").body().at("/model_version/tags"))
        .hasSize(1);

    Response uri = get("/model-versions/get-download-uri?name=life&version=1");
    assertThat(uri.body().get("artifact_uri").asText())
        .isEqualTo("mlflow-artifacts:/models/life/1");
    assertThat(new String(server.download("/api/2.0/mlflow-artifacts/artifacts/models/life/1/"
        + "model.onnx"), StandardCharsets.UTF_8)).isEqualTo("weights");

    Response search = get("/model-versions/search?filter=" + encode("run_id = 'abc'"));
    assertThat(search.body().get("model_versions")).hasSize(1);

    assertThat(server.call(DELETE, MLFLOW + "/model-versions/delete",
        "{\"name\": \"life\", \"version\": \"1\"}").status()).isEqualTo(200);
    assertError(get("/model-versions/get?name=life&version=1"), 404, "RESOURCE_DOES_NOT_EXIST",
        "Model Version (name=life, version=1) not found");
  }

  @Test
  void latestVersions_byGetWithRepeatedStagesAndByPost() {
    createVersions("latest", 3);
    post("/model-versions/transition-stage",
        "{\"name\": \"latest\", \"version\": \"2\", \"stage\": \"Staging\"}");

    Response all = get("/registered-models/get-latest-versions?name=latest");
    Response staging = get("/registered-models/get-latest-versions?name=latest&stages=Staging"
        + "&stages=Archived");
    Response posted = post("/registered-models/get-latest-versions",
        "{\"name\": \"latest\", \"stages\": [\"staging\"]}");

    assertThat(all.body().get("model_versions")).hasSize(2);
    assertThat(staging.body().get("model_versions")).hasSize(1);
    assertThat(posted.body()).isEqualTo(staging.body());
  }

  @Test
  void aliases_setGetDeleteWithDeleteBodies() {
    createVersions("alias", 2);

    assertThat(post("/registered-models/alias",
        "{\"name\": \"alias\", \"alias\": \"champion\", \"version\": \"2\"}").body()).isEmpty();
    Response byAlias = get("/registered-models/alias?name=alias&alias=champion");
    assertThat(byAlias.body().at("/model_version/version").asText()).isEqualTo("2");
    assertThat(byAlias.body().at("/model_version/aliases/0").asText()).isEqualTo("champion");
    assertThat(get("/registered-models/get?name=alias").body().at("/registered_model/aliases/0"))
        .isEqualTo(RegistryServer.JSON.createObjectNode().put("alias", "champion")
            .put("version", "2"));

    assertThat(server.call(DELETE, MLFLOW + "/registered-models/alias",
        "{\"name\": \"alias\", \"alias\": \"champion\"}").status()).isEqualTo(200);
    assertError(get("/registered-models/alias?name=alias&alias=champion"), 404,
        "RESOURCE_DOES_NOT_EXIST", "alias champion not found");
    assertError(post("/registered-models/alias",
        "{\"name\": \"alias\", \"alias\": \"latest\", \"version\": \"1\"}"), 400,
        "INVALID_PARAMETER_VALUE", "reserved");
  }

  @Test
  void gate_refusesWithInvalidState_untilAValidationPasses() {
    createVersions("gate", 1);

    assertError(post("/model-versions/transition-stage",
        "{\"name\": \"gate\", \"version\": \"1\", \"stage\": \"Production\"}"), 400,
        "INVALID_STATE", "no validation results");
    Response failing = server.call(POST, SLIPWAY + "/model-versions/validations", """
        {"name": "gate", "version": "1", "check_name": "acc", "metric": "accuracy",
         "value": 0.8, "comparator": ">=", "threshold": 0.9}""");
    assertThat(failing.body().get("validation").get("passed").asBoolean()).isFalse();
    assertError(post("/model-versions/transition-stage",
        "{\"name\": \"gate\", \"version\": \"1\", \"stage\": \"Production\"}"), 400,
        "INVALID_STATE", "'acc' (failed: accuracy 0.8 >= 0.9)");
    assertError(post("/registered-models/alias",
        "{\"name\": \"gate\", \"alias\": \"production\", \"version\": \"1\"}"), 400,
        "INVALID_STATE", "'acc'");

    Response passing = server.call(POST, SLIPWAY + "/model-versions/validations", """
        {"name": "gate", "version": 1, "check_name": "acc", "metric": "accuracy",
         "value": "0.95", "threshold": 0.9}""");
    Response beats = server.call(POST, SLIPWAY + "/model-versions/validations", """
        {"name": "gate", "version": 1, "check_name": "beats", "kind": "beats_production",
         "metric": "accuracy", "value": 0.95}""");

    JsonNode validation = passing.body().get("validation");
    assertThat(fields(validation)).containsExactly("name", "version", "check_name", "kind",
        "metric", "value", "comparator", "threshold", "passed", "details", "recorded_at");
    assertThat(validation.get("comparator").asText()).isEqualTo(">=");
    assertThat(beats.body().at("/validation/passed").asBoolean()).isTrue();
    assertThat(beats.body().at("/validation/comparator").asText()).isEqualTo(">");
    assertThat(post("/model-versions/transition-stage",
        "{\"name\": \"gate\", \"version\": \"1\", \"stage\": \"Production\"}").status())
        .isEqualTo(200);
    assertThat(server.call(GET, SLIPWAY + "/model-versions/validations?name=gate&version=1", null)
        .body().get("validations")).hasSize(2);
    assertError(server.call(POST, SLIPWAY + "/model-versions/validations", """
        {"name": "gate", "version": 1, "check_name": "x", "metric": "a", "value": 1}"""), 400,
        "INVALID_PARAMETER_VALUE", "'threshold'");
    assertError(server.call(POST, SLIPWAY + "/model-versions/validations", """
        {"name": "gate", "version": 1, "check_name": "x", "metric": "a", "value": 1,
         "kind": "vibes"}"""), 400, "INVALID_PARAMETER_VALUE", "Invalid kind 'vibes'");
  }

  @Test
  void history_recordsTheActorFromHeaderThenBody_andAnswersVersionAt() {
    createVersions("hist", 2);
    long before = fixture.clock.millis();
    fixture.clock.advance(java.time.Duration.ofMinutes(1));
    long t1 = fixture.clock.millis();

    server.call(POST, MLFLOW + "/registered-models/alias",
        "{\"name\": \"hist\", \"alias\": \"champion\", \"version\": \"1\", \"user\": \"body\"}",
        "header-user");
    server.call(POST, MLFLOW + "/registered-models/alias",
        "{\"name\": \"hist\", \"alias\": \"champion\", \"version\": \"2\", \"user\": \"bob\"}");
    post("/model-versions/transition-stage",
        "{\"name\": \"hist\", \"version\": \"2\", \"stage\": \"Staging\"}");

    JsonNode entries = server.call(GET, SLIPWAY + "/registered-models/history?name=hist", null)
        .body().get("entries");
    List<String> actors = new ArrayList<>();
    entries.forEach(entry -> actors.add(entry.get("kind").asText() + ":"
        + entry.get("actor").asText()));
    assertThat(actors).containsExactly("STAGE:tester", "STAGE:tester", "ALIAS:header-user",
        "ALIAS:bob", "STAGE:unknown");
    JsonNode move = entries.get(3);
    assertThat(fields(move)).containsExactly("id", "name", "kind", "subject", "from_version",
        "to_version", "actor", "changed_at");
    assertThat(move.get("from_version").asText()).isEqualTo("1");

    Response at = server.call(GET, SLIPWAY + "/registered-models/version-at?name=hist"
        + "&alias=champion&time=" + t1, null);
    assertThat(at.body().get("version").asText()).isEqualTo("2");
    Response earlier = server.call(GET, SLIPWAY + "/registered-models/version-at?name=hist"
        + "&alias=champion&time=" + before, null);
    assertThat(earlier.body().has("version")).isFalse();
    Response staged = server.call(GET, SLIPWAY + "/registered-models/version-at?name=hist"
        + "&stage=staging&time=" + t1, null);
    assertThat(staged.body().get("version").asText()).isEqualTo("2");
    assertError(server.call(GET, SLIPWAY + "/registered-models/version-at?name=hist&time=1",
        null), 400, "INVALID_PARAMETER_VALUE", "exactly one of 'alias' and 'stage'");
    assertError(server.call(GET, SLIPWAY + "/registered-models/history?name=none", null), 404,
        "RESOURCE_DOES_NOT_EXIST", "name=none");
  }

  @Test
  void resolve_answersWhatAUriPointsToNow() {
    createVersions("res", 2);

    Response resolved = server.call(GET, SLIPWAY + "/registered-models/resolve?uri="
        + encode("models:/res/latest"), null);

    assertThat(resolved.body().get("version").asText()).isEqualTo("2");
    assertThat(resolved.body().get("artifact_uri").asText())
        .isEqualTo("mlflow-artifacts:/models/res/2");
    assertError(server.call(GET, SLIPWAY + "/registered-models/resolve?uri="
        + encode("models:/res"), null), 400, "INVALID_PARAMETER_VALUE", "Invalid model URI");
    assertError(server.call(GET, SLIPWAY + "/registered-models/resolve?uri="
        + encode("models:/res/Production"), null), 404, "RESOURCE_DOES_NOT_EXIST",
        "no version in stage 'Production'");
  }

  @Test
  void webhooks_registerListDeleteWithoutRevealingSecrets() {
    Response created = server.call(POST, SLIPWAY + "/webhooks", """
        {"url": "http://127.0.0.1:9/hook", "secret": "s3cret",
         "events": ["MODEL_VERSION_CREATED", "model_version_alias_set"]}""");

    JsonNode webhook = created.body().get("webhook");
    assertThat(fields(webhook)).containsExactly("id", "url", "events", "created_at");
    assertThat(webhook.get("events").toString())
        .isEqualTo("[\"MODEL_VERSION_ALIAS_SET\",\"MODEL_VERSION_CREATED\"]");
    assertThat(server.call(GET, SLIPWAY + "/webhooks", null).body().get("webhooks"))
        .hasSize(1);
    assertThat(server.call(GET, SLIPWAY + "/webhooks/deliveries", null).body()
        .get("deliveries")).isEmpty();
    assertError(server.call(POST, SLIPWAY + "/webhooks",
        "{\"url\": \"ftp://x/y\", \"secret\": \"s\", \"events\": [\"MODEL_VERSION_CREATED\"]}"),
        400, "INVALID_PARAMETER_VALUE", "http://");
    assertError(server.call(POST, SLIPWAY + "/webhooks",
        "{\"url\": \"http://x/y\", \"secret\": \"s\", \"events\": [\"EVERYTHING\"]}"),
        400, "INVALID_PARAMETER_VALUE", "Unknown webhook event 'EVERYTHING'");
    assertError(server.call(POST, SLIPWAY + "/webhooks",
        "{\"url\": \"http://x/y\", \"events\": [\"MODEL_VERSION_CREATED\"]}"),
        400, "INVALID_PARAMETER_VALUE", "'secret'");

    String id = webhook.get("id").asText();
    assertThat(server.call(DELETE, SLIPWAY + "/webhooks", "{\"id\": \"" + id + "\"}").status())
        .isEqualTo(200);
    assertThat(server.call(GET, SLIPWAY + "/webhooks", null).body().get("webhooks")).isEmpty();
    assertError(server.call(DELETE, SLIPWAY + "/webhooks", "{\"id\": " + id + "}"), 404,
        "RESOURCE_DOES_NOT_EXIST", "Webhook with id=" + id);
  }

  private void createVersions(String name, int count) {
    post("/registered-models/create", "{\"name\": \"" + name + "\"}");
    for (int i = 0; i < count; i++) {
      fixture.version(name);
    }
  }

  private void upload(String path, String content) {
    server.upload(path, content);
  }

  private Response post(String path, String body) {
    return server.call(POST, MLFLOW + path, body);
  }

  private Response get(String pathAndQuery) {
    return server.call(GET, MLFLOW + pathAndQuery, null);
  }

  private static void assertError(Response response, int status, String code, String message) {
    assertThat(response.status()).as(response.body().toString()).isEqualTo(status);
    assertThat(fields(response.body())).containsExactly("error_code", "message");
    assertThat(response.errorCode()).isEqualTo(code);
    assertThat(response.body().get("message").asText()).contains(message);
  }

  private static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
