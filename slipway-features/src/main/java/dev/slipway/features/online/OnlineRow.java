package dev.slipway.features.online;

import java.time.Instant;
import java.util.Map;

/**
 * The latest values of one feature view for one entity. A {@code null} value is a present
 * feature whose value is null (NULL_VALUE), not a missing one.
 */
public record OnlineRow(EntityKey key, Instant eventTime, Map<String, Object> values) {}
