package dev.slipway.registry.models;

import static com.linecorp.armeria.common.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.slipway.registry.models.RegistryServer.Response;
import dev.slipway.registry.testing.TestDatabases;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.ModelRegistry.ModelVersion;
import org.mlflow.api.proto.ModelRegistry.ModelVersionStatus;
import org.mlflow.api.proto.ModelRegistry.RegisteredModel;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.ModelVersionsPage;

/**
 * MLflow's own Java client against Slipway, through every registry call it has. It cannot write
 * to the registry, so the data is made through Slipway's REST API first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MlflowClientRegistryTest {
  private static final String MLFLOW = "/api/2.0/mlflow";
  private static final String RUN_ID = "5f2c0a1e9b8d4c3aa1b2c3d4e5f60718";

  RegistryFixture fixture;
  RegistryServer server;
  MlflowClient client;

  @BeforeAll
  void startAndRegister(@TempDir Path folder) {
    fixture = new RegistryFixture(TestDatabases.h2(folder), folder, PromotionPolicy.defaults(),
        WebhookDispatcher.disabled());
    server = new RegistryServer(fixture);
    client = new MlflowClient(server.baseUrl());

    fixture.run(RUN_ID);
    server.upload("uploads/fraud-v3/MLmodel", "flavors: {}");
    server.upload("uploads/fraud-v3/model.onnx", "weights");
    ok(post("/registered-models/create", """
        {"name": "fraud", "description": "Flags fraud",
         "tags": [{"key": "team", "value": "risk"}]}"""));
    for (int version = 1; version <= 2; version++) {
      ok(post("/model-versions/create", """
          {"name": "fraud", "source": "runs:/%s/model", "run_id": "%s",
           "run_link": "http://mlflow/runs/%s", "description": "version %d",
           "tags": [{"key": "dataset", "value": "q%d"}]}"""
          .formatted(RUN_ID, RUN_ID, RUN_ID, version, version)));
    }
    ok(post("/model-versions/create",
        "{\"name\": \"fraud\", \"source\": \"mlflow-artifacts:/uploads/fraud-v3\"}"));
    ok(server.call(POST, "/api/2.0/slipway/model-versions/validations", """
        {"name": "fraud", "version": "1", "check_name": "auc", "metric": "auc",
         "value": 0.91, "threshold": 0.9}"""));
    ok(post("/model-versions/transition-stage",
        "{\"name\": \"fraud\", \"version\": \"1\", \"stage\": \"Production\"}"));
    ok(post("/model-versions/transition-stage",
        "{\"name\": \"fraud\", \"version\": \"2\", \"stage\": \"Staging\"}"));
    ok(post("/registered-models/alias",
        "{\"name\": \"fraud\", \"alias\": \"champion\", \"version\": \"3\"}"));
    ok(post("/registered-models/create", "{\"name\": \"churn\"}"));
    for (int version = 1; version <= 2; version++) {
      ok(post("/model-versions/create",
          "{\"name\": \"churn\", \"source\": \"runs:/" + RUN_ID + "/model\"}"));
    }
  }

  @AfterAll
  void stop() {
    client.close();
    server.close();
    fixture.close();
  }

  @Test
  void getRegisteredModel_hasEveryField() {
    RegisteredModel model = client.getRegisteredModel("fraud");

    assertThat(model.getName()).isEqualTo("fraud");
    assertThat(model.getDescription()).isEqualTo("Flags fraud");
    assertThat(model.getCreationTimestamp()).isEqualTo(RegistryFixture.START);
    assertThat(model.getLastUpdatedTimestamp()).isEqualTo(RegistryFixture.START);
    assertThat(model.getTagsList()).singleElement().satisfies(tag -> {
      assertThat(tag.getKey()).isEqualTo("team");
      assertThat(tag.getValue()).isEqualTo("risk");
    });
    assertThat(model.getLatestVersionsList()).extracting(ModelVersion::getVersion,
        ModelVersion::getCurrentStage).containsExactly(
        org.assertj.core.groups.Tuple.tuple("3", "None"),
        org.assertj.core.groups.Tuple.tuple("2", "Staging"),
        org.assertj.core.groups.Tuple.tuple("1", "Production"));
    assertThat(model.getAliasesList()).singleElement().satisfies(alias -> {
      assertThat(alias.getAlias()).isEqualTo("champion");
      assertThat(alias.getVersion()).isEqualTo("3");
    });
  }

  @Test
  void getLatestVersions_bothOverloads() {
    List<ModelVersion> all = client.getLatestVersions("fraud");
    List<ModelVersion> production = client.getLatestVersions("fraud", List.of("Production"));
    List<ModelVersion> active = client.getLatestVersions("fraud",
        List.of("staging", "PRODUCTION"));

    assertThat(all).extracting(ModelVersion::getVersion).containsExactly("3", "2", "1");
    assertThat(production).extracting(ModelVersion::getVersion).containsExactly("1");
    assertThat(active).extracting(ModelVersion::getCurrentStage)
        .containsExactly("Staging", "Production");
  }

  @Test
  void getModelVersion_hasEveryField() {
    ModelVersion version = client.getModelVersion("fraud", "2");
    ModelVersion aliased = client.getModelVersion("fraud", "3");

    assertThat(version.getName()).isEqualTo("fraud");
    assertThat(version.getVersion()).isEqualTo("2");
    assertThat(version.getCreationTimestamp()).isEqualTo(RegistryFixture.START);
    assertThat(version.getLastUpdatedTimestamp()).isEqualTo(RegistryFixture.START);
    assertThat(version.getUserId()).isEqualTo("unknown");
    assertThat(version.getCurrentStage()).isEqualTo("Staging");
    assertThat(version.getDescription()).isEqualTo("version 2");
    assertThat(version.getSource()).isEqualTo("runs:/" + RUN_ID + "/model");
    assertThat(version.getRunId()).isEqualTo(RUN_ID);
    assertThat(version.getRunLink()).isEqualTo("http://mlflow/runs/" + RUN_ID);
    assertThat(version.getStatus()).isEqualTo(ModelVersionStatus.READY);
    assertThat(version.hasStatusMessage()).isFalse();
    assertThat(version.getTagsList()).singleElement().satisfies(tag ->
        assertThat(tag.getKey() + "=" + tag.getValue()).isEqualTo("dataset=q2"));
    assertThat(version.getAliasesList()).isEmpty();
    assertThat(aliased.getAliasesList()).containsExactly("champion");
    assertThat(aliased.getSource()).isEqualTo("mlflow-artifacts:/uploads/fraud-v3");
  }

  @Test
  void getModelVersionDownloadUri_pointsAtTheSealedCopy() {
    assertThat(client.getModelVersionDownloadUri("fraud", "1"))
        .isEqualTo("mlflow-artifacts:/models/fraud/1");
  }

  @Test
  void searchModelVersions_everyOverload() {
    ModelVersionsPage all = client.searchModelVersions();
    ModelVersionsPage fraud = client.searchModelVersions("name = 'fraud'");
    ModelVersionsPage first = client.searchModelVersions("run_id = '" + RUN_ID + "'", 2,
        List.of("name ASC", "version_number ASC"));
    ModelVersionsPage second = client.searchModelVersions("run_id = '" + RUN_ID + "'", 2,
        List.of("name ASC", "version_number ASC"), first.getNextPageToken().orElseThrow());

    assertThat(all.getItems()).extracting(v -> v.getName() + "/" + v.getVersion())
        .containsExactly("churn/2", "churn/1", "fraud/3", "fraud/2", "fraud/1");
    assertThat(all.hasNextPage()).isFalse();
    assertThat(fraud.getItems()).hasSize(3);
    assertThat(first.getItems()).extracting(v -> v.getName() + "/" + v.getVersion())
        .containsExactly("churn/1", "churn/2");
    assertThat(first.hasNextPage()).isTrue();
    assertThat(second.getItems()).extracting(v -> v.getName() + "/" + v.getVersion())
        .containsExactly("fraud/1", "fraud/2");
    assertThat(first.getNextPage().getItems()).isEqualTo(second.getItems());
    assertThat(second.getNextPage().getItems()).isEmpty();
  }

  @Test
  void errors_reachTheClientAsMlflowHttpExceptions() {
    MlflowHttpException missing = catchThrowableOfType(MlflowHttpException.class,
        () -> client.getRegisteredModel("nope"));
    MlflowHttpException badStage = catchThrowableOfType(MlflowHttpException.class,
        () -> client.getLatestVersions("fraud", List.of("Live")));

    assertThat(missing.getStatusCode()).isEqualTo(404);
    assertThat(missing.getBodyMessage()).contains("RESOURCE_DOES_NOT_EXIST",
        "Registered Model with name=nope not found");
    assertThat(badStage.getStatusCode()).isEqualTo(400);
    assertThat(badStage.getBodyMessage()).contains("INVALID_PARAMETER_VALUE");
  }

  @Test
  @Disabled("MlflowClient.downloadModelVersion shells out to the Python mlflow CLI for"
      + " models:/ URIs, which this machine does not have; the download URI and the artifact"
      + " proxy are tested instead")
  void downloadModelVersion_needsThePythonCli() {
    client.downloadModelVersion("fraud", "1");
  }

  private Response post(String path, String body) {
    return server.call(POST, MLFLOW + path, body);
  }

  private static void ok(Response response) {
    assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
  }
}
