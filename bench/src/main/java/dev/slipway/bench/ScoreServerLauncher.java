package dev.slipway.bench;

import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.ScoreStore;
import dev.slipway.serving.CompositeModelSource;
import dev.slipway.serving.InferenceServer;
import dev.slipway.serving.ScoreDeployment;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Runs Slipway's {@link InferenceServer} with no models and one pre-computed score deployment,
 * {@code churn}, in a JVM of its own, for run-scores-bench.sh: it first writes the scores of
 * {@code --entities} entities (ids 0 to N-1, two float score columns, model bc version 1, as a
 * batch pipeline's online score sink would) into a score store over RocksDB in {@code --dir} or
 * over Redis, then serves {@code GET /v1/scores/churn/{entity}}. The deployment has no fallback:
 * an unknown entity is a 404, which the benchmark counts as an error.
 *
 * <p>With Redis, every key starts with a unique prefix (or {@code --redis-prefix}); the keys are
 * deleted when the server stops, by its shutdown hook.
 */
public final class ScoreServerLauncher {
  private static final String USAGE = """
      Usage: ScoreServerLauncher --port PORT [--host 127.0.0.1] [--entities 100000]
                                 [--store rocksdb|redis] [--dir DIR]
                                 [--redis-uri redis://127.0.0.1:6379] [--redis-prefix NAME]
      Writes the entities' scores, then serves GET /v1/scores/churn/{entity} until killed;
      prints 'ready port=N'. --dir is required for rocksdb.""";
  static final String DEPLOYMENT = "churn";
  /** Entities written per store call: one call is one RocksDB batch or one Redis script. */
  private static final int CHUNK = 5_000;

  private ScoreServerLauncher() {}

  public static void main(String[] args) {
    Options options = Options.parse(args, Set.of("port", "host", "entities", "store", "dir",
        "redis-uri", "redis-prefix"), USAGE);
    int port = options.integer("port", -1);
    if (port < 0) {
      throw options.fail("--port is required");
    }
    int entities = options.integer("entities", 100_000);
    if (entities < 1) {
      throw options.fail("--entities must be at least 1");
    }
    BenchStore bench = BenchStore.open(options);
    OnlineStore online = bench.store;
    ScoreStore scores = new ScoreStore(online);
    long started = System.nanoTime();
    write(scores, entities);
    System.err.printf("wrote %d entities' scores to %s in %.1f s%n", entities,
        bench.where,
        (System.nanoTime() - started) / 1e9);

    InferenceServer server = InferenceServer.builder(new CompositeModelSource(List.of()))
        .host(options.string("host", "127.0.0.1"))
        .port(port)
        .pollInterval(Duration.ZERO)
        .scores(scores, List.of(new ScoreDeployment(DEPLOYMENT, "customer_id", null, Map.of(),
            false)))
        .build()
        .start();
    // Hooks run concurrently: stop the server and close the store in one, in that order.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      online.close();
    }));
    System.out.println("ready port=" + server.port() + " store=" + bench.kind
        + " entities=" + entities
        + bench.readySuffix);
  }

  /** Scores like a binary classifier's: p and 1 - p, scored a little while after the window. */
  private static void write(ScoreStore store, int entities) {
    Instant dataTime = Instant.now().truncatedTo(ChronoUnit.DAYS);
    Instant scoredAt = dataTime.plusMillis(1_234);
    SplittableRandom random = new SplittableRandom(42);
    for (int from = 0; from < entities; from += CHUNK) {
      int to = Math.min(entities, from + CHUNK);
      Map<EntityKey, ScoreStore.Scores> chunk = new LinkedHashMap<>();
      for (int id = from; id < to; id++) {
        float p = (float) random.nextDouble();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("probabilities_0", p);
        values.put("probabilities_1", 1f - p);
        // A String key, as the HTTP path gives it: the stores key rows by its encoded form.
        chunk.put(EntityKey.of(Integer.toString(id)),
            new ScoreStore.Scores(values, "bc", 1L, scoredAt, dataTime));
      }
      store.write(DEPLOYMENT, chunk);
    }
  }

}
