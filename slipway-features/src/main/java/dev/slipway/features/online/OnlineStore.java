package dev.slipway.features.online;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The low-latency store serving the latest feature values per entity: embedded RocksDB by
 * default, Redis in production. Implementations pass one contract test suite.
 */
public interface OnlineStore extends AutoCloseable {
  /**
   * Writes rows of one feature view. A row replaces what is stored for its entity only when its
   * event time is not older, so re-running a materialization never moves values back in time.
   * Writes of one call are applied together or not at all. Values must be Integer, Long, Float,
   * Double, String, Boolean or null (the Java forms of {@code ValueType}); reads return the same
   * classes.
   */
  void write(String featureView, List<OnlineRow> rows);

  /**
   * Reads the stored rows of one feature view for {@code keys}, in order; empty where the entity
   * has never been written. Only {@code features} are returned in each row.
   */
  List<Optional<OnlineRow>> read(String featureView, List<EntityKey> keys, List<String> features);

  /**
   * As {@link #read}, answered when the rows arrive: a store that makes a network round trip
   * (Redis) does not hold the caller's thread meanwhile, so a server's event loop can have many
   * reads in flight. The default answers at once from {@link #read}, right for an embedded store.
   */
  default CompletableFuture<List<Optional<OnlineRow>>> readAsync(String featureView,
      List<EntityKey> keys, List<String> features) {
    try {
      return CompletableFuture.completedFuture(read(featureView, keys, features));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  void close();
}
