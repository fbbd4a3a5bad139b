package dev.slipway.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.features.DataSource;
import dev.slipway.features.Entity;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureView;
import dev.slipway.features.Materializer;
import dev.slipway.features.ValueType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void materializesIntoRedisAndKeepsTheWatermarkThere(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("drivers.parquet");
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute("COPY (SELECT i::BIGINT AS driver_id, i * 0.5 AS conv_rate, "
          + "TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (i) MINUTE AS ts FROM range(30) t(i)) "
          + "TO '" + file + "' (FORMAT parquet)");
    }
    FeatureView view = new FeatureView("drivers", List.of("driver"),
        List.of(new Feature("conv_rate", ValueType.FLOAT64)), "src", Duration.ZERO, true);
    Entity driver = new Entity("driver",
        List.of(new Entity.JoinKey("driver_id", ValueType.INT64)), "");
    DataSource source = new DataSource("src", file, DataSource.Format.PARQUET, "ts", null);
    Materializer materializer = new Materializer(store, 7);

    Materializer.Result first = materializer.materializeIncremental(view, source,
        List.of(driver), T0.plusSeconds(600), null);
    Materializer.Result second = materializer.materializeIncremental(view, source,
        List.of(driver), T0.plusSeconds(3600), null);

    assertThat(first.rowsWritten()).isEqualTo(10);
    assertThat(second.rowsWritten()).isEqualTo(20);
    assertThat(materializer.watermark("drivers")).contains(T0.plusSeconds(3600));
    assertThat(store.read("drivers", List.of(EntityKey.of(29L)), List.of("conv_rate")).get(0)
        .orElseThrow().values()).containsEntry("conv_rate", 14.5);
  }

  @AfterEach
  void deleteKeysOfThisRun() {
    RedisTestSupport.deleteKeys(prefix);
  }

  private List<String> keysOfThisRun() {
    return RedisTestSupport.keys(prefix);
  }
}
