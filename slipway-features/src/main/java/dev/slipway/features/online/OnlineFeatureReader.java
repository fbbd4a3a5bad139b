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
import java.util.concurrent.CompletableFuture;

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

  private static final FeatureValue NOT_FOUND = new FeatureValue(null, FeatureStatus.NOT_FOUND,
      null);

  /**
   * One entity's stored row of a view as read, with the TTL already judged: values and statuses
   * per feature without building a map of them (a 250-feature read asks for each once).
   *
   * @param row the stored row, null when the entity was never written
   * @param expired whether the row's event time plus the view's TTL lies before now
   */
  public record StoredRow(EntityKey key, OnlineRow row, boolean expired) {
    public FeatureStatus status(String feature) {
      if (row == null) {
        return FeatureStatus.NOT_FOUND;
      }
      Object value = row.values().get(feature);
      if (value == null && !row.values().containsKey(feature)) {
        return FeatureStatus.NOT_FOUND;
      }
      return expired ? FeatureStatus.OUTSIDE_MAX_AGE
          : value == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT;
    }

    /** The stored value (also when expired, as Feast returns it), or null. */
    public Object value(String feature) {
      return row == null ? null : row.values().get(feature);
    }

    FeatureValue featureValue(String feature) {
      FeatureStatus status = status(feature);
      return status == FeatureStatus.NOT_FOUND ? NOT_FOUND
          : new FeatureValue(row.values().get(feature), status, row.eventTime());
    }
  }

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
    checkDeclared(view, features);
    List<StoredRow> rows = judged(view, keys, store.read(view.name(), keys, features));
    List<EntityFeatures> result = new ArrayList<>(rows.size());
    for (StoredRow row : rows) {
      Map<String, FeatureValue> values = new LinkedHashMap<>(features.size() * 4 / 3 + 1);
      for (String feature : features) {
        values.put(feature, row.featureValue(feature));
      }
      result.add(new EntityFeatures(row.key(), values));
    }
    return result;
  }

  /**
   * Reads the stored rows of {@code features} of {@code view} for {@code keys}, in key order,
   * completed when the store answers: with Redis the caller's thread (a server's event loop) is
   * not held for the round trip. A feature not part of the view fails at once with {@link
   * InvalidInputException}.
   */
  public CompletableFuture<List<StoredRow>> readRowsAsync(FeatureView view,
      List<EntityKey> keys, List<String> features) {
    checkDeclared(view, features);
    return store.readAsync(view.name(), keys, features)
        .thenApply(rows -> judged(view, keys, rows));
  }

  private void checkDeclared(FeatureView view, List<String> features) {
    // Requests usually ask for a view's features in its own order (a feature service does):
    // walking both lists then needs no set of names.
    List<Feature> declared = view.features();
    int next = 0;
    for (String feature : features) {
      while (next < declared.size() && !declared.get(next).name().equals(feature)) {
        next++;
      }
      if (next == declared.size()) {
        checkDeclaredAnyOrder(view, features);
        return;
      }
      next++;
    }
  }

  private static void checkDeclaredAnyOrder(FeatureView view, List<String> features) {
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
  }

  private List<StoredRow> judged(FeatureView view, List<EntityKey> keys,
      List<Optional<OnlineRow>> rows) {
    Instant now = clock.instant();
    Duration ttl = view.ttl() == null ? Duration.ZERO : view.ttl();
    List<StoredRow> judged = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      OnlineRow row = rows.get(i).orElse(null);
      boolean expired = row != null && !ttl.isZero() && row.eventTime().plus(ttl).isBefore(now);
      judged.add(new StoredRow(keys.get(i), row, expired));
    }
    return judged;
  }
}
