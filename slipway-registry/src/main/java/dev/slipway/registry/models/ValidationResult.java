package dev.slipway.registry.models;

/**
 * A recorded validation of one model version.
 *
 * @param threshold the value compared with: the fixed threshold, or production's value when
 *     recorded (null when there was no production version or it had no value)
 * @param comparedVersion for a comparison with production: the version compared with, if any
 * @param passed computed by the registry when recorded
 * @param details how {@code passed} came about, in words
 */
public record ValidationResult(
    String name,
    int version,
    String checkName,
    ValidationCheck.Kind kind,
    String metric,
    double value,
    MetricComparator comparator,
    Double threshold,
    Integer comparedVersion,
    boolean passed,
    String details,
    long recordedAt) {}
