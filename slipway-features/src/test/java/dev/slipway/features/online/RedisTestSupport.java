package dev.slipway.features.online;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the test Redis (127.0.0.1, port 6379 unless the system property slipway.redis.port says
 * otherwise). When it is
 * unreachable the test is skipped loudly, or fails when SLIPWAY_REQUIRE_SERVICES=1 (CI).
 */
public final class RedisTestSupport {
  public static final String HOST = "127.0.0.1";
  public static final int PORT = Integer.getInteger("slipway.redis.port", 6379);
  public static final String URI = "redis://" + HOST + ":" + PORT;

  private RedisTestSupport() {}

  public static void assumeRedisReachable(String testName) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, PORT), 500);
    } catch (IOException e) {
      String message = "Redis at " + HOST + ":" + PORT + " is unreachable (" + e.getMessage()
          + ")";
      if ("1".equals(System.getenv("SLIPWAY_REQUIRE_SERVICES"))) {
        throw new AssertionError(message + " and SLIPWAY_REQUIRE_SERVICES=1", e);
      }
      System.err.println("!!!!! SKIPPING " + testName + ": " + message);
      Assumptions.abort(message);
    }
  }

  /** Every key under {@code prefix + ":"}, SCAN by SCAN (never KEYS on a shared Redis). */
  public static List<String> keys(String prefix) {
    try (RedisClient client = RedisClient.create(URI);
        StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> commands = connection.sync();
      List<String> keys = new ArrayList<>();
      ScanArgs args = ScanArgs.Builder.matches(prefix + ":*").limit(1000);
      KeyScanCursor<String> cursor = commands.scan(args);
      keys.addAll(cursor.getKeys());
      // Bounded: a SCAN of a shared test Redis ends long before this many rounds.
      for (int round = 0; round < 100_000 && !cursor.isFinished(); round++) {
        cursor = commands.scan(ScanCursor.of(cursor.getCursor()), args);
        keys.addAll(cursor.getKeys());
      }
      return keys;
    }
  }

  /** Deletes a test run's keys: CI shares this Redis, so each run cleans only its own prefix. */
  public static void deleteKeys(String prefix) {
    List<String> keys = keys(prefix);
    if (keys.isEmpty()) {
      return;
    }
    try (RedisClient client = RedisClient.create(URI);
        StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> commands = connection.sync();
      for (int from = 0; from < keys.size(); from += 1000) {
        commands.del(keys.subList(from, Math.min(keys.size(), from + 1000))
            .toArray(String[]::new));
      }
    }
  }
}
