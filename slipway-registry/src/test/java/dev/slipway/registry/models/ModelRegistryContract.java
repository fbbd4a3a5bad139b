package dev.slipway.registry.models;

import static dev.slipway.registry.models.RegistryAssertions.assertInvalid;
import static dev.slipway.registry.models.RegistryAssertions.assertMlflowError;
import static dev.slipway.registry.models.RegistryAssertions.assertNotFound;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.registry.MlflowException.ErrorCode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every ModelRegistry must do, whatever database holds it: MLflow's registry semantics,
 * copying and sealing of artifacts, and model URI resolution. The gate, the audit trail and
 * concurrency have their own contracts. Run by H2ModelRegistryTest and PostgresModelRegistryTest.
 */
abstract class ModelRegistryContract extends RegistryContractBase {
  // Registered models

  @Test
  void create_returnsTheModelWithTagsAndTimestamps() {
    RegisteredModel created = registry.createRegisteredModel("fraud", "Flags fraud",
        Map.of("team", "risk", "tier", "1"), "alice");

    assertThat(created.name()).isEqualTo("fraud");
    assertThat(created.description()).isEqualTo("Flags fraud");
    assertThat(created.tags()).containsExactly(Map.entry("team", "risk"),
        Map.entry("tier", "1"));
    assertThat(created.creationTimestamp()).isEqualTo(RegistryFixture.START);
    assertThat(created.lastUpdatedTimestamp()).isEqualTo(RegistryFixture.START);
    assertThat(created.latestVersions()).isEmpty();
    assertThat(registry.getRegisteredModel("fraud")).isEqualTo(created);
  }

  @Test
  void create_twice_isResourceAlreadyExists() {
    fixture.model("fraud");

    assertMlflowError(() -> fixture.model("fraud"), ErrorCode.RESOURCE_ALREADY_EXISTS,
        "Registered Model (name=fraud) already exists.");
  }

  @Test
  void create_refusesNamesThatCannotBeFoldersOrUris() {
    assertInvalid(() -> fixture.model(""), "cannot be empty");
    assertInvalid(() -> fixture.model("a/b"), "cannot contain '/'");
    assertInvalid(() -> fixture.model(".."), "'..'");
    assertInvalid(() -> registry.createRegisteredModel("m", null, Map.of("bad*key", "v"),
        null), "Invalid tag name");
  }

  @Test
  void get_unknownModel_isResourceDoesNotExist() {
    assertNotFound(() -> registry.getRegisteredModel("nope"),
        "Registered Model with name=nope not found");
  }

  @Test
  void updateAndTags_changeTheModel() {
    fixture.model("fraud");
    fixture.clock.advance(java.time.Duration.ofSeconds(5));

    RegisteredModel updated = registry.updateRegisteredModel("fraud", "v2 of the text");
    registry.setRegisteredModelTag("fraud", "team", "risk");
    registry.setRegisteredModelTag("fraud", "team", "payments");
    registry.setRegisteredModelTag("fraud", "owner", "bob");
    registry.deleteRegisteredModelTag("fraud", "owner");
    registry.deleteRegisteredModelTag("fraud", "never-set");

    assertThat(updated.description()).isEqualTo("v2 of the text");
    assertThat(updated.lastUpdatedTimestamp()).isEqualTo(RegistryFixture.START + 5000);
    assertThat(registry.getRegisteredModel("fraud").tags())
        .containsExactly(Map.entry("team", "payments"));
    assertNotFound(() -> registry.setRegisteredModelTag("nope", "k", "v"), "name=nope");
  }

  @Test
  void search_filtersByNameLikeIlikeAndTags() {
    registry.createRegisteredModel("fraud-eu", null, Map.of("team", "risk"), null);
    registry.createRegisteredModel("fraud-us", null, Map.of("team", "payments"), null);
    registry.createRegisteredModel("churn", null, Map.of("team", "risk"), null);

    assertThat(names(registry.searchRegisteredModels("name = 'churn'", 100, null, null)))
        .containsExactly("churn");
    assertThat(names(registry.searchRegisteredModels("name LIKE 'fraud%'", 100, null, null)))
        .containsExactly("fraud-eu", "fraud-us");
    assertThat(names(registry.searchRegisteredModels("name ILIKE 'FRAUD-%'", 100, null,
        null))).containsExactly("fraud-eu", "fraud-us");
    assertThat(names(registry.searchRegisteredModels("name LIKE 'FRAUD-%'", 100, null,
        null))).isEmpty();
    assertThat(names(registry.searchRegisteredModels("tags.team = 'risk'", 100, null, null)))
        .containsExactly("churn", "fraud-eu");
    assertThat(names(registry.searchRegisteredModels(
        "tags.`team` = \"risk\" and name != 'churn'", 100, null, null)))
        .containsExactly("fraud-eu");
    assertThat(names(registry.searchRegisteredModels(null, 100, null, null)))
        .containsExactly("churn", "fraud-eu", "fraud-us");
  }

  @Test
  void search_ordersAndPages() {
    for (String name : List.of("b", "c", "a", "e", "d")) {
      fixture.model(name);
      fixture.clock.advance(java.time.Duration.ofSeconds(1));
    }

    assertThat(names(registry.searchRegisteredModels(null, 100,
        List.of("creation_timestamp DESC"), null))).containsExactly("d", "e", "a", "c", "b");
    List<String> paged = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      SearchPage<RegisteredModel> page = registry.searchRegisteredModels(null, 2,
          List.of("name ASC"), token);
      paged.addAll(names(page));
      token = page.nextPageToken();
      pages++;
    } while (token != null && pages < 10);
    assertThat(paged).containsExactly("a", "b", "c", "d", "e");
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void search_badInput_isInvalidParameterValue() {
    assertInvalid(() -> registry.searchRegisteredModels("owner = 'x'", 10, null, null),
        "invalid key 'owner'");
    assertInvalid(() -> registry.searchRegisteredModels("name = churn", 10, null, null),
        "must be quoted");
    assertInvalid(() -> registry.searchRegisteredModels("name = 'a' OR name = 'b'", 10, null,
        null), "OR is not supported");
    assertInvalid(() -> registry.searchRegisteredModels(null, 10, List.of("size DESC"), null),
        "Invalid order_by clause");
    assertInvalid(() -> registry.searchRegisteredModels(null, 5000, null, null),
        "at most 1000");
    assertInvalid(() -> registry.searchRegisteredModels(null, 10, null, "%%%"),
        "Invalid page token");
  }

  @Test
  void rename_movesVersionsTagsAliasesAndValidations() {
    registry.createRegisteredModel("old", null, Map.of("team", "risk"), null);
    ModelVersion version = fixture.version("old");
    registry.setModelVersionTag("old", 1, "k", "v");
    registry.setRegisteredModelAlias("old", "champion", 1, null);
    registry.recordValidation("old", 1, ValidationCheck.threshold("acc", "accuracy", 0.9,
        MetricComparator.GREATER_OR_EQUAL, 0.8));

    RegisteredModel renamed = registry.renameRegisteredModel("old", "new", "alice");

    assertThat(renamed.name()).isEqualTo("new");
    assertThat(renamed.tags()).containsEntry("team", "risk");
    assertThat(renamed.aliases()).containsExactly(new ModelAlias("champion", 1));
    ModelVersion moved = registry.getModelVersion("new", 1);
    assertThat(moved.tags()).containsEntry("k", "v");
    assertThat(moved.aliases()).containsExactly("champion");
    assertThat(moved.storageLocation()).isEqualTo(version.storageLocation());
    assertThat(registry.listValidations("new", 1)).hasSize(1);
    assertThat(registry.resolve("models:/new@champion").version()).isEqualTo(1);
    assertNotFound(() -> registry.getRegisteredModel("old"));
  }

  @Test
  void rename_toAnExistingName_isResourceAlreadyExists() {
    fixture.model("a");
    fixture.model("b");

    assertMlflowError(() -> registry.renameRegisteredModel("a", "b", null),
        ErrorCode.RESOURCE_ALREADY_EXISTS, "name=b");
    assertNotFound(() -> registry.renameRegisteredModel("zzz", "y", null));
  }

  @Test
  void delete_removesTheModelAndItsVersions() {
    fixture.model("fraud");
    fixture.version("fraud");

    registry.deleteRegisteredModel("fraud", "alice");

    assertNotFound(() -> registry.getRegisteredModel("fraud"));
    assertNotFound(() -> registry.getModelVersion("fraud", 1));
    assertThat(registry.searchModelVersions("name = 'fraud'", 10, null, null).items())
        .isEmpty();
    assertNotFound(() -> registry.deleteRegisteredModel("fraud", null));
  }

  @Test
  void recreatedAfterDelete_startsAtVersionOneInAFreshFolder() {
    fixture.model("fraud");
    ModelVersion first = fixture.version("fraud");
    registry.deleteRegisteredModel("fraud", null);
    fixture.model("fraud");

    ModelVersion again = fixture.version("fraud");

    assertThat(again.version()).isEqualTo(1);
    assertThat(again.storageLocation()).isNotEqualTo(first.storageLocation())
        .startsWith("models/fraud/1");
    assertThat(Files.exists(fixture.artifacts.localPath(first.storageLocation())))
        .as("sealed artifacts are kept").isTrue();
  }

  @Test
  void getLatestVersions_perStage_caseInsensitive() {
    fixture.model("m");
    for (int i = 0; i < 5; i++) {
      fixture.version("m");
    }
    registry.transitionModelVersionStage("m", 1, "production", false, null);
    registry.transitionModelVersionStage("m", 2, "Staging", false, null);
    registry.transitionModelVersionStage("m", 3, "STAGING", false, null);

    assertThat(versions(registry.getLatestVersions("m", null)))
        .containsExactly("None:5", "Staging:3", "Production:1");
    assertThat(versions(registry.getLatestVersions("m", List.of("staging", "Archived"))))
        .containsExactly("Staging:3");
    assertThat(registry.getRegisteredModel("m").latestVersions()).hasSize(3);
    assertInvalid(() -> registry.getLatestVersions("m", List.of("Prod")),
        "Invalid Model Version stage: Prod");
    assertNotFound(() -> registry.getLatestVersions("nope", null));
  }

  // Model versions

  @Test
  void create_fromRunsUri_copiesAndSealsTheRunsModel() throws Exception {
    fixture.model("fraud");
    String runId = fixture.run("0123456789abcdef0123456789abcdef");

    ModelVersion created = registry.createModelVersion(
        NewModelVersion.of("fraud", "runs:/" + runId + "/model").withDescription("first")
            .withTags(Map.of("dataset", "2024-q1")), "alice");

    assertThat(created.version()).isEqualTo(1);
    assertThat(created.status()).isEqualTo("READY");
    assertThat(created.currentStage()).isEqualTo(ModelStage.NONE);
    assertThat(created.source()).isEqualTo("runs:/" + runId + "/model");
    assertThat(created.runId()).isEqualTo(runId);
    assertThat(created.userId()).isEqualTo("alice");
    assertThat(created.description()).isEqualTo("first");
    assertThat(created.tags()).containsEntry("dataset", "2024-q1");
    assertThat(created.storageLocation()).isEqualTo("models/fraud/1");
    Path copy = fixture.artifacts.localPath("models/fraud/1");
    assertThat(copy.resolve("MLmodel")).exists();
    assertThat(Files.readString(copy.resolve("model.onnx")))
        .isEqualTo("onnx-bytes-of-1/" + runId + "/artifacts/model");
    assertInvalid(() -> fixture.artifacts.put("models/fraud/1/model.onnx",
        new ByteArrayInputStream(new byte[] {1})), "immutable");
    assertInvalid(() -> fixture.artifacts.delete("models/fraud/1"), "registered model");
    assertInvalid(() -> fixture.artifacts.delete("models"), "registered model");
    assertThat(copy.resolve("model.onnx")).as("nothing deleted by the refused deletes").exists();
  }

  @Test
  void create_copyIsIndependentOfTheSource() throws Exception {
    fixture.model("m");
    fixture.modelFolder("uploads/a");
    registry.createModelVersion(NewModelVersion.of("m", "uploads/a"), null);

    fixture.put("uploads/a/model.onnx", "retrained");

    assertThat(Files.readString(fixture.artifacts.localPath("models/m/1/model.onnx")))
        .isEqualTo("onnx-bytes-of-uploads/a");
  }

  @Test
  void create_fromEverySupportedSourceForm() {
    fixture.model("m");
    fixture.modelFolder("uploads/a");
    String absolute = fixture.artifacts.localPath("uploads/a").toString();

    List<String> sources = List.of("uploads/a", "mlflow-artifacts:/uploads/a",
        "mlflow-artifacts://127.0.0.1:5000/uploads/a", "file://" + absolute, absolute,
        "models:/m/1", "models:/m/latest");
    for (String source : sources) {
      ModelVersion version = registry.createModelVersion(NewModelVersion.of("m", source), null);
      assertThat(fixture.artifacts.localPath(version.storageLocation()).resolve("MLmodel"))
          .as(source).exists();
    }
    assertThat(registry.getLatestVersions("m", null).get(0).version())
        .isEqualTo(sources.size());
  }

  @Test
  void create_badSources_areRefusedClearly() {
    fixture.model("m");

    assertNotFound(() -> registry.createModelVersion(NewModelVersion.of("m",
        "runs:/nosuchrun/model"), null), "Run with id=nosuchrun not found");
    assertNotFound(() -> registry.createModelVersion(NewModelVersion.of("m",
        "uploads/missing"), null), "has no artifacts");
    assertInvalid(() -> registry.createModelVersion(NewModelVersion.of("m", "/etc"), null),
        "outside the artifact store");
    assertInvalid(() -> registry.createModelVersion(NewModelVersion.of("m",
        "s3://bucket/model"), null), "Unsupported source");
    assertInvalid(() -> registry.createModelVersion(NewModelVersion.of("m",
        "mlflow-artifacts:/"), null), "whole artifact store");
    assertInvalid(() -> registry.createModelVersion(NewModelVersion.of("m",
        "../outside"), null));
    assertNotFound(() -> registry.createModelVersion(NewModelVersion.of("none",
        "uploads/x"), null), "name=none");
    assertThat(registry.searchModelVersions(null, 10, null, null).items()).isEmpty();
  }

  @Test
  void create_runIdMustMatchARunsSource() {
    fixture.model("m");
    String runId = fixture.run("r1");

    assertInvalid(() -> registry.createModelVersion(NewModelVersion.of("m",
        "runs:/" + runId + "/model").withRunId("other"), null), "does not match");
  }

  @Test
  void delete_hidesTheVersionRemovesItsAliasesAndNeverReusesItsNumber() {
    fixture.model("m");
    fixture.version("m");
    fixture.version("m");
    registry.setRegisteredModelAlias("m", "champion", 2, null);

    registry.deleteModelVersion("m", 2, null);
    ModelVersion third = fixture.version("m");

    assertNotFound(() -> registry.getModelVersion("m", 2),
        "Model Version (name=m, version=2) not found");
    assertThat(third.version()).isEqualTo(3);
    assertThat(registry.getRegisteredModel("m").aliases()).isEmpty();
    assertNotFound(() -> registry.deleteModelVersion("m", 2, null));
    assertThat(registry.searchModelVersions("name = 'm'", 10, null, null).items())
        .extracting(ModelVersion::version).containsExactly(3, 1);
  }

  @Test
  void updateAndTags_changeTheVersion() {
    fixture.model("m");
    fixture.version("m");
    fixture.clock.advance(java.time.Duration.ofMinutes(1));

    ModelVersion updated = registry.updateModelVersion("m", 1, "better");
    registry.setModelVersionTag("m", 1, "validated", "yes");
    registry.setModelVersionTag("m", 1, "validated", "no");
    registry.setModelVersionTag("m", 1, "gone", "x");
    registry.deleteModelVersionTag("m", 1, "gone");

    assertThat(updated.description()).isEqualTo("better");
    assertThat(updated.lastUpdatedTimestamp()).isEqualTo(RegistryFixture.START + 60_000);
    assertThat(registry.getModelVersion("m", 1).tags())
        .containsExactly(Map.entry("validated", "no"));
    assertNotFound(() -> registry.setModelVersionTag("m", 9, "k", "v"), "version=9");
  }

  @Test
  void transition_movesStagesAndArchivesExisting() {
    fixture.model("m");
    for (int i = 0; i < 3; i++) {
      fixture.version("m");
    }
    registry.transitionModelVersionStage("m", 1, "Production", false, null);
    registry.transitionModelVersionStage("m", 2, "production", false, null);

    ModelVersion third = registry.transitionModelVersionStage("m", 3, "PRODUCTION", true,
        null);

    assertThat(third.currentStage()).isEqualTo(ModelStage.PRODUCTION);
    assertThat(registry.getModelVersion("m", 1).currentStage()).isEqualTo(ModelStage.ARCHIVED);
    assertThat(registry.getModelVersion("m", 2).currentStage()).isEqualTo(ModelStage.ARCHIVED);
    assertInvalid(() -> registry.transitionModelVersionStage("m", 1, "Archived", true, null),
        "not an Active stage");
    assertInvalid(() -> registry.transitionModelVersionStage("m", 1, "Live", false, null),
        "Invalid Model Version stage: Live");
    assertNotFound(() -> registry.transitionModelVersionStage("m", 7, "Staging", false, null));
  }

  @Test
  void search_filtersByNameRunSourceVersionAndTags() {
    fixture.model("a");
    fixture.model("b");
    String run1 = fixture.run("run1");
    String run2 = fixture.run("run2");
    registry.createModelVersion(NewModelVersion.of("a", "runs:/" + run1 + "/model")
        .withTags(Map.of("env", "eu")), null);
    registry.createModelVersion(NewModelVersion.of("a", "runs:/" + run2 + "/model"), null);
    registry.createModelVersion(NewModelVersion.of("b", "runs:/" + run1 + "/model")
        .withTags(Map.of("env", "us")), null);

    assertThat(versions(registry.searchModelVersions("name = 'a'", 100, null, null)))
        .containsExactly("a/2", "a/1");
    assertThat(versions(registry.searchModelVersions("run_id = 'run1'", 100, null, null)))
        .containsExactly("a/1", "b/1");
    assertThat(versions(registry.searchModelVersions("run_id IN ('run2', 'other')", 100,
        null, null))).containsExactly("a/2");
    assertThat(versions(registry.searchModelVersions("source_path LIKE 'runs:/run2/%'", 100,
        null, null))).containsExactly("a/2");
    assertThat(versions(registry.searchModelVersions("tags.env = 'us'", 100, null, null)))
        .containsExactly("b/1");
    assertThat(versions(registry.searchModelVersions("name = 'a' AND version_number >= 2",
        100, null, null))).containsExactly("a/2");
    assertThat(versions(registry.searchModelVersions(null, 100,
        List.of("version_number ASC", "name DESC"), null))).containsExactly("b/1", "a/1",
        "a/2");
    assertInvalid(() -> registry.searchModelVersions("run_id LIKE 'x'", 100, null, null),
        "comparator 'LIKE' is not supported for 'run_id'");
  }

  @Test
  void search_pagesThroughAllVersions() {
    fixture.model("m");
    for (int i = 0; i < 5; i++) {
      fixture.version("m");
    }

    SearchPage<ModelVersion> first = registry.searchModelVersions("name='m'", 3, null, null);
    SearchPage<ModelVersion> second = registry.searchModelVersions("name='m'", 3, null,
        first.nextPageToken());

    assertThat(first.items()).extracting(ModelVersion::version).containsExactly(5, 4, 3);
    assertThat(second.items()).extracting(ModelVersion::version).containsExactly(2, 1);
    assertThat(second.nextPageToken()).isNull();
  }

  @Test
  void downloadUri_pointsAtTheSealedCopyThroughTheArtifactProxy() {
    fixture.model("m");
    fixture.version("m");

    assertThat(registry.getModelVersionDownloadUri("m", 1))
        .isEqualTo("mlflow-artifacts:/models/m/1");
    assertNotFound(() -> registry.getModelVersionDownloadUri("m", 2));
  }

  // Aliases

  @Test
  void setMoveGetAndDelete() {
    fixture.model("m");
    fixture.version("m");
    fixture.version("m");

    registry.setRegisteredModelAlias("m", "champion", 1, null);
    registry.setRegisteredModelAlias("m", "champion", 2, null);
    registry.setRegisteredModelAlias("m", "challenger", 1, null);

    assertThat(registry.getModelVersionByAlias("m", "champion").version()).isEqualTo(2);
    assertThat(registry.getModelVersion("m", 1).aliases()).containsExactly("challenger");
    assertThat(registry.getRegisteredModel("m").aliases()).containsExactly(
        new ModelAlias("challenger", 1), new ModelAlias("champion", 2));

    registry.deleteRegisteredModelAlias("m", "champion", null);
    registry.deleteRegisteredModelAlias("m", "never-set", null);

    assertNotFound(() -> registry.getModelVersionByAlias("m", "champion"),
        "Registered model alias champion not found.");
    assertNotFound(() -> registry.getModelVersionByAlias("nope", "champion"), "name=nope");
  }

  @Test
  void reservedAndMalformedAliases_areRefused() {
    fixture.model("m");
    fixture.version("m");

    assertInvalid(() -> registry.setRegisteredModelAlias("m", "latest", 1, null), "reserved");
    assertInvalid(() -> registry.setRegisteredModelAlias("m", "Latest", 1, null), "reserved");
    assertInvalid(() -> registry.setRegisteredModelAlias("m", "v3", 1, null), "reserved");
    assertInvalid(() -> registry.setRegisteredModelAlias("m", "a b", 1, null),
        "Invalid alias name");
    assertNotFound(() -> registry.setRegisteredModelAlias("m", "x", 4, null), "version=4");
  }

  // Resolve

  @Test
  void resolvesVersionsAliasesStagesAndLatest() {
    fixture.model("m");
    for (int i = 0; i < 4; i++) {
      fixture.version("m");
    }
    registry.transitionModelVersionStage("m", 2, "Production", false, null);
    registry.transitionModelVersionStage("m", 3, "Production", false, null);
    registry.setRegisteredModelAlias("m", "champion", 1, null);

    assertThat(registry.resolve("models:/m/2").version()).isEqualTo(2);
    assertThat(registry.resolve("models:/m@champion").version()).isEqualTo(1);
    assertThat(registry.resolve("models:/m/Production").version()).isEqualTo(3);
    assertThat(registry.resolve("models:/m/production").version()).isEqualTo(3);
    assertThat(registry.resolve("models:/m/latest").version()).isEqualTo(4);
    ResolvedModel resolved = registry.resolve("models:/m/Production");
    assertThat(resolved.name()).isEqualTo("m");
    assertThat(resolved.stage()).isEqualTo(ModelStage.PRODUCTION);
    assertThat(resolved.storageLocation()).isEqualTo("models/m/3");
    assertThat(resolved.localPath()).isEqualTo(fixture.artifacts.localPath("models/m/3"));
    assertThat(resolved.localPath().resolve("MLmodel")).exists();
  }

  @Test
  void followsAliasAndStageChanges() {
    fixture.model("m");
    fixture.version("m");
    fixture.version("m");
    registry.setRegisteredModelAlias("m", "champion", 1, null);
    assertThat(registry.resolve("models:/m@champion").version()).isEqualTo(1);

    registry.setRegisteredModelAlias("m", "champion", 2, null);

    assertThat(registry.resolve("models:/m@champion").version()).isEqualTo(2);
  }

  @Test
  void badUris_areInvalidParameterValue() {
    for (String uri : List.of("m/1", "runs:/abc/model", "models://m/1", "models:/m",
        "models:/m/1/2", "models:/m/Live", "models:/m/0", "models:/@x", "models:/m@")) {
      assertInvalid(() -> registry.resolve(uri), "Invalid model URI", "models:/<name>");
    }
  }

  @Test
  void missingTargets_areResourceDoesNotExist() {
    fixture.model("m");
    fixture.version("m");

    assertNotFound(() -> registry.resolve("models:/nope/1"), "name=nope not found");
    assertNotFound(() -> registry.resolve("models:/m/2"), "has no version 2");
    assertNotFound(() -> registry.resolve("models:/m@champion"), "has no alias 'champion'");
    assertNotFound(() -> registry.resolve("models:/m/Staging"),
        "has no version in stage 'Staging'");
    registry.deleteModelVersion("m", 1, null);
    assertNotFound(() -> registry.resolve("models:/m/1"), "has no version 1");
    assertNotFound(() -> registry.resolve("models:/m/latest"), "has no versions");
  }

  static List<String> names(SearchPage<RegisteredModel> page) {
    return page.items().stream().map(RegisteredModel::name).toList();
  }

  static List<String> versions(SearchPage<ModelVersion> page) {
    return page.items().stream().map(v -> v.name() + "/" + v.version()).toList();
  }

  static List<String> versions(List<ModelVersion> versions) {
    return versions.stream().map(v -> v.currentStage().displayName() + ":" + v.version())
        .toList();
  }
}
