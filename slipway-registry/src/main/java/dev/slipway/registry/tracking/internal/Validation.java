package dev.slipway.registry.tracking.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.tracking.Metric;
import dev.slipway.registry.tracking.Param;
import dev.slipway.registry.tracking.RunTag;
import java.util.List;
import java.util.regex.Pattern;

/**
 * MLflow's input rules (mlflow/utils/validation.py), with the limits of Slipway's schema. Checked
 * before any SQL runs, so a rejected request names the offending value instead of surfacing a
 * database error.
 */
public final class Validation {
  public static final int MAX_KEY_LENGTH = 250;
  public static final int MAX_PARAM_VALUE_LENGTH = 6000;
  public static final int MAX_RUN_TAG_VALUE_LENGTH = 8000;
  public static final int MAX_EXPERIMENT_TAG_VALUE_LENGTH = 5000;
  public static final int MAX_EXPERIMENT_NAME_LENGTH = 500;
  public static final int MAX_ARTIFACT_LOCATION_LENGTH = 2000;
  public static final int MAX_RUN_NAME_LENGTH = 250;
  public static final int MAX_USER_ID_LENGTH = 256;
  public static final int MAX_METRICS_PER_BATCH = 1000;
  public static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
  public static final int MAX_ENTITIES_PER_BATCH = 1000;

  // Python's \w is Unicode-aware, so MLflow accepts letters of any script; so do we.
  private static final Pattern VALID_NAME =
      Pattern.compile("^[/\\w.\\- ]*$", Pattern.UNICODE_CHARACTER_CLASS);
  private static final String BAD_CHARACTERS = "Names may only contain alphanumerics,"
      + " underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).";

  private Validation() {}

  public static void metricName(String name) {
    name("metric", "Metric", name);
  }

  public static void paramName(String name) {
    name("parameter", "Parameter", name);
  }

  public static void tagName(String name) {
    name("tag", "Tag", name);
  }

  public static void metric(Metric metric) {
    metricName(metric.key());
    length("Metric name", MAX_KEY_LENGTH, metric.key());
    if (metric.timestamp() < 0) {
      throw MlflowException.invalid("Got invalid timestamp " + metric.timestamp()
          + " for metric '" + metric.key() + "' (value=" + metric.value()
          + "). Timestamp must be a nonnegative long (64-bit integer)");
    }
  }

  public static void param(Param param) {
    paramName(param.key());
    length("Param key", MAX_KEY_LENGTH, param.key());
    required("Param value", param.value());
    length("Param value", MAX_PARAM_VALUE_LENGTH, param.value());
  }

  public static void runTag(RunTag tag) {
    tagName(tag.key());
    length("Tag key", MAX_KEY_LENGTH, tag.key());
    required("Tag value", tag.value());
    length("Tag value", MAX_RUN_TAG_VALUE_LENGTH, tag.value());
  }

  public static void experimentTag(String key, String value) {
    tagName(key);
    length("Tag key", MAX_KEY_LENGTH, key);
    required("Tag value", value);
    length("Tag value", MAX_EXPERIMENT_TAG_VALUE_LENGTH, value);
  }

  public static void experimentName(String name) {
    if (name == null || name.isEmpty()) {
      throw MlflowException.invalid("Invalid experiment name: '" + (name == null ? "" : name)
          + "'");
    }
    if (name.codePointCount(0, name.length()) > MAX_EXPERIMENT_NAME_LENGTH) {
      throw MlflowException.invalid("Experiment name exceeds the maximum length of "
          + MAX_EXPERIMENT_NAME_LENGTH + " characters");
    }
  }

  public static void artifactLocation(String location) {
    if (location == null) {
      return;
    }
    if (location.startsWith("runs:")) {
      throw MlflowException.invalid("Artifact location cannot be a runs:/ URI. Given: '"
          + location + "'");
    }
    length("Artifact location", MAX_ARTIFACT_LOCATION_LENGTH, location);
  }

  /** MLflow's per-request limits for log-batch, checked before anything else in the batch. */
  public static void batchLimits(List<Metric> metrics, List<Param> params, List<RunTag> tags) {
    batchLimit("metrics", MAX_METRICS_PER_BATCH, metrics.size());
    batchLimit("params", MAX_PARAMS_TAGS_PER_BATCH, params.size());
    batchLimit("tags", MAX_PARAMS_TAGS_PER_BATCH, tags.size());
    batchLimit("metrics, params, and tags", MAX_ENTITIES_PER_BATCH,
        metrics.size() + params.size() + tags.size());
  }

  /** Rejects values longer than {@code limit} characters (code points, as the database counts). */
  public static void length(String what, int limit, String value) {
    if (value == null) {
      return;
    }
    int length = value.codePointCount(0, value.length());
    if (length > limit) {
      String shown = value.length() > 250 ? value.substring(0, 250) : value;
      throw MlflowException.invalid(what + " '" + shown + "' had length " + length
          + ", which exceeded length limit of " + limit);
    }
  }

  private static void required(String what, String value) {
    if (value == null) {
      throw MlflowException.invalid(what + " cannot be null");
    }
  }

  private static void batchLimit(String entities, int limit, int count) {
    if (count > limit) {
      throw MlflowException.invalid("A batch logging request can contain at most " + limit
          + " " + entities + ". Got " + count + " " + entities + ". Please split up " + entities
          + " across multiple requests and try again.");
    }
  }

  private static void name(String kind, String capitalized, String name) {
    if (name == null) {
      throw MlflowException.invalid(capitalized + " name cannot be None."
          + " A key name must be provided.");
    }
    if (!VALID_NAME.matcher(name).matches()) {
      throw MlflowException.invalid("Invalid " + kind + " name: '" + name + "'. "
          + BAD_CHARACTERS);
    }
    if (!resolvesToItself(name)) {
      throw MlflowException.invalid("Invalid " + kind + " name: '" + name + "'. Names may be"
          + " treated as files in certain cases, and must not resolve to other names when"
          + " treated as such. This name would resolve to '" + normalize(name) + "'");
    }
  }

  /**
   * MLflow's path_not_unique, negated: a name is a valid file path only if POSIX normalization
   * leaves it unchanged, which means no empty, "." or ".." segment and no leading slash.
   */
  static boolean resolvesToItself(String name) {
    if (name.isEmpty() || name.startsWith("/")) {
      return false;
    }
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /** posixpath.normpath, for the error message only. */
  static String normalize(String path) {
    boolean absolute = path.startsWith("/");
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..") && !parts.isEmpty() && !parts.peekLast().equals("..")) {
        parts.removeLast();
      } else if (!(segment.equals("..") && absolute)) {
        parts.addLast(segment);
      }
    }
    String joined = String.join("/", parts);
    if (absolute) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }
}
