package dev.slipway.features;

import java.util.List;

/**
 * The named set of features one model uses, as {@code view:feature} references (on-demand views
 * included), in the order the model's input expects them.
 */
public record FeatureService(String name, List<String> features) {
  public FeatureService {
    features = List.copyOf(features);
  }
}
