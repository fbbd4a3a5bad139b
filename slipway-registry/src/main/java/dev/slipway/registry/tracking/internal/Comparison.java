package dev.slipway.registry.tracking.internal;

import java.util.List;

/**
 * One {@code identifier comparator value} condition of a parsed filter.
 *
 * @param key the metric, param or tag key, or the canonical attribute name
 * @param values one value (a Long or Double for numeric fields, else a String), or the list of
 *     an IN / NOT IN
 */
public record Comparison(EntityType type, String key, Comparator comparator,
    List<Object> values) {
  public Comparison {
    values = List.copyOf(values);
  }

  public Object value() {
    return values.get(0);
  }
}
