package dev.slipway.registry.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.registry.artifacts.internal.ArtifactsApi;
import dev.slipway.registry.artifacts.internal.LocalArtifactStore;
import dev.slipway.registry.testing.TestDatabases;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import dev.slipway.registry.tracking.internal.TrackingApi;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;
import org.mlflow.api.proto.Service.CreateExperiment;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.ExperimentTag;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.ExperimentsPage;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.RunsPage;

/**
 * MLflow's official Java client against Slipway, through every tracking call it has. The
 * client's artifact calls (logArtifact, downloadArtifacts) shell out to the Python mlflow CLI for
 * {@code mlflow-artifacts:} URIs and are not exercised here.
 */
class MlflowClientTrackingTest {
  private static final AtomicInteger NAMES = new AtomicInteger();

  @TempDir
  static Path folder;
  private static TestDatabase database;
  private static Server server;
  private static MlflowClient client;

  @BeforeAll
  static void start() {
    database = TestDatabases.h2(folder);
    TrackingStore store = new TrackingStore(database.database(), "mlflow-artifacts:/",
        Clock.systemUTC());
    ServerBuilder builder = Server.builder().http(0);
    TrackingApi.registerOn(builder, store);
    new ArtifactsApi(new LocalArtifactStore(folder.resolve("artifacts"))).registerOn(builder);
    server = builder.build();
    server.start().join();
    client = new MlflowClient("http://127.0.0.1:" + server.activeLocalPort());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.stop().join();
    }
    if (database != null) {
      database.close();
    }
  }

  private static String unique(String prefix) {
    return prefix + "-" + NAMES.incrementAndGet() + "-" + System.nanoTime();
  }

  private static int statusOf(Runnable call) {
    try {
      call.run();
    } catch (MlflowHttpException e) {
      return e.getStatusCode();
    }
    throw new AssertionError("expected an HTTP error");
  }

  @Test
  void managesExperiments() {
    String name = unique("client");
    String id = client.createExperiment(name);
    Service.Experiment experiment = client.getExperiment(id);
    assertThat(experiment.getName()).isEqualTo(name);
    assertThat(experiment.getArtifactLocation()).isEqualTo("mlflow-artifacts:/" + id);
    assertThat(experiment.getLifecycleStage()).isEqualTo("active");
    assertThat(experiment.getCreationTime()).isPositive();

    String locatedName = unique("located");
    String located = client.createExperiment(CreateExperiment.newBuilder().setName(locatedName)
        .setArtifactLocation("file:/tmp/elsewhere")
        .addTags(ExperimentTag.newBuilder().setKey("team").setValue("risk")).build());
    Service.Experiment locatedExperiment = client.getExperimentByName(locatedName).orElseThrow();
    assertThat(locatedExperiment.getExperimentId()).isEqualTo(located);
    assertThat(locatedExperiment.getArtifactLocation()).isEqualTo("file:/tmp/elsewhere");
    assertThat(locatedExperiment.getTagsList()).extracting(ExperimentTag::getValue)
        .containsExactly("risk");
    assertThat(client.getExperimentByName(unique("absent"))).isEmpty();

    String newName = unique("renamed");
    client.renameExperiment(id, newName);
    client.setExperimentTag(id, "owner", "alice");
    experiment = client.getExperiment(id);
    assertThat(experiment.getName()).isEqualTo(newName);
    assertThat(experiment.getTags(0).getKey()).isEqualTo("owner");

    client.deleteExperiment(id);
    assertThat(client.getExperiment(id).getLifecycleStage()).isEqualTo("deleted");
    client.restoreExperiment(id);
    assertThat(client.getExperiment(id).getLifecycleStage()).isEqualTo("active");

    assertThat(statusOf(() -> client.createExperiment(newName))).isEqualTo(400);
    assertThat(statusOf(() -> client.getExperiment("987654321"))).isEqualTo(404);
  }

  @Test
  void searchesExperimentsThroughEveryOverload() {
    String prefix = unique("paged");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(client.createExperiment(prefix + "-" + i));
    }
    client.deleteExperiment(ids.get(4));
    String mine = "name LIKE '" + prefix + "%'";

    assertThat(client.searchExperiments().getItems()).extracting(Service.Experiment::getName)
        .contains("Default", prefix + "-0");
    assertThat(client.searchExperiments(mine).getItems()).hasSize(4);

    ExperimentsPage page = client.searchExperiments(mine, ViewType.ALL, 2,
        List.of("name DESC"));
    List<String> names = new ArrayList<>();
    for (int pages = 0; pages < 10; pages++) {
      page.getItems().forEach(experiment -> names.add(experiment.getName()));
      if (!page.hasNextPage()) {
        break;
      }
      page = (ExperimentsPage) page.getNextPage();
    }
    assertThat(names).containsExactly(prefix + "-4", prefix + "-3", prefix + "-2",
        prefix + "-1", prefix + "-0");

    ExperimentsPage first = client.searchExperiments(mine, ViewType.ACTIVE_ONLY, 3,
        List.of("name ASC"), null);
    ExperimentsPage second = client.searchExperiments(mine, ViewType.ACTIVE_ONLY, 3,
        List.of("name ASC"), first.getNextPageToken().orElseThrow());
    assertThat(second.getItems()).extracting(Service.Experiment::getName)
        .containsExactly(prefix + "-3");
    assertThat(second.hasNextPage()).isFalse();
    assertThat(client.searchExperiments(mine, ViewType.DELETED_ONLY, 10, List.of())
        .getItems()).extracting(Service.Experiment::getExperimentId)
        .containsExactly(ids.get(4));
  }

  @Test
  void createsAndLogsRuns() {
    String experimentId = client.createExperiment(unique("runs"));
    RunInfo inDefault = client.createRun();
    assertThat(inDefault.getExperimentId()).isEqualTo("0");
    RunInfo plain = client.createRun(experimentId);
    assertThat(plain.getStatus()).isEqualTo(RunStatus.RUNNING);
    assertThat(plain.getUserId()).isEqualTo(System.getProperty("user.name"));
    assertThat(plain.getArtifactUri()).isEqualTo("mlflow-artifacts:/" + experimentId + "/"
        + plain.getRunId() + "/artifacts");
    RunInfo detailed = client.createRun(CreateRun.newBuilder().setExperimentId(experimentId)
        .setRunName("detailed").setStartTime(42).setUserId("bob")
        .addTags(Service.RunTag.newBuilder().setKey("source").setValue("ci")).build());
    assertThat(detailed.getRunName()).isEqualTo("detailed");
    assertThat(detailed.getStartTime()).isEqualTo(42);

    String runId = detailed.getRunId();
    client.logParam(runId, "lr", "0.1");
    client.logMetric(runId, "loss", 0.5);
    client.logMetric(runId, "loss", 0.25, 1000, 2);
    client.logBatch(runId,
        List.of(Service.Metric.newBuilder().setKey("acc").setValue(Double.NaN).setTimestamp(5)
            .setStep(1).build()),
        List.of(Service.Param.newBuilder().setKey("depth").setValue("6").build()),
        List.of(Service.RunTag.newBuilder().setKey("note").setValue("temp").build()));
    client.setTag(runId, "stage", "dev");
    client.deleteTag(runId, "note");

    Service.Run run = client.getRun(runId);
    assertThat(run.getInfo().getRunUuid()).isEqualTo(runId);
    assertThat(run.getData().getParamsList()).extracting(Service.Param::getKey)
        .containsExactly("depth", "lr");
    assertThat(run.getData().getTagsList()).extracting(Service.RunTag::getKey)
        .containsExactly("mlflow.runName", "source", "stage");
    assertThat(run.getData().getMetricsList()).extracting(Service.Metric::getKey,
        Service.Metric::getValue).containsExactly(
            org.assertj.core.groups.Tuple.tuple("acc", Double.NaN),
            org.assertj.core.groups.Tuple.tuple("loss", 0.25));
    assertThat(client.getMetricHistory(runId, "loss")).extracting(Service.Metric::getValue)
        .containsExactlyInAnyOrder(0.5, 0.25);

    client.setTerminated(plain.getRunId());
    assertThat(client.getRun(plain.getRunId()).getInfo().getStatus())
        .isEqualTo(RunStatus.FINISHED);
    client.setTerminated(inDefault.getRunId(), RunStatus.KILLED);
    assertThat(client.getRun(inDefault.getRunId()).getInfo().getStatus())
        .isEqualTo(RunStatus.KILLED);
    client.setTerminated(runId, RunStatus.FAILED, 777);
    assertThat(client.getRun(runId).getInfo()).satisfies(info -> {
      assertThat(info.getStatus()).isEqualTo(RunStatus.FAILED);
      assertThat(info.getEndTime()).isEqualTo(777);
    });

    client.deleteRun(runId);
    assertThat(client.getRun(runId).getInfo().getLifecycleStage()).isEqualTo("deleted");
    assertThat(statusOf(() -> client.logParam(runId, "x", "y"))).isEqualTo(400);
    client.restoreRun(runId);
    assertThat(client.getRun(runId).getInfo().getLifecycleStage()).isEqualTo("active");

    assertThatThrownBy(() -> client.logParam(runId, "lr", "0.2"))
        .isInstanceOf(MlflowHttpException.class)
        .satisfies(e -> assertThat(((MlflowHttpException) e).getBodyMessage())
            .contains("INVALID_PARAMETER_VALUE", "lr"));
    assertThat(statusOf(() -> client.getRun("0123456789abcdef0123456789abcdef")))
        .isEqualTo(404);
  }

  @Test
  void searchesRunsThroughEveryOverload() {
    String experimentId = client.createExperiment(unique("search"));
    List<String> experiments = List.of(experimentId);
    List<String> runIds = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String runId = client.createRun(CreateRun.newBuilder().setExperimentId(experimentId)
          .setStartTime(1000 + i).build()).getRunId();
      client.logMetric(runId, "acc", i / 10.0);
      client.logParam(runId, "parity", i % 2 == 0 ? "even" : "odd");
      runIds.add(runId);
    }
    client.deleteRun(runIds.get(0));

    assertThat(client.listRunInfos(experimentId)).extracting(RunInfo::getRunId)
        .containsExactly(runIds.get(4), runIds.get(3), runIds.get(2), runIds.get(1));
    assertThat(client.searchRuns(experiments, "params.parity = 'even'"))
        .extracting(RunInfo::getRunId).containsExactly(runIds.get(4), runIds.get(2));
    assertThat(client.searchRuns(experiments, "params.parity = 'even'", ViewType.ALL))
        .extracting(RunInfo::getRunId).containsExactly(runIds.get(4), runIds.get(2),
            runIds.get(0));

    RunsPage page = client.searchRuns(experiments, "metrics.acc >= 0.1", ViewType.ACTIVE_ONLY,
        3);
    assertThat(page.getItems()).hasSize(3);
    assertThat(page.hasNextPage()).isTrue();
    assertThat(page.getNextPage().getItems()).extracting(run -> run.getInfo().getRunId())
        .containsExactly(runIds.get(1));

    RunsPage ordered = client.searchRuns(experiments, "", ViewType.ACTIVE_ONLY, 2,
        List.of("metrics.acc ASC"));
    List<String> all = new ArrayList<>();
    for (int pages = 0; pages < 10; pages++) {
      ordered.getItems().forEach(run -> all.add(run.getInfo().getRunId()));
      if (!ordered.hasNextPage()) {
        break;
      }
      ordered = (RunsPage) ordered.getNextPage();
    }
    assertThat(all).isEqualTo(runIds.subList(1, 5));

    RunsPage first = client.searchRuns(experiments, null, ViewType.ALL, 4,
        List.of("attributes.start_time ASC"), null);
    RunsPage rest = client.searchRuns(experiments, null, ViewType.ALL, 4,
        List.of("attributes.start_time ASC"), first.getNextPageToken().orElseThrow());
    assertThat(first.getItems().get(0).getInfo().getRunId()).isEqualTo(runIds.get(0));
    assertThat(rest.getItems()).extracting(run -> run.getInfo().getRunId())
        .containsExactly(runIds.get(4));
    assertThat(rest.getNextPageToken()).isEmpty();

    assertThat(statusOf(() -> client.searchRuns(experiments, "metrics.acc > 'x'")))
        .isEqualTo(400);
  }
}
