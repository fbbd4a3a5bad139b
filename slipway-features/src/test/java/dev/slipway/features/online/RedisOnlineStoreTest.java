package dev.slipway.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.features.DataSource;
import dev.slipway.features.Entity;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureView;
import dev.slipway.features.Materializer;
import dev.slipway.features.ValueType;
import dev.slipway.features.online.internal.RedisOnlineStore;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

  @Test
  void readsCalledOnAServerEventLoop_completeOnThatLoop_allOfOneTurnAnswered() throws Exception {
    store.write(VIEW, List.of(row(42L, T0, "v", "seven"), row(44L, T0, "v", "nine")));
    EventLoopGroup serverLoops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try (RedisOnlineStore onLoops = new RedisOnlineStore(RedisTestSupport.URI, prefix,
        serverLoops)) {
      assertThat(onLoops.loopConnections()).isEqualTo(2);
      for (EventExecutor loop : serverLoops) {
        CompletableFuture<Thread> caller = new CompletableFuture<>();
        List<CompletableFuture<Thread>> continuations = new ArrayList<>();
        List<CompletableFuture<String>> values = new ArrayList<>();
        // Three reads in one turn of the loop: they share one flush.
        loop.execute(() -> {
          for (long id : new long[] {42L, 43L, 44L}) {
            CompletableFuture<Thread> continuation = new CompletableFuture<>();
            continuations.add(continuation);
            values.add(onLoops.readAsync(VIEW, List.of(EntityKey.of(id)), List.of("v"))
                .thenApply(rows -> {
                  continuation.complete(Thread.currentThread());
                  return rows.get(0).map(row -> (String) row.values().get("v")).orElse("none");
                }));
          }
          // Last: the lists are complete when the test thread sees this.
          caller.complete(Thread.currentThread());
        });
        assertThat(caller.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(values.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("seven");
        assertThat(values.get(1).get(10, TimeUnit.SECONDS)).isEqualTo("none");
        assertThat(values.get(2).get(10, TimeUnit.SECONDS)).isEqualTo("nine");
        for (CompletableFuture<Thread> continuation : continuations) {
          assertThat(continuation.get(10, TimeUnit.SECONDS)).isSameAs(caller.get());
        }
      }
      // Called elsewhere, a read still answers (through the shared connection).
      assertThat(onLoops.read(VIEW, List.of(EntityKey.of(42L)), List.of("v")).get(0)
          .orElseThrow().values()).containsEntry("v", "seven");
    } finally {
      serverLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @AfterEach
  void deleteKeysOfThisRun() {
    RedisTestSupport.deleteKeys(prefix);
  }

  private List<String> keysOfThisRun() {
    return RedisTestSupport.keys(prefix);
  }
}
