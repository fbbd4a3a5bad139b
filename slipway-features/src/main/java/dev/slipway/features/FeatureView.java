package dev.slipway.features;

import java.time.Duration;
import java.util.List;

/**
 * Features of one or more entities read from one source. Values older than {@code ttl} at the
 * time asked about count as absent (offline: not joined; online: OUTSIDE_MAX_AGE); a zero TTL
 * means values never expire. Only views with {@code online} are materialized to the online store.
 */
public record FeatureView(String name, List<String> entities, List<Feature> features,
    String source, Duration ttl, boolean online) {
  public FeatureView {
    entities = List.copyOf(entities);
    features = List.copyOf(features);
  }
}
