package dev.slipway.features.online;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Online read latency, one entity with 250 float features: RocksDB in-process, Redis through
 * RedisOnlineStore, and a raw Lettuce MGET of the same key (the command the store sends) as the
 * floor. A plain main, not a test: surefire must not run it. Bounded in reads and in time.
 *
 * <p>Run after {@code test-compile} with the module's test classpath; arguments: reads per case
 * (default 100000), Redis URI (default redis://127.0.0.1:6379).
 */
public final class OnlineReadBenchmark {
  private static final int FEATURES = 250;
  private static final int WARM_UP_READS = 20_000;
  private static final long MAX_NANOS_PER_CASE = 60_000_000_000L;
  private static final String VIEW = "bench_view";

  private OnlineReadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int reads = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    String redisUri = args.length > 1 ? args[1] : "redis://127.0.0.1:6379";
    List<String> features = new ArrayList<>();
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < FEATURES; i++) {
      features.add("f" + i);
      values.put("f" + i, i * 0.5f);
    }
    List<EntityKey> keys = List.of(EntityKey.of(1001L));
    List<OnlineRow> rows = List.of(new OnlineRow(keys.get(0), Instant.now(), values));
    System.out.printf(Locale.ROOT, "1 entity x %d float32 features, %d reads after %d warm-up"
        + " reads, cores=%d%n", FEATURES, reads, WARM_UP_READS,
        Runtime.getRuntime().availableProcessors());

    Path folder = Files.createTempDirectory("slipway-bench-rocksdb");
    try (OnlineStore rocksDb = OnlineStores.rocksDb(folder)) {
      rocksDb.write(VIEW, rows);
      measure("RocksDB in-process (read + decode)", reads,
          () -> check(rocksDb.read(VIEW, keys, features)));
    } finally {
      try (Stream<Path> files = Files.walk(folder)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }

    String prefix = "slipway-bench-" + UUID.randomUUID();
    try (OnlineStore redis = OnlineStores.redis(redisUri, prefix)) {
      redis.write(VIEW, rows);
      measure("Redis via RedisOnlineStore (MGET + decode)", reads,
          () -> check(redis.read(VIEW, keys, features)));
    }
    RedisClient client = RedisClient.create(redisUri);
    try (StatefulRedisConnection<String, byte[]> connection =
        client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
      RedisCommands<String, byte[]> commands = connection.sync();
      String key = prefix + ":" + VIEW + ":" + keys.get(0).encoded();
      byte[] stored = commands.get(key);
      System.out.printf(Locale.ROOT, "stored value: %d bytes%n", stored.length);
      measure("raw Lettuce MGET of the same key (floor)", reads, () -> {
        List<KeyValue<String, byte[]>> value = commands.mget(key);
        if (!value.get(0).hasValue()) {
          throw new IllegalStateException("benchmark key " + key + " vanished");
        }
      });
      commands.del(key);
    } finally {
      client.shutdown();
    }
  }

  private static void check(List<java.util.Optional<OnlineRow>> read) {
    if (read.get(0).isEmpty() || read.get(0).get().values().size() != FEATURES) {
      throw new IllegalStateException("benchmark read returned " + read
          + " (expected one row with " + FEATURES + " features)");
    }
  }

  private static void measure(String name, int reads, Runnable read) {
    long deadline = System.nanoTime() + MAX_NANOS_PER_CASE;
    for (int i = 0; i < WARM_UP_READS && System.nanoTime() < deadline; i++) {
      read.run();
    }
    long[] nanos = new long[reads];
    int done = 0;
    while (done < reads && System.nanoTime() < deadline) {
      long started = System.nanoTime();
      read.run();
      nanos[done++] = System.nanoTime() - started;
    }
    long[] measured = Arrays.copyOf(nanos, done);
    Arrays.sort(measured);
    System.out.printf(Locale.ROOT, "%-45s reads=%d p50=%.1f us p99=%.1f us p99.9=%.1f us%n",
        name, done, percentile(measured, 0.50), percentile(measured, 0.99),
        percentile(measured, 0.999));
  }

  private static double percentile(long[] sorted, double quantile) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1000.0;
  }
}
