package dev.slipway.registry.tracking.internal;

import dev.slipway.registry.tracking.Metric;
import dev.slipway.registry.tracking.Param;
import dev.slipway.registry.tracking.RunData;
import dev.slipway.registry.tracking.RunTag;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * SQL for what runs log: params, run_tags, metrics (every value) and latest_metrics (the value
 * searches and run views show). Callers own the transaction and hold the run's lock.
 */
public final class RunDataRows {
  private RunDataRows() {}

  /** The data of many runs, each list sorted by key; runs without data get empty lists. */
  public static Map<String, RunData> load(Handle handle, List<String> runIds) {
    Map<String, List<Metric>> metrics = new HashMap<>();
    Map<String, List<Param>> params = new HashMap<>();
    Map<String, List<RunTag>> tags = new HashMap<>();
    Sql.inChunks(runIds, chunk -> {
      String in = " WHERE run_uuid IN (" + Sql.placeholders("id", chunk.size()) + ")";
      Sql.bindEach(handle.createQuery("SELECT run_uuid, metric_key, metric_value,"
              + " metric_timestamp, step, is_nan FROM latest_metrics" + in
              + " ORDER BY metric_key"), "id", chunk)
          .map((row, ctx) -> add(metrics, row, metric(row))).list();
      Sql.bindEach(handle.createQuery("SELECT run_uuid, param_key, param_value FROM params" + in
              + " ORDER BY param_key"), "id", chunk)
          .map((row, ctx) -> add(params, row,
              new Param(row.getString("param_key"), row.getString("param_value")))).list();
      Sql.bindEach(handle.createQuery("SELECT run_uuid, tag_key, tag_value FROM run_tags" + in
              + " ORDER BY tag_key"), "id", chunk)
          .map((row, ctx) -> add(tags, row,
              new RunTag(row.getString("tag_key"), row.getString("tag_value")))).list();
    });
    Map<String, RunData> data = new HashMap<>();
    for (String runId : runIds) {
      data.put(runId, new RunData(metrics.getOrDefault(runId, List.of()),
          params.getOrDefault(runId, List.of()), tags.getOrDefault(runId, List.of())));
    }
    return data;
  }

  private static <T> int add(Map<String, List<T>> byRun, ResultSet row, T value)
      throws SQLException {
    byRun.computeIfAbsent(row.getString("run_uuid"), id -> new ArrayList<>()).add(value);
    return 0;
  }

  /** The stored values of those of {@code keys} that the run has logged. */
  public static Map<String, String> paramValues(Handle handle, String runId,
      List<String> keys) {
    Map<String, String> values = new HashMap<>();
    Sql.inChunks(keys, chunk -> Sql.bindEach(handle.createQuery("SELECT param_key, param_value"
            + " FROM params WHERE run_uuid = :run AND param_key IN ("
            + Sql.placeholders("key", chunk.size()) + ")").bind("run", runId), "key", chunk)
        .map((row, ctx) -> {
          values.put(row.getString("param_key"), row.getString("param_value"));
          return 0;
        }).list());
    return values;
  }

  public static void insertParams(Handle handle, String runId, Collection<Param> params) {
    if (params.isEmpty()) {
      return;
    }
    PreparedBatch batch = handle.prepareBatch("INSERT INTO params (run_uuid, param_key,"
        + " param_value) VALUES (:run, :key, :value)");
    for (Param param : params) {
      batch.bind("run", runId).bind("key", param.key()).bind("value", param.value()).add();
    }
    batch.execute();
  }

  /** Inserts or replaces a tag. */
  public static void setTag(Handle handle, String runId, RunTag tag) {
    int updated = handle.createUpdate("UPDATE run_tags SET tag_value = :value"
            + " WHERE run_uuid = :run AND tag_key = :key")
        .bind("value", tag.value()).bind("run", runId).bind("key", tag.key()).execute();
    if (updated == 0) {
      handle.createUpdate("INSERT INTO run_tags (run_uuid, tag_key, tag_value)"
              + " VALUES (:run, :key, :value)")
          .bind("run", runId).bind("key", tag.key()).bind("value", tag.value()).execute();
    }
  }

  /** Deletes a tag; false when the run had no such tag. */
  public static boolean deleteTag(Handle handle, String runId, String key) {
    return handle.createUpdate("DELETE FROM run_tags WHERE run_uuid = :run AND tag_key = :key")
        .bind("run", runId).bind("key", key).execute() > 0;
  }

  /**
   * Appends metric values to the history; a value identical in key, timestamp, step and value
   * to one already logged is skipped, as MLflow ignores such repeats.
   */
  public static void insertMetrics(Handle handle, String runId, Collection<Metric> metrics) {
    if (metrics.isEmpty()) {
      return;
    }
    PreparedBatch batch = handle.prepareBatch("INSERT INTO metrics (run_uuid, metric_key,"
        + " metric_value, metric_timestamp, step, is_nan)"
        + " SELECT :run, :key, :value, :time, :step, :nan WHERE NOT EXISTS (SELECT 1 FROM"
        + " metrics WHERE run_uuid = :run AND metric_key = :key AND metric_timestamp = :time"
        + " AND step = :step AND metric_value = :value)");
    for (Metric metric : metrics) {
      batch.bind("run", runId).bind("key", metric.key()).bind("value", metric.value())
          .bind("time", metric.timestamp()).bind("step", metric.step())
          .bind("nan", Double.isNaN(metric.value())).add();
    }
    batch.execute();
  }

  public static Optional<Metric> latest(Handle handle, String runId, String key) {
    return handle.createQuery("SELECT metric_key, metric_value, metric_timestamp, step, is_nan"
            + " FROM latest_metrics WHERE run_uuid = :run AND metric_key = :key")
        .bind("run", runId).bind("key", key).map((row, ctx) -> metric(row)).findOne();
  }

  public static void insertLatest(Handle handle, String runId, Metric metric) {
    handle.createUpdate("INSERT INTO latest_metrics (run_uuid, metric_key, metric_value,"
            + " metric_timestamp, step, is_nan) VALUES (:run, :key, :value, :time, :step, :nan)")
        .bind("run", runId).bind("key", metric.key()).bind("value", metric.value())
        .bind("time", metric.timestamp()).bind("step", metric.step())
        .bind("nan", Double.isNaN(metric.value())).execute();
  }

  public static void updateLatest(Handle handle, String runId, Metric metric) {
    handle.createUpdate("UPDATE latest_metrics SET metric_value = :value,"
            + " metric_timestamp = :time, step = :step, is_nan = :nan"
            + " WHERE run_uuid = :run AND metric_key = :key")
        .bind("run", runId).bind("key", metric.key()).bind("value", metric.value())
        .bind("time", metric.timestamp()).bind("step", metric.step())
        .bind("nan", Double.isNaN(metric.value())).execute();
  }

  /**
   * One page of a metric's history in logging order (timestamp, then step, then value); fetches
   * one row more than asked so the caller knows whether another page follows.
   */
  public static List<Metric> history(Handle handle, String runId, String key, long offset,
      int limitPlusOne) {
    return handle.createQuery("SELECT metric_key, metric_value, metric_timestamp, step, is_nan"
            + " FROM metrics WHERE run_uuid = :run AND metric_key = :key"
            + " ORDER BY metric_timestamp, step, metric_value LIMIT :limit OFFSET :offset")
        .bind("run", runId).bind("key", key).bind("limit", limitPlusOne)
        .bind("offset", offset).map((row, ctx) -> metric(row)).list();
  }

  static Metric metric(ResultSet row) throws SQLException {
    double value = row.getBoolean("is_nan") ? Double.NaN : row.getDouble("metric_value");
    return new Metric(row.getString("metric_key"), value, row.getLong("metric_timestamp"),
        row.getLong("step"));
  }
}
