package dev.slipway.serving;

import java.util.Map;
import java.util.Objects;

/**
 * Binds a served model to a feature service, so that requests may send entity keys (and request
 * fields) instead of the model's input: the server fetches the service's features, in order, as
 * the model's single input. A feature that is not PRESENT takes its default, or the request is
 * refused with 400 when it has none.
 *
 * @param defaults {@code view:feature} to the value used when the feature is missing
 */
public record FeatureBinding(String featureService, Map<String, Double> defaults) {
  public FeatureBinding {
    Objects.requireNonNull(featureService, "featureService");
    defaults = Map.copyOf(defaults);
  }
}
