package dev.slipway.features.offline;

import dev.slipway.features.FeatureDefinitions;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Times a historical retrieval of N entity rows against 3 feature views of N rows each, written
 * to Parquet. Not a test: run by hand, e.g.
 * {@code java -cp <test-classpath> dev.slipway.features.offline.PointInTimeJoinBenchmark 1000000
 * [memoryLimit] [ondemand]}; {@code ondemand} adds one on-demand feature computed per row in Java.
 * Reports the join time, the JVM's peak heap and DuckDB's memory limit (DuckDB's own memory is
 * native and bounded by that limit, so the JVM figure is what Java holds).
 */
public final class PointInTimeJoinBenchmark {
  private PointInTimeJoinBenchmark() {}

  public static void main(String[] args) throws Exception {
    long n = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000L;
    String memoryLimit = args.length > 1 ? args[1] : "1GB";
    Path dir = Files.createTempDirectory("pit-bench");
    long generateStart = System.nanoTime();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duck.createStatement()) {
      long keys = Math.max(1, n / 10);
      // Entity rows ask about random times in 30 days; each view has one row per entity every
      // few hours over the same span, so most rows find a value and some fall outside the TTL.
      statement.execute("COPY (SELECT i AS row_id, (hash(i) % " + keys + ")::BIGINT AS "
          + "driver_id, TIMESTAMP '2026-01-01' + to_seconds((hash(i * 7) % 2592000)::BIGINT) "
          + "AS ts FROM range(" + n + ") t(i)) TO '" + dir.resolve("entities.parquet")
          + "' (FORMAT parquet)");
      for (int v = 0; v < 3; v++) {
        statement.execute("COPY (SELECT (hash(i + " + v + ") % " + keys + ")::BIGINT AS "
            + "driver_id, TIMESTAMP '2026-01-01' + to_seconds((hash(i * 13 + " + v + ") "
            + "% 2592000)::BIGINT) AS event_ts, TIMESTAMP '2026-01-01' + to_seconds(i) AS "
            + "created_ts, random() AS f" + v + "_a, (i % 1000)::BIGINT AS f" + v + "_b FROM "
            + "range(" + n + ") t(i)) TO '" + dir.resolve("view" + v + ".parquet")
            + "' (FORMAT parquet)");
      }
    }
    long generateMillis = (System.nanoTime() - generateStart) / 1_000_000;
    StringBuilder yaml = new StringBuilder("entities:\n  - name: driver\n"
        + "    join_keys: {driver_id: int64}\nsources:\n");
    for (int v = 0; v < 3; v++) {
      yaml.append("  - name: src").append(v).append("\n    path: view").append(v)
          .append(".parquet\n    timestamp_field: event_ts\n"
              + "    created_timestamp_field: created_ts\n");
    }
    yaml.append("feature_views:\n");
    boolean onDemand = args.length > 2 && args[2].equals("ondemand");
    for (int v = 0; v < 3; v++) {
      yaml.append("  - name: view").append(v).append("\n    entities: [driver]\n    source: src")
          .append(v).append("\n    ttl: 7d\n    features: {f").append(v).append("_a: float64, f")
          .append(v).append("_b: int64}\n");
    }
    if (onDemand) {
      yaml.append("on_demand_feature_views:\n  - name: derived\n"
          + "    inputs: {a: \"view0:f0_a\", b: \"view1:f1_b\"}\n"
          + "    features:\n      - {name: score, type: float64, expression: \"a * 2 + b\"}\n");
    }
    Files.writeString(dir.resolve("features.yaml"), yaml);
    FeatureDefinitions definitions = FeatureDefinitions.load(dir.resolve("features.yaml"));
    List<String> refs = new java.util.ArrayList<>(List.of("view0:f0_a", "view0:f0_b",
        "view1:f1_a", "view1:f1_b", "view2:f2_a", "view2:f2_b"));
    if (onDemand) {
      refs.add("derived:score");
    }
    AtomicLong progress = new AtomicLong();
    AtomicLong progressCalls = new AtomicLong();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    long start = System.nanoTime();
    long rows;
    String effectiveLimit;
    try (OfflineStore store = OfflineStore.open(definitions,
        new OfflineStore.Options(dir.resolve("work"), memoryLimit, 0))) {
      effectiveLimit = store.memoryLimit();
      rows = store.getHistoricalFeatures(EntityRows.file(dir.resolve("entities.parquet"), "ts"),
          refs, dir.resolve("training.parquet"), written -> {
            progress.set(written);
            progressCalls.incrementAndGet();
          });
    }
    long joinMillis = (System.nanoTime() - start) / 1_000_000;
    long peakHeap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peakHeap += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf("N=%d entity rows x 3 views of %d rows (2 features each, created-timestamp"
        + " dedup on)%s%n", n, n, onDemand ? " + 1 on-demand feature" : "");
    System.out.printf("generate: %d ms; join to Parquet: %d ms; rows written: %d"
        + " (last progress %d after %d progress calls)%n", generateMillis, joinMillis, rows,
        progress.get(), progressCalls.get());
    System.out.printf("JVM peak heap used: %.1f MB (max heap %.0f MB); DuckDB memory_limit: %s;"
        + " cores: %d; output: %.1f MB%n", peakHeap / 1e6,
        Runtime.getRuntime().maxMemory() / 1e6, effectiveLimit,
        Runtime.getRuntime().availableProcessors(),
        Files.size(dir.resolve("training.parquet")) / 1e6);
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
