package dev.slipway.features;

import java.util.List;
import java.util.Map;

/**
 * Features computed at request time by expressions over request fields (sent with each entity
 * row) and features of other views. {@code inputs} maps a variable name usable in expressions to
 * a {@code view:feature} reference.
 */
public record OnDemandFeatureView(String name, List<Feature> requestFields,
    Map<String, String> inputs, List<Computed> features) {
  /** One computed feature: its declared type and the expression producing it. */
  public record Computed(String name, ValueType type, String expression) {}

  public OnDemandFeatureView {
    requestFields = List.copyOf(requestFields);
    inputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputs));
    features = List.copyOf(features);
  }
}
