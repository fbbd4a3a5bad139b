package dev.slipway.batch.pipeline;

import static dev.slipway.batch.BatchInput.identifier;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.slipway.batch.BatchInput;
import dev.slipway.batch.BatchJobException;
import dev.slipway.batch.ModelArtifact;
import dev.slipway.batch.ScoringRequest;
import dev.slipway.batch.ScoringSummary;
import dev.slipway.batch.ScoringWorkspace;
import dev.slipway.batch.pipeline.PipelineRun.Trigger;
import dev.slipway.batch.pipeline.PipelineSpec.Source;
import dev.slipway.batch.pipeline.internal.JdbcSource;
import dev.slipway.batch.pipeline.internal.JdbcTableSink;
import dev.slipway.batch.pipeline.internal.OnlineScoreSink;
import dev.slipway.batch.pipeline.internal.ParquetDatasetSink;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.core.runtime.RuntimeOptions;
import dev.slipway.features.DataSource;
import dev.slipway.features.Entity;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureView;
import dev.slipway.features.offline.OfflineStore;
import dev.slipway.features.online.ScoreStore;
import dev.slipway.registry.models.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs batch pipelines: picks the window of rows not scored yet (after the pipeline's watermark),
 * resolves the registry model as it is now, scores the window on the pipeline's engine, writes
 * every sink, and records the run. Runs of one pipeline never overlap; a failed attempt is
 * retried with exponential backoff; a client's mistake (a bad spec, a missing column) is not.
 */
public final class PipelineRunner {
  private static final Logger log = LoggerFactory.getLogger(PipelineRunner.class);

  private final ModelRegistry registry;
  private final RunHistory history;
  private final FeatureDefinitions features;
  private final ScoreStore scoreStore;
  private final SparkEngine spark;
  private final Path workDir;
  private final Path quarantineDir;
  private final Clock clock;

  /**
   * @param features the project's feature definitions, for feature-view sources; may be null
   * @param scoreStore where online sinks write; may be null when no pipeline has one
   * @param spark how Spark jobs are submitted; may be null when no pipeline uses Spark
   */
  public PipelineRunner(ModelRegistry registry, RunHistory history, FeatureDefinitions features,
      ScoreStore scoreStore, SparkEngine spark, Path workDir, Path quarantineDir, Clock clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.history = Objects.requireNonNull(history, "history");
    this.features = features;
    this.scoreStore = scoreStore;
    this.spark = spark;
    this.workDir = Objects.requireNonNull(workDir, "workDir");
    this.quarantineDir = Objects.requireNonNull(quarantineDir, "quarantineDir");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public RunHistory history() {
    return history;
  }

  /**
   * Runs {@code spec} over the rows after its watermark up to now.
   *
   * @throws PipelineBusyException when a run of the pipeline is in progress
   */
  public PipelineRun run(PipelineSpec spec, Trigger trigger) {
    return complete(spec, begin(spec, trigger, nextWindow(spec)));
  }

  /**
   * Runs {@code spec} over {@code window}; re-running a window replaces what its earlier run
   * wrote. The returned run is SUCCEEDED or FAILED (with the reason); a failed run publishes
   * nothing to the Parquet dataset or the JDBC table (the online store may hold some of its
   * scores, which a later run overwrites).
   *
   * @throws PipelineBusyException when a run of the pipeline is in progress
   */
  public PipelineRun run(PipelineSpec spec, Trigger trigger, Window window) {
    checkRequested(window);
    return complete(spec, begin(spec, trigger, window));
  }

  /**
   * Refuses a window asked for by hand that ends after now: its run would move the watermark
   * past rows not written yet, and no later run would score them.
   *
   * @throws InvalidInputException naming the window's end
   */
  public void checkRequested(Window window) {
    // The run history keeps milliseconds: a finer bound would be cut, and could make the
    // window empty (start = end) or move its edge past rows it was meant to hold.
    for (Instant bound : new Instant[] {window.start(), window.end()}) {
      if (bound != null && bound.getNano() % 1_000_000 != 0) {
        throw new InvalidInputException((bound == window.end() ? "end: " : "start: ") + bound
            + " is finer than the milliseconds the run history keeps");
      }
    }
    Instant now = clock.instant();
    if (window.end().isAfter(now)) {
      throw new InvalidInputException("end: " + window.end() + " is after now (" + now
          + "); a window may not end in the future");
    }
  }

  /** The window a run started now would score: after the watermark, up to now. */
  public Window nextWindow(PipelineSpec spec) {
    Instant start = history.watermark(spec.name()).orElse(null);
    Instant now = clock.instant();
    // A watermark ahead of this clock (another machine's, running fast) gives an empty window,
    // never one that starts again from the beginning.
    Instant end = start != null && start.isAfter(now) ? start : now;
    return new Window(start, end);
  }

  /**
   * Records a run of {@code spec} as started and makes it the pipeline's holder; {@link
   * #complete} does the work.
   *
   * @throws PipelineBusyException when a run of the pipeline is in progress
   * @throws InvalidInputException when the spec needs something this runner lacks
   */
  public PipelineRun begin(PipelineSpec spec, Trigger trigger, Window window) {
    checkRunnable(spec);
    return history.start(spec.name(), trigger, window.start(), window.end());
  }

  /** Scores and writes a begun run, with retries; returns it SUCCEEDED or FAILED. */
  public PipelineRun complete(PipelineSpec spec, PipelineRun run) {
    Window window = new Window(run.windowStart(), run.windowEnd());
    RetryPolicyBuilder<ScoringSummary> retries = RetryPolicy.<ScoringSummary>builder()
        .handle(Exception.class)
        .abortOn(InvalidInputException.class)
        .withMaxRetries(spec.retries())
        .onRetry(event -> log.warn("pipeline {} run {}: attempt {} failed ({}), retrying",
            spec.name(), run.id(), event.getAttemptCount(),
            event.getLastException().getMessage()));
    if (!spec.retryBackoff().isZero() && !spec.retryBackoff().isNegative()) {
      retries.withBackoff(spec.retryBackoff(), spec.retryBackoff().multipliedBy(64), 2.0);
    }
    try {
      ScoringSummary summary = Failsafe.with(retries.build()).get(() -> attempt(spec, run, window));
      return history.succeed(run.id(), summary.scored(), summary.quarantined());
    } catch (FailsafeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      log.error("pipeline {} run {} failed: {}", spec.name(), run.id(), message(cause));
      return history.fail(run.id(), message(cause));
    } catch (RuntimeException e) {
      log.error("pipeline {} run {} failed: {}", spec.name(), run.id(), message(e));
      return history.fail(run.id(), message(e));
    }
  }

  private ScoringSummary attempt(PipelineSpec spec, PipelineRun run, Window window) {
    ModelArtifact model = ModelArtifact.resolve(spec.model(), registry);
    history.attempt(run.id(), model.name(), model.version());
    try (ScoringWorkspace workspace = ScoringWorkspace.create(workDir)) {
      Plan plan = plan(spec, workspace, window);
      ScoringRequest request = new ScoringRequest(plan.input(), plan.keys(), plan.features(),
          model.name(), model.version(), ScoringRequest.DEFAULT_BATCH_SIZE);
      ScoringSummary summary;
      if (spec.engine() == PipelineSpec.Engine.SPARK) {
        summary = spark.score(workspace, request, model, workDir);
      } else {
        try (Model loaded = ModelLoader.withInstalledRuntimes().load(model.path(),
            RuntimeOptions.DEFAULT)) {
          summary = workspace.score(request, loaded, rows -> {});
        }
      }
      writeSinks(spec, workspace, window, run.id());
      keepQuarantine(spec, workspace, plan.input(), window, summary);
      log.info("pipeline {} run {}: window {}, {} rows scored, {} quarantined, model {} v{}",
          spec.name(), run.id(), window.label(), summary.scored(), summary.quarantined(),
          model.name(), model.version());
      return summary;
    }
  }

  private void writeSinks(PipelineSpec spec, ScoringWorkspace workspace, Window window,
      long runId) {
    PipelineSpec.Sinks sinks = spec.sinks();
    // A failed run publishes nothing to the dataset or the table, so that the next run (whose
    // window starts at the same watermark) does not add its rows a second time: the partition
    // is staged first and renamed into place last, the table written in one transaction, after
    // the online store, whose writes a later run overwrites entity by entity.
    ParquetDatasetSink.Staged partition = sinks.parquet() == null ? null
        : ParquetDatasetSink.stage(workspace, sinks.parquet(), window);
    try {
      if (sinks.online() != null) {
        OnlineScoreSink.write(workspace, scoreStore, sinks.online(), window, clock.instant());
      }
      if (sinks.jdbc() != null) {
        JdbcTableSink.write(workspace, sinks.jdbc(), window, runId);
      }
    } catch (RuntimeException e) {
      if (partition != null) {
        partition.discard();
      }
      throw e;
    }
    if (partition != null) {
      partition.publish();
    }
  }

  /**
   * Keeps the rows a run set aside, with their keys and reasons, in {@code
   * QUARANTINE_DIR/PIPELINE/window=LABEL.csv}; a re-run of the window that sets none aside
   * removes its file.
   */
  private void keepQuarantine(PipelineSpec spec, ScoringWorkspace workspace, BatchInput input,
      Window window, ScoringSummary summary) {
    Path file = quarantineDir.resolve(spec.name()).resolve("window=" + window.label() + ".csv");
    if (summary.quarantined() > 0) {
      workspace.exportQuarantine(file, input);
      log.warn("pipeline {}: {} rows of window {} set aside, with their reasons, in {}",
          spec.name(), summary.quarantined(), window.label(), file);
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new BatchJobException("cannot remove the stale quarantine file " + file + ": "
          + e.getMessage(), e);
    }
  }

  private static void checkTimestamp(String column, Map<String, String> columns,
      String source) {
    String type = columns.get(column);
    if (type == null) {
      throw new InvalidInputException("timestamp column '" + column + "': not in " + source
          + " (columns: " + columns.keySet() + ")");
    }
    if (!type.startsWith("TIMESTAMP") && !type.equals("DATE")) {
      throw new InvalidInputException("timestamp column '" + column + "' of " + source + " is "
          + type + " (expected a TIMESTAMP or DATE column)");
    }
  }

  /** What the engine reads: the source's rows in the window, its keys and features. */
  private record Plan(BatchInput input, List<String> keys, List<String> features) {}

  private Plan plan(PipelineSpec spec, ScoringWorkspace workspace, Window window) {
    Source source = spec.source();
    if (source instanceof Source.File file) {
      BatchInput input = BatchInput.file(file.path());
      if (spec.timestamp() != null) {
        checkTimestamp(spec.timestamp(), workspace.describe(input), input.description());
      }
      return new Plan(spec.timestamp() == null ? input
          : input.where(window.condition(identifier(spec.timestamp()))),
          keysWithTimestamp(spec.keys(), spec.timestamp()), spec.features());
    }
    if (source instanceof Source.Jdbc jdbc) {
      return new Plan(JdbcSource.load(workspace, jdbc.url(), jdbc.query(), spec.timestamp(),
          window), keysWithTimestamp(spec.keys(), spec.timestamp()), spec.features());
    }
    return featureViewPlan(spec, (Source.FeatureView) source, window);
  }

  /**
   * A feature view's offline rows in the window, the latest per entity (what the online store
   * would hold at the window's end), keyed by the entity's join keys.
   */
  private Plan featureViewPlan(PipelineSpec spec, Source.FeatureView source, Window window) {
    FeatureView view = features.featureViews().get(source.name());
    DataSource data = features.sources().get(view.source());
    List<String> joinKeys = new ArrayList<>();
    for (String entity : view.entities()) {
      for (Entity.JoinKey key : features.entities().get(entity).joinKeys()) {
        joinKeys.add(key.name());
      }
    }
    String timestamp = identifier(data.timestampField());
    String partition = String.join(", ", joinKeys.stream().map(BatchInput::identifier).toList());
    String relation = "(SELECT * FROM " + OfflineStore.sourceRelation(data) + " WHERE "
        + window.condition(timestamp) + " QUALIFY row_number() OVER (PARTITION BY " + partition
        + " ORDER BY " + timestamp + " DESC) = 1 ORDER BY " + partition + ")";
    List<String> keys = spec.keys().isEmpty() ? joinKeys : spec.keys();
    List<String> featureNames = spec.features().isEmpty()
        ? view.features().stream().map(Feature::name).toList() : spec.features();
    return new Plan(new BatchInput(relation, "feature view '" + view.name() + "'"),
        keysWithTimestamp(keys, data.timestampField()), featureNames);
  }

  private static List<String> keysWithTimestamp(List<String> keys, String timestamp) {
    if (timestamp == null || keys.isEmpty() || keys.contains(timestamp)) {
      return keys;
    }
    List<String> withTimestamp = new ArrayList<>(keys);
    withTimestamp.add(timestamp);
    return withTimestamp;
  }

  private void checkRunnable(PipelineSpec spec) {
    if (spec.source() instanceof Source.FeatureView view) {
      if (features == null) {
        throw new InvalidInputException("pipeline '" + spec.name() + "': source feature_view '"
            + view.name() + "' needs the feature definitions (--features features.yaml)");
      }
      if (!features.featureViews().containsKey(view.name())) {
        throw new InvalidInputException("pipeline '" + spec.name() + "': no feature view '"
            + view.name() + "' in " + features.file() + " (views: "
            + features.featureViews().keySet() + ")");
      }
    }
    if (spec.sinks().online() != null && scoreStore == null) {
      throw new InvalidInputException("pipeline '" + spec.name() + "': the online sink needs"
          + " an online store (--online-store)");
    }
    boolean keyed = spec.keyed();
    if (spec.sinks().online() != null && !keyed) {
      throw new InvalidInputException("pipeline '" + spec.name() + "': the online sink needs"
          + " key (its first column identifies the entity)");
    }
    if (spec.engine() == PipelineSpec.Engine.SPARK && !keyed) {
      throw new InvalidInputException("pipeline '" + spec.name() + "': engine spark needs key"
          + " (the columns copied to the output)");
    }
    if (spec.engine() == PipelineSpec.Engine.SPARK && spark == null) {
      throw new InvalidInputException("pipeline '" + spec.name() + "': engine spark needs"
          + " spark-submit (set SPARK_HOME or --spark-submit)");
    }
  }

  private static String message(Throwable error) {
    String message = error.getMessage();
    return message == null ? error.getClass().getSimpleName() : message;
  }
}
