package dev.slipway.features.online;

import dev.slipway.core.InvalidInputException;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the latest features of a view for many entities and gives every value its Feast status:
 * the shape the HTTP layer turns into a get-online-features response.
 *
 * <p>A value whose event time plus the view's TTL lies before now is OUTSIDE_MAX_AGE; its value
 * and event time are still returned, as Feast does, so callers can decide. A zero TTL never
 * expires. The TTL is applied here, at read time, never at materialization.
 */
public final class OnlineFeatureReader {
  private final OnlineStore store;
  private final Clock clock;

  public OnlineFeatureReader(OnlineStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** One feature's value for one entity; {@code eventTime} is null when NOT_FOUND. */
  public record FeatureValue(Object value, FeatureStatus status, Instant eventTime) {}

  /** All requested features of one entity, in request order. */
  public record EntityFeatures(EntityKey key, Map<String, FeatureValue> values) {}

  /**
   * The newest event time materialized for {@code featureView}, or empty before its first
   * materialization: the age of what online reads can see.
   */
  public Optional<Instant> newestMaterialized(String featureView) {
    return store.read(dev.slipway.features.Materializer.FRESHNESS_VIEW,
        List.of(EntityKey.of(featureView)), List.of()).get(0).map(OnlineRow::eventTime);
  }

  /** Reads every feature of {@code view}. */
  public List<EntityFeatures> read(FeatureView view, List<EntityKey> keys) {
    List<String> features = new ArrayList<>(view.features().size());
    for (Feature feature : view.features()) {
      features.add(feature.name());
    }
    return read(view, keys, features);
  }

  /**
   * Reads {@code features} of {@code view} for {@code keys}, in key order.
   *
   * @throws InvalidInputException when a feature is not part of the view
   */
  public List<EntityFeatures> read(FeatureView view, List<EntityKey> keys,
      List<String> features) {
    Set<String> declared = new LinkedHashSet<>(view.features().size() * 2);
    for (Feature feature : view.features()) {
      declared.add(feature.name());
    }
    for (String feature : features) {
      if (!declared.contains(feature)) {
        throw new InvalidInputException("feature view '" + view.name() + "': feature '"
            + feature + "' (expected one of " + declared + ")");
      }
    }
    Instant now = clock.instant();
    Duration ttl = view.ttl() == null ? Duration.ZERO : view.ttl();
    List<Optional<OnlineRow>> rows = store.read(view.name(), keys, features);
    List<EntityFeatures> result = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      Optional<OnlineRow> row = rows.get(i);
      Map<String, FeatureValue> values = new LinkedHashMap<>();
      boolean expired = row.isPresent() && !ttl.isZero()
          && row.get().eventTime().plus(ttl).isBefore(now);
      for (String feature : features) {
        if (row.isEmpty() || !row.get().values().containsKey(feature)) {
          values.put(feature, new FeatureValue(null, FeatureStatus.NOT_FOUND, null));
          continue;
        }
        Object value = row.get().values().get(feature);
        FeatureStatus status = expired ? FeatureStatus.OUTSIDE_MAX_AGE
            : value == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT;
        values.put(feature, new FeatureValue(value, status, row.get().eventTime()));
      }
      result.add(new EntityFeatures(keys.get(i), values));
    }
    return result;
  }
}
