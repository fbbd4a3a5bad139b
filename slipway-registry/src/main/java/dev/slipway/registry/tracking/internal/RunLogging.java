package dev.slipway.registry.tracking.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.tracking.Metric;
import dev.slipway.registry.tracking.Param;
import dev.slipway.registry.tracking.RunTag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * MLflow's rules for what a run logs, applied inside the caller's transaction after it locked
 * the run: params never change, repeated identical metric values are ignored, the latest metric
 * is the one with the highest (step, timestamp, value), and the {@code mlflow.runName} tag and
 * the run's name are one thing.
 */
public final class RunLogging {
  public static final String RUN_NAME_TAG = "mlflow.runName";

  private RunLogging() {}

  /** Params first, then metrics, then tags, as MLflow's log_batch. */
  public static void log(Handle handle, String runId, List<Metric> metrics, List<Param> params,
      List<RunTag> tags) {
    logParams(handle, runId, uniqueParams(params));
    logMetrics(handle, runId, metrics);
    for (RunTag tag : lastTagPerKey(tags)) {
      setTag(handle, runId, tag);
    }
  }

  public static void setTag(Handle handle, String runId, RunTag tag) {
    RunDataRows.setTag(handle, runId, tag);
    if (tag.key().equals(RUN_NAME_TAG)) {
      RunRows.setRunName(handle, runId, tag.value());
    }
  }

  /** Refuses a run-name tag that the runs table cannot hold. */
  public static void validateRunNameTag(RunTag tag) {
    if (tag.key().equals(RUN_NAME_TAG)) {
      Validation.length("Run name", Validation.MAX_RUN_NAME_LENGTH, tag.value());
    }
  }

  private static void logParams(Handle handle, String runId, List<Param> params) {
    if (params.isEmpty()) {
      return;
    }
    Map<String, String> logged = RunDataRows.paramValues(handle, runId,
        params.stream().map(Param::key).toList());
    List<Param> fresh = new ArrayList<>();
    for (Param param : params) {
      String old = logged.get(param.key());
      if (old == null) {
        fresh.add(param);
      } else if (!old.equals(param.value())) {
        throw MlflowException.invalid("Changing param values is not allowed. Param with key='"
            + param.key() + "' was already logged with value='" + old + "' for run ID='"
            + runId + "'. Attempted logging new value '" + param.value() + "'.");
      }
    }
    RunDataRows.insertParams(handle, runId, fresh);
  }

  private static void logMetrics(Handle handle, String runId, List<Metric> metrics) {
    if (metrics.isEmpty()) {
      return;
    }
    // Identical entries within one request would collide on the primary key.
    RunDataRows.insertMetrics(handle, runId, new LinkedHashSet<>(metrics));
    Map<String, Metric> newestPerKey = new LinkedHashMap<>();
    for (Metric metric : metrics) {
      newestPerKey.merge(metric.key(), metric,
          (current, candidate) -> isNewer(candidate, current) ? candidate : current);
    }
    for (Metric candidate : newestPerKey.values()) {
      Optional<Metric> stored = RunDataRows.latest(handle, runId, candidate.key());
      if (stored.isEmpty()) {
        RunDataRows.insertLatest(handle, runId, candidate);
      } else if (isNewer(candidate, stored.get())) {
        RunDataRows.updateLatest(handle, runId, candidate);
      }
    }
  }

  /** MLflow's order for "latest": step, then timestamp, then value. */
  static boolean isNewer(Metric candidate, Metric current) {
    if (candidate.step() != current.step()) {
      return candidate.step() > current.step();
    }
    if (candidate.timestamp() != current.timestamp()) {
      return candidate.timestamp() > current.timestamp();
    }
    return Double.compare(candidate.value(), current.value()) > 0;
  }

  /** Drops exact repeats; a key given twice with different values is refused, as MLflow. */
  private static List<Param> uniqueParams(List<Param> params) {
    Map<String, Param> byKey = new LinkedHashMap<>();
    List<String> duplicates = new ArrayList<>();
    for (Param param : params) {
      Param previous = byKey.putIfAbsent(param.key(), param);
      if (previous != null && !previous.value().equals(param.value())) {
        duplicates.add(param.key());
      }
    }
    if (!duplicates.isEmpty()) {
      throw MlflowException.invalid("Duplicate parameter keys have been submitted: "
          + duplicates + ". Please ensure the request contains only one param value per param"
          + " key.");
    }
    return new ArrayList<>(byKey.values());
  }

  private static List<RunTag> lastTagPerKey(List<RunTag> tags) {
    Map<String, RunTag> byKey = new LinkedHashMap<>();
    tags.forEach(tag -> byKey.put(tag.key(), tag));
    return new ArrayList<>(byKey.values());
  }
}
