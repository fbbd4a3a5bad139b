package dev.slipway.app.internal;

import dev.slipway.batch.pipeline.PipelineRunner;
import dev.slipway.batch.pipeline.PipelineScheduler;
import dev.slipway.batch.pipeline.PipelineSpec;
import dev.slipway.batch.pipeline.Pipelines;
import dev.slipway.batch.pipeline.RunHistory;
import dev.slipway.batch.pipeline.SparkEngine;
import dev.slipway.core.SlipwayException;
import dev.slipway.features.Entity;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureView;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.ScoreStore;
import dev.slipway.registry.Registry;
import dev.slipway.serving.ScoreDeployment;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batch pipelines wired to one registry: definitions, run history (in the registry's
 * database), the runner, and the scheduler with its worker threads. The server, {@code slipway
 * scheduler} and {@code slipway pipeline run} all build them here.
 */
public final class PipelineServices implements AutoCloseable {
  /** Spark jobs that run longer than this are stopped and the attempt fails. */
  private static final Duration SPARK_TIMEOUT = Duration.ofHours(6);

  private final Map<String, PipelineSpec> pipelines;
  private final FeatureDefinitions features;
  private final RunHistory history;
  private final ExecutorService workers;
  private final PipelineScheduler scheduler;

  private PipelineServices(Map<String, PipelineSpec> pipelines, FeatureDefinitions features,
      RunHistory history, ExecutorService workers, PipelineScheduler scheduler) {
    this.pipelines = pipelines;
    this.features = features;
    this.history = history;
    this.workers = workers;
    this.scheduler = scheduler;
  }

  /**
   * @param features feature definitions for feature-view sources and inline fallbacks; may be null
   * @param onlineStore where online sinks write; may be null when no pipeline has one
   * @param sparkSubmit the command that submits {@code dev.slipway.spark.SparkScoringJob}; null
   *     when no pipeline runs on Spark
   */
  public static PipelineServices open(Registry registry, String jdbcUrl, Path pipelinesYaml,
      FeatureDefinitions features, OnlineStore onlineStore, String sparkSubmit, Path dataDir) {
    Map<String, PipelineSpec> pipelines = Pipelines.load(pipelinesYaml);
    Clock clock = Clock.systemUTC();
    RunHistory history = RunHistory.open(jdbcUrl, clock);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService workers = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "slipway-pipeline-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    SparkEngine spark = sparkSubmit == null || sparkSubmit.isBlank() ? null
        : SparkEngine.of(sparkSubmit, SPARK_TIMEOUT);
    PipelineRunner runner = new PipelineRunner(registry.models(), history, features,
        onlineStore == null ? null : new ScoreStore(onlineStore), spark,
        dataDir.resolve("batch-work"), dataDir.resolve("quarantine"), clock);
    return new PipelineServices(pipelines, features, history, workers,
        new PipelineScheduler(pipelines, runner, clock, workers));
  }

  public PipelineScheduler scheduler() {
    return scheduler;
  }

  /** True when some pipeline loads scores into the online score store. */
  public boolean needsOnlineStore() {
    return pipelines.values().stream().anyMatch(spec -> spec.sinks().online() != null);
  }

  /** The look-up deployments the pipelines' online sinks feed, with their fallbacks. */
  public List<ScoreDeployment> scoreDeployments() {
    List<ScoreDeployment> deployments = new ArrayList<>();
    for (PipelineSpec spec : pipelines.values()) {
      PipelineSpec.OnlineScores online = spec.sinks().online();
      if (online != null) {
        deployments.add(new ScoreDeployment(online.deployment(), entityColumn(spec),
            online.inlineModel(), online.baseline(), online.mostFrequentBaseline()));
      }
    }
    return deployments;
  }

  private String entityColumn(PipelineSpec spec) {
    if (!spec.keys().isEmpty()) {
      return spec.keys().get(0);
    }
    if (spec.source() instanceof PipelineSpec.Source.FeatureView source && features != null) {
      FeatureView view = features.featureViews().get(source.name());
      if (view != null) {
        Entity entity = features.entities().get(view.entities().get(0));
        return entity.joinKeys().get(0).name();
      }
    }
    throw new SlipwayException("pipeline '" + spec.name() + "': the online sink needs key (its"
        + " first column identifies the entity)");
  }

  @Override
  public void close() {
    scheduler.close();
    workers.shutdownNow();
    history.close();
  }
}
