package dev.slipway.bench;

import dev.slipway.features.DataSource;
import dev.slipway.features.Entity;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureService;
import dev.slipway.features.FeatureView;
import dev.slipway.features.ValueType;
import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.OnlineRow;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.serving.CompositeModelSource;
import dev.slipway.serving.InferenceServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs Slipway's {@link InferenceServer} with no models and one wide feature view, in a JVM of
 * its own, for run-features-bench.sh (issue 4's online-read figure over HTTP): it first writes
 * {@code --entities} customers (ids 0 to N-1) with {@code --features} FLOAT32 features each into
 * RocksDB in {@code --dir} or into Redis, as materialization would, then serves
 * {@code POST /v1/features/online} with a feature service {@code all} of every feature.
 *
 * <p>With Redis, every key starts with a unique prefix (or {@code --redis-prefix}); the keys are
 * deleted when the server stops, by its shutdown hook.
 */
public final class FeatureServerLauncher {
  private static final String USAGE = """
      Usage: FeatureServerLauncher --port PORT [--host 127.0.0.1] [--entities 1000]
                                   [--features 250] [--store rocksdb|redis] [--dir DIR]
                                   [--redis-uri redis://127.0.0.1:6379] [--redis-prefix NAME]
      Writes the entities' features, then serves POST /v1/features/online (feature service
      'all', entity column customer_id) until killed; prints 'ready port=N'. --dir is required
      for rocksdb.""";
  static final String VIEW = "wide";
  static final String SERVICE = "all";
  /** Entities written per store call: one RocksDB batch or one Redis script. */
  private static final int CHUNK = 500;

  private FeatureServerLauncher() {}

  public static void main(String[] args) {
    Options options = Options.parse(args, Set.of("port", "host", "entities", "features",
        "store", "dir", "redis-uri", "redis-prefix"), USAGE);
    int port = options.integer("port", -1);
    if (port < 0) {
      throw options.fail("--port is required");
    }
    int entities = options.integer("entities", 1_000);
    int features = options.integer("features", 250);
    if (entities < 1 || features < 1) {
      throw options.fail("--entities and --features must be at least 1");
    }
    BenchStore bench = BenchStore.open(options);
    OnlineStore online = bench.store;
    FeatureDefinitions definitions = definitions(features);
    long started = System.nanoTime();
    write(online, definitions.featureViews().get(VIEW), entities);
    System.err.printf("wrote %d entities x %d features to %s in %.1f s%n", entities, features,
        bench.where,
        (System.nanoTime() - started) / 1e9);

    InferenceServer server = InferenceServer.builder(new CompositeModelSource(List.of()))
        .host(options.string("host", "127.0.0.1"))
        .port(port)
        .pollInterval(Duration.ZERO)
        .features(definitions, online)
        .build()
        .start();
    // Hooks run concurrently: stop the server and close the store in one, in that order.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      online.close();
    }));
    System.out.println("ready port=" + server.port() + " store=" + bench.kind
        + " entities=" + entities
        + " features=" + features
        + bench.readySuffix);
  }

  /** Customers keyed by an INT64 customer_id, one view of f0..fN-1, and the service of all. */
  private static FeatureDefinitions definitions(int features) {
    List<Feature> columns = new ArrayList<>(features);
    List<String> refs = new ArrayList<>(features);
    for (int i = 0; i < features; i++) {
      columns.add(new Feature("f" + i, ValueType.FLOAT32));
      refs.add(VIEW + ":f" + i);
    }
    return new FeatureDefinitions(Path.of("bench-features.yaml"),
        List.of(new Entity("customer", List.of(new Entity.JoinKey("customer_id",
            ValueType.INT64)), "bench customers")),
        List.of(new DataSource("wide_source", Path.of("wide.parquet"),
            DataSource.Format.PARQUET, "event_timestamp", null)),
        List.of(new FeatureView(VIEW, List.of("customer"), columns, "wide_source",
            Duration.ZERO, true)),
        List.of(), List.of(new FeatureService(SERVICE, refs)));
  }

  private static void write(OnlineStore store, FeatureView view, int entities) {
    Instant eventTime = Instant.now().truncatedTo(ChronoUnit.DAYS);
    SplittableRandom random = new SplittableRandom(42);
    for (int from = 0; from < entities; from += CHUNK) {
      int to = Math.min(entities, from + CHUNK);
      List<OnlineRow> rows = new ArrayList<>(to - from);
      for (long id = from; id < to; id++) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Feature feature : view.features()) {
          values.put(feature.name(), (float) random.nextDouble());
        }
        rows.add(new OnlineRow(EntityKey.of(id), eventTime, values));
      }
      store.write(view.name(), rows);
    }
  }
}
