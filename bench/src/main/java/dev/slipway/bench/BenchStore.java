package dev.slipway.bench;

import com.linecorp.armeria.common.CommonPools;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.OnlineStores;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;

/**
 * The online store a bench launcher fills and serves, from its options: {@code --store rocksdb
 * --dir DIR} or {@code --store redis [--redis-uri URI] [--redis-prefix NAME]}. With Redis, every
 * key starts with a unique prefix (or the one given) and a shutdown hook, registered before
 * anything is written, deletes them when the launcher stops.
 */
final class BenchStore {
  final OnlineStore store;
  final String kind;
  /** Where the data is, for log lines: the folder, or the Redis URI and prefix. */
  final String where;
  /** The {@code ready} line's suffix naming the Redis prefix, empty for RocksDB. */
  final String readySuffix;

  private BenchStore(OnlineStore store, String kind, String where, String readySuffix) {
    this.store = store;
    this.kind = kind;
    this.where = where;
    this.readySuffix = readySuffix;
  }

  static BenchStore open(Options options) {
    String kind = options.string("store", "rocksdb");
    if (kind.equals("rocksdb")) {
      String dir = options.required("dir");
      return new BenchStore(OnlineStores.rocksDb(Path.of(dir)), kind, dir, "");
    }
    if (!kind.equals("redis")) {
      throw options.fail("--store: '" + kind + "' (expected rocksdb or redis)");
    }
    String uri = options.string("redis-uri", "redis://127.0.0.1:6379");
    String prefix = options.string("redis-prefix",
        "slipwaybench" + ProcessHandle.current().pid() + "x" + System.currentTimeMillis());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteKeys(uri, prefix)));
    // Both launchers serve on Armeria's shared event loops, as `slipway serve` does.
    return new BenchStore(OnlineStores.redis(uri, prefix, CommonPools.workerGroup()), kind,
        uri + " (prefix " + prefix + ")", " redis_prefix=" + prefix);
  }

  /** Deletes every key under {@code prefix + ":"}, SCAN by SCAN (never KEYS on a shared Redis). */
  private static void deleteKeys(String redisUri, String prefix) {
    RedisClient client = RedisClient.create(redisUri);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      var commands = connection.sync();
      ScanArgs match = ScanArgs.Builder.matches(prefix + ":*").limit(1_000);
      ScanCursor cursor = ScanCursor.INITIAL;
      long deleted = 0;
      do {
        KeyScanCursor<String> page = commands.scan(cursor, match);
        if (!page.getKeys().isEmpty()) {
          deleted += commands.del(page.getKeys().toArray(String[]::new));
        }
        cursor = page;
      } while (!cursor.isFinished());
      System.err.println("deleted " + deleted + " Redis keys under " + prefix + ":");
    } catch (RuntimeException e) {
      System.err.println("could not delete the Redis keys under " + prefix + ": " + e);
    } finally {
      client.shutdown();
    }
  }
}
