package dev.slipway.registry.tracking;

import dev.slipway.registry.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.MlflowException.ErrorCode;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every database behind {@link TrackingStore} must do, in MLflow's terms. One database per
 * engine is shared by all tests (creating one costs a migration); tests stay independent by
 * giving their experiments unique names and searching only within them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TrackingStoreContract {
  private static final long START = 1_700_000_000_000L;
  private static final AtomicInteger NAMES = new AtomicInteger();

  private final MutableClock clock = new MutableClock(START);
  private TestDatabase database;
  private TrackingStore store;

  protected abstract TestDatabase openDatabase();

  @BeforeAll
  void openStore() {
    database = openDatabase();
    store = new TrackingStore(database.database(), "mlflow-artifacts:/", clock);
  }

  @AfterAll
  void closeStore() {
    if (database != null) {
      database.close();
    }
  }

  private static String unique(String prefix) {
    return prefix + "-" + NAMES.incrementAndGet() + "-" + System.nanoTime();
  }

  private String newExperiment() {
    return store.createExperiment(unique("exp"));
  }

  private Run newRun(String experimentId) {
    return store.createRun(experimentId, "alice", null, null, List.of());
  }

  private static void assertMlflowError(ThrowingCallable call, ErrorCode code,
      String... messageParts) {
    assertThatThrownBy(call).isInstanceOf(MlflowException.class)
        .satisfies(e -> assertThat(((MlflowException) e).errorCode()).isEqualTo(code))
        .satisfies(e -> {
          for (String part : messageParts) {
            assertThat(e.getMessage()).contains(part);
          }
        });
  }

  @Nested
  class Experiments {
    @Test
    void defaultExperimentExists() {
      Experiment experiment = store.getExperiment("0");
      assertThat(experiment.name()).isEqualTo("Default");
      assertThat(experiment.artifactLocation()).isEqualTo("mlflow-artifacts:/0");
      assertThat(experiment.lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);
      assertThat(store.getExperimentByName("Default").experimentId()).isEqualTo("0");
    }

    @Test
    void defaultExperimentCreationIsRaceSafe() throws Exception {
      try (TestDatabase fresh = openDatabase()) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
          List<Future<TrackingStore>> stores = new ArrayList<>();
          for (int i = 0; i < 4; i++) {
            stores.add(pool.submit(() -> new TrackingStore(fresh.database(), "file:/tmp/a",
                clock)));
          }
          for (Future<TrackingStore> future : stores) {
            assertThat(future.get(30, TimeUnit.SECONDS)).isNotNull();
          }
        } finally {
          pool.shutdownNow();
        }
        TrackingStore again = new TrackingStore(fresh.database(), "file:/tmp/a", clock);
        assertThat(again.searchExperiments(ExperimentSearch.all()).items())
            .extracting(Experiment::experimentId).containsExactly("0");
      }
    }

    @Test
    void createsWithDefaultLocationTimesAndTags() {
      String name = unique("created");
      String id = store.createExperiment(name, "", List.of(new ExperimentTag("team", "risk"),
          new ExperimentTag("area", "churn")));
      Experiment experiment = store.getExperiment(id);
      assertThat(experiment.name()).isEqualTo(name);
      assertThat(experiment.artifactLocation()).isEqualTo("mlflow-artifacts:/" + id);
      assertThat(experiment.creationTime()).isEqualTo(clock.millis());
      assertThat(experiment.lastUpdateTime()).isEqualTo(clock.millis());
      assertThat(experiment.tags()).containsExactly(new ExperimentTag("area", "churn"),
          new ExperimentTag("team", "risk"));
      assertThat(store.getExperimentByName(name)).isEqualTo(experiment);
    }

    @Test
    void keepsAnExplicitArtifactLocation() {
      String id = store.createExperiment(unique("located"), "s3://bucket/models", List.of());
      assertThat(store.getExperiment(id).artifactLocation()).isEqualTo("s3://bucket/models");
      Run run = newRun(id);
      assertThat(run.info().artifactUri())
          .isEqualTo("s3://bucket/models/" + run.info().runId() + "/artifacts");
    }

    @Test
    void refusesDuplicateNamesEvenOfDeletedExperiments() {
      String name = unique("dup");
      String id = store.createExperiment(name);
      assertMlflowError(() -> store.createExperiment(name), ErrorCode.RESOURCE_ALREADY_EXISTS,
          name);
      store.deleteExperiment(id);
      assertMlflowError(() -> store.createExperiment(name), ErrorCode.RESOURCE_ALREADY_EXISTS);
    }

    @Test
    void refusesInvalidNamesAndLocations() {
      assertMlflowError(() -> store.createExperiment(""), ErrorCode.INVALID_PARAMETER_VALUE,
          "Invalid experiment name");
      assertMlflowError(() -> store.createExperiment("x".repeat(501)),
          ErrorCode.INVALID_PARAMETER_VALUE, "500");
      assertMlflowError(() -> store.createExperiment(unique("e"), "runs:/abc/model", List.of()),
          ErrorCode.INVALID_PARAMETER_VALUE, "runs:/");
      assertMlflowError(() -> store.createExperiment(unique("e"), null,
          List.of(new ExperimentTag("bad key!", "v"))), ErrorCode.INVALID_PARAMETER_VALUE,
          "Invalid tag name: 'bad key!'");
    }

    @Test
    void unknownExperimentsAreNotFound() {
      assertMlflowError(() -> store.getExperiment("987654321"),
          ErrorCode.RESOURCE_DOES_NOT_EXIST, "No Experiment with id=987654321 exists");
      assertMlflowError(() -> store.getExperiment("abc"), ErrorCode.RESOURCE_DOES_NOT_EXIST);
      assertMlflowError(() -> store.getExperimentByName(unique("missing")),
          ErrorCode.RESOURCE_DOES_NOT_EXIST, "Could not find experiment with name");
      assertMlflowError(() -> store.deleteExperiment("987654321"),
          ErrorCode.RESOURCE_DOES_NOT_EXIST);
      assertMlflowError(() -> store.setExperimentTag("987654321", "k", "v"),
          ErrorCode.RESOURCE_DOES_NOT_EXIST);
    }

    @Test
    void renames() {
      String id = newExperiment();
      String taken = store.getExperiment(newExperiment()).name();
      long renamedAt = clock.advance(Duration.ofMillis(1000));
      String newName = unique("renamed");
      store.renameExperiment(id, newName);
      Experiment experiment = store.getExperiment(id);
      assertThat(experiment.name()).isEqualTo(newName);
      assertThat(experiment.lastUpdateTime()).isEqualTo(renamedAt);
      assertMlflowError(() -> store.renameExperiment(id, taken),
          ErrorCode.RESOURCE_ALREADY_EXISTS, taken);
      store.deleteExperiment(id);
      assertMlflowError(() -> store.renameExperiment(id, unique("x")), ErrorCode.INVALID_STATE,
          "non-active");
    }

    @Test
    void deleteAndRestoreTakeTheRunsAlong() {
      String id = newExperiment();
      Run kept = newRun(id);
      Run deletedBefore = newRun(id);
      store.deleteRun(deletedBefore.info().runId());
      clock.advance(Duration.ofMillis(10));
      store.deleteExperiment(id);
      assertThat(store.getExperiment(id).lifecycleStage()).isEqualTo(LifecycleStage.DELETED);
      assertThat(store.getRun(kept.info().runId()).info().lifecycleStage())
          .isEqualTo(LifecycleStage.DELETED);
      assertMlflowError(() -> store.deleteExperiment(id), ErrorCode.RESOURCE_DOES_NOT_EXIST);

      clock.advance(Duration.ofMillis(10));
      store.restoreExperiment(id);
      assertThat(store.getExperiment(id).lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);
      assertThat(store.getRun(kept.info().runId()).info().lifecycleStage())
          .isEqualTo(LifecycleStage.ACTIVE);
      assertThat(store.getRun(deletedBefore.info().runId()).info().lifecycleStage())
          .isEqualTo(LifecycleStage.DELETED);
      assertMlflowError(() -> store.restoreExperiment(id), ErrorCode.RESOURCE_DOES_NOT_EXIST);
    }

    @Test
    void setsAndReplacesTagsOfActiveExperimentsOnly() {
      String id = newExperiment();
      store.setExperimentTag(id, "owner", "bob");
      store.setExperimentTag(id, "owner", "carol");
      assertThat(store.getExperiment(id).tags()).containsExactly(
          new ExperimentTag("owner", "carol"));
      assertMlflowError(() -> store.setExperimentTag(id, "v", "x".repeat(5001)),
          ErrorCode.INVALID_PARAMETER_VALUE, "exceeded length limit of 5000");
      store.deleteExperiment(id);
      assertMlflowError(() -> store.setExperimentTag(id, "owner", "dave"),
          ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state");
    }

    @Test
    void searchFiltersOrdersAndPages() {
      String prefix = unique("search");
      List<String> ids = new ArrayList<>();
      for (String suffix : List.of("b", "a", "d", "c")) {
        clock.advance(Duration.ofMillis(1));
        ids.add(store.createExperiment(prefix + "-" + suffix, null,
            List.of(new ExperimentTag("letter", suffix))));
      }
      store.deleteExperiment(ids.get(3));
      ExperimentSearch mine = ExperimentSearch.all().withFilter("name LIKE '" + prefix + "%'");

      assertThat(names(store.searchExperiments(mine))).containsExactly(prefix + "-d",
          prefix + "-a", prefix + "-b");
      assertThat(names(store.searchExperiments(mine.withViewType(ViewType.DELETED_ONLY))))
          .containsExactly(prefix + "-c");
      assertThat(names(store.searchExperiments(mine.withViewType(ViewType.ALL)
          .withOrderBy("name ASC")))).containsExactly(prefix + "-a", prefix + "-b",
          prefix + "-c", prefix + "-d");
      assertThat(names(store.searchExperiments(ExperimentSearch.all().withFilter(
          "attribute.name ILIKE '" + prefix.toUpperCase() + "%' AND tags.letter != 'a'")
          .withOrderBy("attribute.name DESC")))).containsExactly(prefix + "-d", prefix + "-b");
      assertThat(names(store.searchExperiments(mine.withFilter("tags.letter = 'a' AND name"
          + " LIKE '" + prefix + "%'")))).containsExactly(prefix + "-a");
      assertThat(names(store.searchExperiments(mine.withFilter("creation_time > "
          + store.getExperiment(ids.get(1)).creationTime() + " AND name LIKE '" + prefix
          + "%'")))).containsExactly(prefix + "-d");

      Page<Experiment> first = store.searchExperiments(mine.withOrderBy("name")
          .withMaxResults(2));
      assertThat(names(first)).containsExactly(prefix + "-a", prefix + "-b");
      Page<Experiment> second = store.searchExperiments(mine.withOrderBy("name")
          .withMaxResults(2).withPageToken(first.nextPageToken()));
      assertThat(names(second)).containsExactly(prefix + "-d");
      assertThat(second.nextPageToken()).isNull();
    }

    @Test
    void searchRefusesBadRequests() {
      assertMlflowError(() -> store.searchExperiments(ExperimentSearch.all()
          .withMaxResults(50001)), ErrorCode.INVALID_PARAMETER_VALUE, "at most 50000");
      assertMlflowError(() -> store.searchExperiments(ExperimentSearch.all()
          .withPageToken("not base64!")), ErrorCode.INVALID_PARAMETER_VALUE, "page token");
      assertMlflowError(() -> store.searchExperiments(ExperimentSearch.all()
          .withFilter("metrics.acc > 1")), ErrorCode.INVALID_PARAMETER_VALUE,
          "unknown entity type 'metrics'");
      assertMlflowError(() -> store.searchExperiments(ExperimentSearch.all()
          .withFilter("name = ")), ErrorCode.INVALID_PARAMETER_VALUE, "position 7");
    }

    private List<String> names(Page<Experiment> page) {
      return page.items().stream().map(Experiment::name).toList();
    }
  }

  @Nested
  class Runs {
    @Test
    void createsWithMlflowFields() {
      String experimentId = newExperiment();
      long start = clock.advance(Duration.ofMillis(5));
      Run run = store.createRun(experimentId, "alice", "first", 1234L,
          List.of(new RunTag("source", "notebook")));
      RunInfo info = run.info();
      assertThat(info.runId()).matches("[0-9a-f]{32}");
      assertThat(info.runUuid()).isEqualTo(info.runId());
      assertThat(info.experimentId()).isEqualTo(experimentId);
      assertThat(info.userId()).isEqualTo("alice");
      assertThat(info.runName()).isEqualTo("first");
      assertThat(info.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(info.startTime()).isEqualTo(1234L);
      assertThat(info.endTime()).isNull();
      assertThat(info.artifactUri()).isEqualTo("mlflow-artifacts:/" + experimentId + "/"
          + info.runId() + "/artifacts");
      assertThat(info.lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);
      assertThat(run.data().tags()).containsExactly(new RunTag("mlflow.runName", "first"),
          new RunTag("source", "notebook"));
      assertThat(store.getRun(info.runId())).isEqualTo(run);
      assertThat(store.createRun(experimentId, null, null, null, List.of()).info().startTime())
          .isEqualTo(start);
    }

    @Test
    void namesRunsFromTheTagOrAtRandom() {
      String experimentId = newExperiment();
      Run generated = newRun(experimentId);
      assertThat(generated.info().runName()).matches("[a-z]+-[a-z]+-\\d+");
      assertThat(generated.data().tag("mlflow.runName")).isEqualTo(generated.info().runName());
      Run tagged = store.createRun(experimentId, null, null, null,
          List.of(new RunTag("mlflow.runName", "from-tag")));
      assertThat(tagged.info().runName()).isEqualTo("from-tag");
      assertMlflowError(() -> store.createRun(experimentId, null, "a", null,
          List.of(new RunTag("mlflow.runName", "b"))), ErrorCode.INVALID_PARAMETER_VALUE,
          "run_name='a'", "mlflow.runName='b'");
    }

    @Test
    void createsInTheDefaultExperimentAndOnlyInActiveOnes() {
      assertThat(store.createRun(null, null, null, null, List.of()).info().experimentId())
          .isEqualTo("0");
      String experimentId = newExperiment();
      store.deleteExperiment(experimentId);
      assertMlflowError(() -> newRun(experimentId), ErrorCode.INVALID_PARAMETER_VALUE,
          "must be in the 'active' state");
      assertMlflowError(() -> newRun("987654321"), ErrorCode.RESOURCE_DOES_NOT_EXIST);
    }

    @Test
    void unknownRunsAreNotFound() {
      String missing = "0123456789abcdef0123456789abcdef";
      assertMlflowError(() -> store.getRun(missing), ErrorCode.RESOURCE_DOES_NOT_EXIST,
          "Run with id=" + missing + " not found");
      assertMlflowError(() -> store.logParam(missing, new Param("a", "b")),
          ErrorCode.RESOURCE_DOES_NOT_EXIST);
      assertMlflowError(() -> store.deleteRun(missing), ErrorCode.RESOURCE_DOES_NOT_EXIST);
      assertMlflowError(() -> store.getMetricHistory(missing, "m", null, null),
          ErrorCode.RESOURCE_DOES_NOT_EXIST);
    }

    @Test
    void updatesStatusEndTimeAndName() {
      Run run = newRun(newExperiment());
      String runId = run.info().runId();
      RunInfo finished = store.updateRun(runId, RunStatus.FINISHED, 99L, null);
      assertThat(finished.status()).isEqualTo(RunStatus.FINISHED);
      assertThat(finished.endTime()).isEqualTo(99L);
      assertThat(finished.runName()).isEqualTo(run.info().runName());
      store.updateRun(runId, null, null, "renamed");
      Run stored = store.getRun(runId);
      assertThat(stored.info()).isEqualTo(new RunInfo(runId, run.info().experimentId(),
          "renamed", "alice", RunStatus.FINISHED, run.info().startTime(), 99L,
          run.info().artifactUri(), LifecycleStage.ACTIVE));
      assertThat(stored.data().tag("mlflow.runName")).isEqualTo("renamed");
    }

    @Test
    void deletedRunsAreReadableButRefuseWrites() {
      String experimentId = newExperiment();
      String runId = newRun(experimentId).info().runId();
      store.deleteRun(runId);
      store.deleteRun(runId);
      assertThat(store.getRun(runId).info().lifecycleStage()).isEqualTo(LifecycleStage.DELETED);
      for (ThrowingCallable write : List.<ThrowingCallable>of(
          () -> store.logMetric(runId, new Metric("m", 1, 1, 0)),
          () -> store.logParam(runId, new Param("p", "v")),
          () -> store.setTag(runId, new RunTag("t", "v")),
          () -> store.deleteTag(runId, "mlflow.runName"),
          () -> store.updateRun(runId, RunStatus.FAILED, null, null))) {
        assertMlflowError(write, ErrorCode.INVALID_PARAMETER_VALUE,
            "must be in the 'active' state");
      }
      store.restoreRun(runId);
      store.logParam(runId, new Param("p", "v"));
      assertThat(store.getRun(runId).data().params()).containsExactly(new Param("p", "v"));
    }

    @Test
    void runsOfDeletedExperimentsStayDeleted() {
      String experimentId = newExperiment();
      String runId = newRun(experimentId).info().runId();
      store.deleteExperiment(experimentId);
      assertMlflowError(() -> store.logMetric(runId, new Metric("m", 1, 1, 0)),
          ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state");
      assertMlflowError(() -> store.restoreRun(runId), ErrorCode.INVALID_PARAMETER_VALUE,
          "experiment " + experimentId + " must be in the 'active' state");
    }
  }

  @Nested
  class Logging {
    @Test
    void paramsAreImmutable() {
      String runId = newRun(newExperiment()).info().runId();
      store.logParam(runId, new Param("depth", "3"));
      store.logParam(runId, new Param("depth", "3"));
      assertMlflowError(() -> store.logParam(runId, new Param("depth", "5")),
          ErrorCode.INVALID_PARAMETER_VALUE, "key='depth'", "value='3'", "new value '5'");
      assertThat(store.getRun(runId).data().params()).containsExactly(new Param("depth", "3"));
    }

    @Test
    void keepsHistoryAndTheLatestByStepThenTimestampThenValue() {
      String runId = newRun(newExperiment()).info().runId();
      store.logMetric(runId, new Metric("loss", 0.9, 100, 1));
      store.logMetric(runId, new Metric("loss", 0.5, 50, 2));
      store.logMetric(runId, new Metric("loss", 0.7, 10, 0));
      store.logMetric(runId, new Metric("loss", 0.5, 50, 2));
      assertThat(latest(runId, "loss")).isEqualTo(new Metric("loss", 0.5, 50, 2));
      store.logMetric(runId, new Metric("loss", 0.4, 60, 2));
      assertThat(latest(runId, "loss")).isEqualTo(new Metric("loss", 0.4, 60, 2));
      store.logMetric(runId, new Metric("loss", 0.45, 60, 2));
      assertThat(latest(runId, "loss")).isEqualTo(new Metric("loss", 0.45, 60, 2));
      assertThat(store.getMetricHistory(runId, "loss", null, null).items())
          .extracting(Metric::timestamp, Metric::step, Metric::value)
          .containsExactly(tuple(10L, 0L, 0.7), tuple(50L, 2L, 0.5), tuple(60L, 2L, 0.4),
              tuple(60L, 2L, 0.45), tuple(100L, 1L, 0.9));
    }

    @Test
    void acceptsNanAndInfinity() {
      String runId = newRun(newExperiment()).info().runId();
      store.logBatch(runId, List.of(new Metric("nan", Double.NaN, 1, 0),
          new Metric("nan", Double.NaN, 1, 0), new Metric("zero", 0.0, 1, 0),
          new Metric("zero", Double.NaN, 1, 0), new Metric("inf", Double.POSITIVE_INFINITY, 1, 0),
          new Metric("ninf", Double.NEGATIVE_INFINITY, 1, 0)), List.of(), List.of());
      store.logMetric(runId, new Metric("nan", Double.NaN, 1, 0));
      assertThat(store.getRun(runId).data().metrics()).extracting(Metric::key, Metric::value)
          .containsExactly(tuple("inf", Double.POSITIVE_INFINITY), tuple("nan", Double.NaN),
              tuple("ninf", Double.NEGATIVE_INFINITY), tuple("zero", Double.NaN));
      assertThat(store.getMetricHistory(runId, "nan", null, null).items()).hasSize(1);
      assertThat(store.getMetricHistory(runId, "zero", null, null).items())
          .extracting(Metric::value).containsExactly(0.0, Double.NaN);
    }

    @Test
    void pagesMetricHistory() {
      String runId = newRun(newExperiment()).info().runId();
      List<Metric> metrics = IntStream.range(0, 5)
          .mapToObj(step -> new Metric("acc", step / 10.0, 1000 + step, step)).toList();
      store.logBatch(runId, metrics, List.of(), List.of());
      Page<Metric> first = store.getMetricHistory(runId, "acc", 2, null);
      Page<Metric> second = store.getMetricHistory(runId, "acc", 2, first.nextPageToken());
      Page<Metric> third = store.getMetricHistory(runId, "acc", 2, second.nextPageToken());
      List<Metric> all = new ArrayList<>(first.items());
      all.addAll(second.items());
      all.addAll(third.items());
      assertThat(all).isEqualTo(metrics);
      assertThat(third.nextPageToken()).isNull();
      assertThat(store.getMetricHistory(runId, "absent", null, null).items()).isEmpty();
    }

    @Test
    void batchesAreAllOrNothing() {
      String runId = newRun(newExperiment()).info().runId();
      store.logParam(runId, new Param("lr", "0.1"));
      assertMlflowError(() -> store.logBatch(runId, List.of(new Metric("m", 1, 1, 0)),
          List.of(new Param("new", "x"), new Param("lr", "0.2")), List.of(new RunTag("t", "v"))),
          ErrorCode.INVALID_PARAMETER_VALUE, "key='lr'");
      Run run = store.getRun(runId);
      assertThat(run.data().metrics()).isEmpty();
      assertThat(run.data().params()).containsExactly(new Param("lr", "0.1"));
      assertThat(run.data().tag("t")).isNull();

      store.logBatch(runId, List.of(new Metric("m", 1, 1, 0), new Metric("m", 2, 2, 0)),
          List.of(new Param("a", "1"), new Param("a", "1")),
          List.of(new RunTag("t", "old"), new RunTag("t", "new")));
      run = store.getRun(runId);
      assertThat(run.data().metrics()).containsExactly(new Metric("m", 2, 2, 0));
      assertThat(run.data().params()).containsExactly(new Param("a", "1"),
          new Param("lr", "0.1"));
      assertThat(run.data().tag("t")).isEqualTo("new");
      assertMlflowError(() -> store.logBatch(runId, List.of(),
          List.of(new Param("b", "1"), new Param("b", "2")), List.of()),
          ErrorCode.INVALID_PARAMETER_VALUE, "Duplicate parameter keys", "[b]");
    }

    @Test
    void enforcesBatchLimits() {
      String runId = newRun(newExperiment()).info().runId();
      List<Metric> metrics = IntStream.range(0, 1001)
          .mapToObj(i -> new Metric("m", i, i, i)).toList();
      List<Param> params = IntStream.range(0, 101).mapToObj(i -> new Param("p" + i, "v"))
          .toList();
      List<RunTag> tags = IntStream.range(0, 101).mapToObj(i -> new RunTag("t" + i, "v"))
          .toList();
      assertMlflowError(() -> store.logBatch(runId, metrics, List.of(), List.of()),
          ErrorCode.INVALID_PARAMETER_VALUE, "at most 1000 metrics. Got 1001 metrics");
      assertMlflowError(() -> store.logBatch(runId, List.of(), params, List.of()),
          ErrorCode.INVALID_PARAMETER_VALUE, "at most 100 params. Got 101 params");
      assertMlflowError(() -> store.logBatch(runId, List.of(), List.of(), tags),
          ErrorCode.INVALID_PARAMETER_VALUE, "at most 100 tags. Got 101 tags");
      assertMlflowError(() -> store.logBatch(runId, metrics.subList(0, 950),
          params.subList(0, 60), List.of()), ErrorCode.INVALID_PARAMETER_VALUE,
          "at most 1000 metrics, params, and tags. Got 1010");
      store.logBatch(runId, metrics.subList(0, 1000), List.of(), List.of());
      assertThat(store.getMetricHistory(runId, "m", null, null).items()).hasSize(1000);
    }

    @Test
    void validatesKeysAndLengths() {
      String runId = newRun(newExperiment()).info().runId();
      store.logBatch(runId, List.of(new Metric("train/loss-1.5 x_y", 1, 1, 0)),
          List.of(new Param("über", "ok")), List.of(new RunTag("a..b", "ok")));
      for (String bad : List.of("", "a!", "../x", "a/../b", "/abs", "a//b", "a/", ".")) {
        assertMlflowError(() -> store.logMetric(runId, new Metric(bad, 1, 1, 0)),
            ErrorCode.INVALID_PARAMETER_VALUE, "Invalid metric name: '" + bad + "'");
      }
      assertMlflowError(() -> store.logParam(runId, new Param("k".repeat(251), "v")),
          ErrorCode.INVALID_PARAMETER_VALUE, "exceeded length limit of 250");
      assertMlflowError(() -> store.logParam(runId, new Param("long", "v".repeat(6001))),
          ErrorCode.INVALID_PARAMETER_VALUE, "exceeded length limit of 6000");
      assertMlflowError(() -> store.setTag(runId, new RunTag("long", "v".repeat(8001))),
          ErrorCode.INVALID_PARAMETER_VALUE, "exceeded length limit of 8000");
      assertMlflowError(() -> store.setTag(runId, new RunTag("mlflow.runName", "n".repeat(251))),
          ErrorCode.INVALID_PARAMETER_VALUE, "Run name");
      assertMlflowError(() -> store.logMetric(runId, new Metric("m", 1, -1, 0)),
          ErrorCode.INVALID_PARAMETER_VALUE, "Timestamp must be a nonnegative");
    }

    @Test
    void setsAndDeletesTags() {
      String runId = newRun(newExperiment()).info().runId();
      store.setTag(runId, new RunTag("stage", "dev"));
      store.setTag(runId, new RunTag("stage", "prod"));
      store.setTag(runId, new RunTag("mlflow.runName", "by-tag"));
      Run run = store.getRun(runId);
      assertThat(run.data().tag("stage")).isEqualTo("prod");
      assertThat(run.info().runName()).isEqualTo("by-tag");
      store.deleteTag(runId, "stage");
      assertThat(store.getRun(runId).data().tag("stage")).isNull();
      assertMlflowError(() -> store.deleteTag(runId, "stage"), ErrorCode.RESOURCE_DOES_NOT_EXIST,
          "No tag with name: stage");
    }

    @Test
    void concurrentWritersKeepParamsImmutableAndLatestMetricsRight() throws Exception {
      String runId = newRun(newExperiment()).info().runId();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Callable<Boolean>> paramWriters = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          String value = "v" + i;
          paramWriters.add(() -> {
            try {
              store.logParam(runId, new Param("seed", value));
              return true;
            } catch (MlflowException e) {
              return false;
            }
          });
        }
        List<Boolean> accepted = new ArrayList<>();
        for (Future<Boolean> result : pool.invokeAll(paramWriters, 60, TimeUnit.SECONDS)) {
          accepted.add(result.get());
        }
        assertThat(Collections.frequency(accepted, true)).isEqualTo(1);

        List<Callable<Void>> metricWriters = new ArrayList<>();
        for (int step = 0; step < 20; step++) {
          long fixedStep = step;
          metricWriters.add(() -> {
            store.logMetric(runId, new Metric("acc", fixedStep, 1, fixedStep));
            return null;
          });
        }
        for (Future<Void> result : pool.invokeAll(metricWriters, 60, TimeUnit.SECONDS)) {
          result.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(latest(runId, "acc")).isEqualTo(new Metric("acc", 19, 1, 19));
      assertThat(store.getMetricHistory(runId, "acc", null, null).items()).hasSize(20);
    }

    private Metric latest(String runId, String key) {
      return store.getRun(runId).data().metrics().stream()
          .filter(metric -> metric.key().equals(key)).findFirst().orElseThrow();
    }
  }

  @Nested
  class SearchRuns {
    private String experimentId;
    private String fast;
    private String slow;
    private String noisy;
    private String untouched;

    /**
     * Four runs: three trained with different models, one that logged nothing. Strings that
     * are sorted differ in more than case, so that H2's and PostgreSQL's collations agree.
     */
    private void createRuns() {
      experimentId = newExperiment();
      fast = run("fast", 1000, 0.9, "xgb", "prod", RunStatus.FINISHED);
      slow = run("slow", 2000, 0.7, "linear", "dev", RunStatus.FAILED);
      noisy = run("noisy", 3000, Double.NaN, "xgb-Boost", "qa", null);
      untouched = store.createRun(experimentId, "bob", "untouched", 4000L, List.of())
          .info().runId();
    }

    private String run(String name, long start, double accuracy, String model, String stage,
        RunStatus status) {
      String runId = store.createRun(experimentId, "alice", name, start, List.of())
          .info().runId();
      store.logBatch(runId, List.of(new Metric("acc", accuracy, 1, 0),
          new Metric("f1 score", accuracy / 2, 1, 0)), List.of(new Param("model", model)),
          List.of(new RunTag("stage", stage)));
      if (status != null) {
        store.updateRun(runId, status, start + 500, null);
      }
      return runId;
    }

    private List<String> search(String filter, String... orderBy) {
      return store.searchRuns(RunSearch.in(experimentId).withFilter(filter)
          .withOrderBy(orderBy)).items().stream().map(run -> run.info().runId()).toList();
    }

    @Test
    void filtersOnEveryKindOfField() {
      createRuns();
      assertThat(search(null)).containsExactly(untouched, noisy, slow, fast);
      assertThat(search("metrics.acc > 0.8")).containsExactly(fast);
      assertThat(search("metrics.acc >= 0.7 and metrics.acc <= 0.7")).containsExactly(slow);
      assertThat(search("metric.acc != 0.9")).containsExactly(noisy, slow);
      assertThat(search("metrics.`f1 score` < 0.4")).containsExactly(slow);
      assertThat(search("metrics.\"f1 score\" = 0.45")).containsExactly(fast);
      assertThat(search("params.model = 'xgb'")).containsExactly(fast);
      assertThat(search("params.model != 'xgb'")).containsExactly(noisy, slow);
      assertThat(search("params.model LIKE '%B%'")).containsExactly(noisy);
      assertThat(search("param.model ILIKE 'XGB%'")).containsExactly(noisy, fast);
      assertThat(search("tags.stage IN ('prod', 'dev')")).containsExactly(slow, fast);
      assertThat(search("tags.stage NOT IN ('prod')")).containsExactly(noisy, slow);
      assertThat(search("tags.\"mlflow.runName\" = \"slow\"")).containsExactly(slow);
      assertThat(search("attributes.status = 'FINISHED'")).containsExactly(fast);
      assertThat(search("status != 'RUNNING'")).containsExactly(slow, fast);
      assertThat(search("attributes.run_name IN ('fast', 'untouched')"))
          .containsExactly(untouched, fast);
      assertThat(search("attributes.`Run name` = 'noisy'")).containsExactly(noisy);
      assertThat(search("attributes.start_time >= 2000 AND attributes.start_time < 4000"))
          .containsExactly(noisy, slow);
      assertThat(search("attributes.end_time > 1500")).containsExactly(slow);
      assertThat(search("attributes.user_id = 'bob'")).containsExactly(untouched);
      assertThat(search("attributes.run_id = '" + slow + "'")).containsExactly(slow);
      assertThat(search("attributes.artifact_uri LIKE '%" + fast + "%'")).containsExactly(fast);
      assertThat(search("attributes.lifecycle_stage = 'active' AND params.model = 'linear'"
          + " AND metrics.acc < 1 AND tags.stage = 'dev'")).containsExactly(slow);
    }

    @Test
    void ordersLikeMlflow() {
      createRuns();
      assertThat(search(null, "metrics.acc DESC")).containsExactly(fast, slow, noisy,
          untouched);
      assertThat(search(null, "metrics.acc")).containsExactly(slow, fast, noisy, untouched);
      assertThat(search(null, "params.model ASC")).containsExactly(slow, fast, noisy,
          untouched);
      assertThat(search(null, "tags.stage DESC", "attributes.start_time ASC"))
          .containsExactly(noisy, fast, slow, untouched);
      assertThat(search(null, "attributes.start_time ASC")).containsExactly(fast, slow, noisy,
          untouched);
      assertThat(search(null, "attributes.end_time DESC")).containsExactly(slow, fast, untouched,
          noisy);
      assertThat(search(null, "metrics.`f1 score` ASC")).containsExactly(slow, fast, noisy,
          untouched);
    }

    @Test
    void pagesAndSeesLifecycleStages() {
      createRuns();
      store.deleteRun(slow);
      RunSearch search = RunSearch.in(experimentId).withMaxResults(2);
      Page<Run> first = store.searchRuns(search);
      Page<Run> second = store.searchRuns(search.withPageToken(first.nextPageToken()));
      assertThat(first.items()).extracting(run -> run.info().runId())
          .containsExactly(untouched, noisy);
      assertThat(second.items()).extracting(run -> run.info().runId()).containsExactly(fast);
      assertThat(second.nextPageToken()).isNull();
      assertThat(store.searchRuns(RunSearch.in(experimentId).withViewType(ViewType.DELETED_ONLY))
          .items()).extracting(run -> run.info().runId()).containsExactly(slow);
      assertThat(store.searchRuns(RunSearch.in(experimentId).withViewType(ViewType.ALL))
          .items()).hasSize(4);
      assertThat(store.searchRuns(RunSearch.in()).items()).isEmpty();
    }

    @Test
    void returnsRunsWithTheirData() {
      createRuns();
      Run found = store.searchRuns(RunSearch.in(experimentId, "0")
          .withFilter("params.model = 'xgb'")).items().get(0);
      assertThat(found).isEqualTo(store.getRun(fast));
      assertThat(found.data().metrics()).extracting(Metric::key).containsExactly("acc",
          "f1 score");
    }

    @Test
    void refusesMalformedRequests() {
      assertMlflowError(() -> store.searchRuns(RunSearch.in("0").withFilter("metrics.acc >")),
          ErrorCode.INVALID_PARAMETER_VALUE, "expected a number", "at the end");
      assertMlflowError(() -> store.searchRuns(RunSearch.in("0").withFilter(
          "params.model = 'a' OR params.model = 'b'")), ErrorCode.INVALID_PARAMETER_VALUE,
          "OR is not supported", "position 19");
      assertMlflowError(() -> store.searchRuns(RunSearch.in("0").withOrderBy("metrics.acc UP")),
          ErrorCode.INVALID_PARAMETER_VALUE, "order_by", "'UP'");
      assertMlflowError(() -> store.searchRuns(RunSearch.in("abc")),
          ErrorCode.INVALID_PARAMETER_VALUE, "Invalid experiment ID: 'abc'");
      assertMlflowError(() -> store.searchRuns(RunSearch.in("0").withMaxResults(0)),
          ErrorCode.INVALID_PARAMETER_VALUE, "positive integer");
      assertMlflowError(() -> store.searchRuns(RunSearch.in("0").withMaxResults(50001)),
          ErrorCode.INVALID_PARAMETER_VALUE, "at most 50000");
    }
  }
}
