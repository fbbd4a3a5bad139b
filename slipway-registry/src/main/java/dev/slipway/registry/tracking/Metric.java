package dev.slipway.registry.tracking;

/**
 * One measured value of a run: {@code value} may be NaN or infinite, as MLflow allows.
 *
 * @param timestamp epoch milliseconds
 * @param step the training step (0 when the client gives none)
 */
public record Metric(String key, double value, long timestamp, long step) {}
