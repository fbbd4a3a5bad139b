package dev.slipway.batch.pipeline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One batch pipeline, as declared in {@code pipelines.yaml}: where its rows come from, which
 * registry model scores them, where the scores go, and when it runs.
 *
 * @param schedule a Unix cron expression (five fields), or null for manual runs only
 * @param keys columns copied to every sink (the entity key first)
 * @param timestamp the source column whose values place a row in a run's window
 * @param features feature columns in model order; empty to let the model decide
 * @param retries further attempts after a failed one
 * @param retryBackoff the wait before the first retry, doubled for each further one
 */
public record PipelineSpec(String name, String schedule, Engine engine, String model,
    Source source, List<String> keys, String timestamp, List<String> features, Sinks sinks,
    int retries, Duration retryBackoff) {
  public PipelineSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(source, "source");
    keys = List.copyOf(keys);
    features = List.copyOf(features);
    Objects.requireNonNull(sinks, "sinks");
    Objects.requireNonNull(retryBackoff, "retryBackoff");
  }

  public Optional<String> scheduleExpression() {
    return Optional.ofNullable(schedule);
  }

  /** Whether its rows have keys: given, or a feature view's source (its entity's join keys). */
  public boolean keyed() {
    return !keys.isEmpty() || source instanceof Source.FeatureView;
  }

  /** Where a pipeline's batch runs: in this process, or as a Spark job. */
  public enum Engine {
    LOCAL,
    SPARK
  }

  /** Exactly one way of reading rows. */
  public sealed interface Source {
    /** A Parquet or CSV file, or a folder of Parquet files. */
    record File(Path path) implements Source {}

    /** The offline rows of a feature view of the project's feature definitions. */
    record FeatureView(String name) implements Source {}

    /** A query run through JDBC (PostgreSQL, H2). */
    record Jdbc(String url, String query) implements Source {}
  }

  /**
   * Where scores go; any combination, at least one.
   *
   * @param parquet a dataset folder holding one partition per run window
   * @param jdbc a table in a JDBC database
   * @param online the score store deployment that {@code GET /v1/scores} answers from
   */
  public record Sinks(Path parquet, JdbcTable jdbc, OnlineScores online) {
    public boolean isEmpty() {
      return parquet == null && jdbc == null && online == null;
    }
  }

  /** A table in a JDBC database, created on first use. */
  public record JdbcTable(String url, String table) {}

  /**
   * The pre-computed score deployment fed by a pipeline, and what answers for an entity it never
   * scored.
   *
   * @param inlineModel a served model bound to a feature service, scored from online features
   *     for an unknown entity; null for none
   * @param baseline constant scores for an entity nothing else answers for; empty for none
   * @param mostFrequentBaseline true to answer with each score column's most frequent value in
   *     the latest run instead of constants
   */
  public record OnlineScores(String deployment, String inlineModel, Map<String, Double> baseline,
      boolean mostFrequentBaseline) {
    public OnlineScores {
      Objects.requireNonNull(deployment, "deployment");
      baseline = Map.copyOf(baseline);
    }
  }
}
