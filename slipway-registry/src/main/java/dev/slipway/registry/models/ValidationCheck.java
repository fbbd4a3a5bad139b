package dev.slipway.registry.models;

import java.util.Objects;

/**
 * A validation result to record for a model version; whether it passed is computed by the
 * registry, never taken from the client.
 *
 * @param threshold the fixed threshold of a {@link Kind#THRESHOLD} check; null otherwise
 */
public record ValidationCheck(String checkName, Kind kind, String metric, double value,
    MetricComparator comparator, Double threshold) {
  /** What the value is compared with. */
  public enum Kind {
    /** A fixed threshold: {@code value comparator threshold}. */
    THRESHOLD("threshold"),
    /**
     * The value the current production version recorded for the same metric: {@code value
     * comparator production's value}. Passes when there is no production version.
     */
    BEATS_PRODUCTION("beats_production");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    /** The name in the API and the database ("beats_production"). */
    public String wireName() {
      return wireName;
    }

    /** The kind named {@code wireName}, or null. */
    public static Kind find(String wireName) {
      for (Kind kind : values()) {
        if (kind.wireName.equalsIgnoreCase(wireName)) {
          return kind;
        }
      }
      return null;
    }
  }

  public ValidationCheck {
    Objects.requireNonNull(checkName, "checkName");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(comparator, "comparator");
    if (kind == Kind.THRESHOLD) {
      Objects.requireNonNull(threshold, "threshold");
    }
  }

  public static ValidationCheck threshold(String checkName, String metric, double value,
      MetricComparator comparator, double threshold) {
    return new ValidationCheck(checkName, Kind.THRESHOLD, metric, value, comparator, threshold);
  }

  /** E.g. {@code beatsProduction("auc-beats-prod", "auc", 0.93, GREATER)}. */
  public static ValidationCheck beatsProduction(String checkName, String metric, double value,
      MetricComparator comparator) {
    return new ValidationCheck(checkName, Kind.BEATS_PRODUCTION, metric, value, comparator, null);
  }
}
