package dev.slipway.batch.pipeline;

import dev.slipway.core.testing.Fixtures;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.OnlineStores;
import dev.slipway.features.online.ScoreStore;
import dev.slipway.registry.Registry;
import dev.slipway.registry.RegistryConfig;
import dev.slipway.registry.models.NewModelVersion;
import dev.slipway.registry.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A registry holding bc_mlp as model {@code bc} version 1, a run history in the same embedded
 * database, a RocksDB score store, and a breast-cancer source (without labels) whose first 300 rows are stamped
 * {@link #DAY_1} and the other 269 {@link #DAY_2}.
 */
final class PipelineFixture implements AutoCloseable {
  static final Instant DAY_1 = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant DAY_2 = Instant.parse("2026-01-02T00:00:00Z");
  static final int DAY_1_ROWS = 300;

  final Path folder;
  final MutableClock clock = new MutableClock(DAY_1.plusSeconds(3600).toEpochMilli());
  final Registry registry;
  final RunHistory history;
  final OnlineStore online;
  final ScoreStore scores;
  final Path source;

  PipelineFixture(Path folder) throws IOException {
    this.folder = folder;
    RegistryConfig config = RegistryConfig.embedded(folder.resolve("data"));
    registry = Registry.open(config);
    history = RunHistory.open(config.jdbcUrl(), clock);
    online = OnlineStores.rocksDb(folder.resolve("online"));
    scores = new ScoreStore(online);
    try (InputStream model = Files.newInputStream(Fixtures.path("bc_mlp.onnx"))) {
      registry.artifacts().put("uploads/bc/model.onnx", model);
    }
    registry.models().createRegisteredModel("bc", null, java.util.Map.of(), "tester");
    registry.models().createModelVersion(NewModelVersion.of("bc", "uploads/bc"), "tester");
    source = folder.resolve("customers.csv");
    writeSource(source);
  }

  PipelineRunner runner() {
    return new PipelineRunner(registry.models(), history, null, scores, null,
        folder.resolve("work"), folder.resolve("quarantine"), clock);
  }

  private static void writeSource(Path file) throws IOException {
    List<String> lines = Files.readAllLines(Fixtures.path("breast_cancer.csv"));
    List<String> out = new ArrayList<>();
    // The label column is left out: customers waiting for a score have none.
    out.add("customer_id,event_timestamp," + withoutLastColumn(lines.get(0)));
    for (int row = 1; row < lines.size(); row++) {
      Instant time = row <= DAY_1_ROWS ? DAY_1 : DAY_2;
      out.add((row - 1) + "," + time + "," + withoutLastColumn(lines.get(row)));
    }
    Files.write(file, out);
  }

  private static String withoutLastColumn(String line) {
    return line.substring(0, line.lastIndexOf(','));
  }

  @Override
  public void close() {
    online.close();
    history.close();
    registry.close();
  }
}
