package dev.slipway.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisOnlineStoreTest extends OnlineStoreContract {
  // Unique per run: CI shares this Redis, and runs must neither see nor delete others' keys.
  private final String prefix = "slipway-test-" + UUID.randomUUID();

  @BeforeAll
  static void requireRedis() {
    RedisTestSupport.assumeRedisReachable(RedisOnlineStoreTest.class.getSimpleName());
  }

  @Override
  protected OnlineStore openStore() {
    return OnlineStores.redis(RedisTestSupport.URI, prefix);
  }

  @Override
  protected OnlineStore reopenStore() {
    return OnlineStores.redis(RedisTestSupport.URI, prefix);
  }

  @Test
  void keysCarryThePrefixViewAndEntityKey() {
    store.write("view_a", List.of(row(42L, T0, "v", 1)));
    assertThat(keysOfThisRun()).containsExactly(prefix + ":view_a:42");
  }

  @AfterEach
  void deleteKeysOfThisRun() {
    List<String> keys = keysOfThisRun();
    if (!keys.isEmpty()) {
      try (RedisClient client = RedisClient.create(RedisTestSupport.URI);
          StatefulRedisConnection<String, String> connection = client.connect()) {
        RedisCommands<String, String> commands = connection.sync();
        for (int from = 0; from < keys.size(); from += 1000) {
          commands.del(keys.subList(from, Math.min(keys.size(), from + 1000))
              .toArray(String[]::new));
        }
      }
    }
  }

  private List<String> keysOfThisRun() {
    try (RedisClient client = RedisClient.create(RedisTestSupport.URI);
        StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> commands = connection.sync();
      List<String> keys = new java.util.ArrayList<>();
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
}
