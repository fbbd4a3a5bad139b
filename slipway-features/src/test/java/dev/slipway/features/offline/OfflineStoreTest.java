package dev.slipway.features.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidInputException;
import dev.slipway.features.FeatureDefinitions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineStoreTest {
  static final LocalDateTime T0 = LocalDateTime.of(2026, 1, 1, 0, 0);

  static final String YAML = """
      entities:
        - name: driver
          join_keys: {driver_id: int64}
        - name: rider
          join_keys: {rider_id: int64}
      sources:
        - name: driver_src
          path: driver.parquet
          timestamp_field: event_ts
          created_timestamp_field: created_ts
        - name: rider_src
          path: rider.csv
          timestamp_field: event_ts
      feature_views:
        - name: driver_stats
          entities: [driver]
          source: driver_src
          ttl: 1d
          features: {rate: float64, trips: int64}
        - name: driver_forever
          entities: [driver]
          source: driver_src
          ttl: 0
          features: {rate: float64}
        - name: rider_stats
          entities: [rider]
          source: rider_src
          ttl: 7d
          features: {rating: float64}
      on_demand_feature_views:
        - name: combined
          request_fields: {distance: float64}
          inputs: {rate: "driver_stats:rate", rating: "rider_stats:rating"}
          features:
            - name: score
              type: float64
              expression: "rate * 10 + rating + math:max(distance, 1)"
            - name: good
              type: bool
              expression: "rating >= 4 ? true : false"
      feature_services:
        - name: model
          features: ["driver_stats:rate", "rider_stats:rating", "combined:score"]
      """;

  @TempDir Path dir;
  Connection duck;
  OfflineStore store;

  @BeforeEach
  void open() throws SQLException {
    duck = DriverManager.getConnection("jdbc:duckdb:");
  }

  @AfterEach
  void close() throws SQLException {
    if (store != null) {
      store.close();
    }
    duck.close();
  }

  void exec(String sql) throws SQLException {
    try (Statement statement = duck.createStatement()) {
      statement.execute(sql);
    }
  }

  /** driver rows: {driver_id, event hour offset, created minute offset, rate, trips}. */
  void writeDriver(List<Object[]> rows) throws SQLException {
    exec("CREATE OR REPLACE TABLE d (driver_id BIGINT, event_ts TIMESTAMP, created_ts TIMESTAMP,"
        + " rate DOUBLE, trips BIGINT)");
    try (PreparedStatement insert = duck.prepareStatement("INSERT INTO d VALUES (?,?,?,?,?)")) {
      for (Object[] row : rows) {
        insert.setLong(1, (Long) row[0]);
        insert.setObject(2, T0.plusMinutes((Long) row[1]));
        insert.setObject(3, T0.plusMinutes((Long) row[2]));
        insert.setObject(4, row[3]);
        insert.setObject(5, row[4]);
        insert.addBatch();
      }
      insert.executeBatch();
    }
    exec("COPY d TO '" + dir.resolve("driver.parquet") + "' (FORMAT parquet)");
  }

  void writeRider(String csvBody) throws IOException {
    Files.writeString(dir.resolve("rider.csv"), "rider_id,event_ts,rating\n" + csvBody);
  }

  OfflineStore store() throws IOException {
    Path yaml = dir.resolve("features.yaml");
    Files.writeString(yaml, YAML);
    store = OfflineStore.open(FeatureDefinitions.load(yaml),
        new OfflineStore.Options(dir.resolve("work"), "256MB", 2));
    return store;
  }

  /** Reads the output ordered by the entity column {@code id}. */
  List<Map<String, Object>> read(Path parquet) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Statement statement = duck.createStatement();
        ResultSet result = statement.executeQuery("SELECT * FROM read_parquet('" + parquet
            + "') ORDER BY id")) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        Map<String, Object> row = new HashMap<>();
        for (int c = 1; c <= columns; c++) {
          row.put(result.getMetaData().getColumnName(c), result.getObject(c));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  static List<Object> entity(long id, long driver, long minutes) {
    return List.of(id, driver, T0.plusMinutes(minutes));
  }

  EntityRows entities(List<List<Object>> rows) {
    return EntityRows.table(List.of("id", "driver_id", "ts"), rows, "ts");
  }

  @Test
  void matchesABruteForceOracleOnRandomData() throws Exception {
    Random random = new Random(42);
    List<Object[]> features = new ArrayList<>();
    int drivers = 40;
    for (int i = 0; i < 4000; i++) {
      long event = 60L * random.nextInt(24 * 20); // hourly, so equal event times are common
      long created = event + i; // distinct per row: ties have exactly one latest created
      features.add(new Object[] {(long) random.nextInt(drivers), event, created,
          random.nextInt(10) == 0 ? null : random.nextDouble(), (long) i});
    }
    writeDriver(features);
    writeRider("");
    List<List<Object>> entityRows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      entityRows.add(entity(i, random.nextInt(drivers + 2), 30L * random.nextInt(2 * 24 * 22)));
    }
    Path out = dir.resolve("out.parquet");
    List<Long> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
    long rows = store().getHistoricalFeatures(entities(entityRows),
        List.of("driver_stats:rate", "driver_stats:trips", "driver_forever:rate"), out,
        progress::add);
    assertThat(rows).isEqualTo(3000);
    assertThat(progress).isSorted().last().isEqualTo(3000L);
    List<Map<String, Object>> result = read(out);
    assertThat(result).hasSize(3000);
    int nonNull = 0;
    for (int i = 0; i < 3000; i++) {
      long driver = (Long) entityRows.get(i).get(1);
      LocalDateTime ts = (LocalDateTime) entityRows.get(i).get(2);
      Object[] best = null;
      for (Object[] feature : features) {
        LocalDateTime event = T0.plusMinutes((Long) feature[1]);
        if ((Long) feature[0] == driver && !event.isAfter(ts) && (best == null
            || (Long) feature[1] > (Long) best[1]
            || ((Long) feature[1]).equals(best[1]) && (Long) feature[2] > (Long) best[2])) {
          best = feature;
        }
      }
      boolean fresh = best != null && !T0.plusMinutes((Long) best[1]).isBefore(ts.minusDays(1));
      Map<String, Object> row = result.get(i);
      assertThat(row.get("id")).isEqualTo((long) i);
      assertThat(row.get("driver_forever__rate")).as("row %d", i)
          .isEqualTo(best == null ? null : best[3]);
      assertThat(row.get("driver_stats__rate")).as("row %d", i)
          .isEqualTo(fresh ? best[3] : null);
      assertThat(row.get("driver_stats__trips")).as("row %d", i)
          .isEqualTo(fresh ? best[4] : null);
      nonNull += fresh ? 1 : 0;
    }
    // The data must exercise both sides of the TTL, or the comparison proves little.
    assertThat(nonNull).isBetween(300, 2700);
  }

  @Test
  void ttlTiesAndRowsBeforeAnyFeature() throws Exception {
    writeDriver(List.of(
        new Object[] {1L, 60L, 60L, 1.0, 10L},
        new Object[] {1L, 120L, 200L, 2.0, 20L}, // same event time: created later wins
        new Object[] {1L, 120L, 130L, 3.0, 30L},
        new Object[] {2L, 600L, 600L, 5.0, 50L}));
    writeRider("");
    Path out = dir.resolve("out.parquet");
    store().getHistoricalFeatures(entities(List.of(
        entity(0, 1, 59), // before any row of driver 1
        entity(1, 1, 60), // exactly at the event time: included
        entity(2, 1, 119), // never from the future
        entity(3, 1, 120),
        entity(4, 1, 120 + 24 * 60), // exactly at the TTL bound: still fresh
        entity(5, 1, 121 + 24 * 60), // one minute past the TTL
        entity(6, 2, 599),
        entity(7, 3, 5000))), // unknown driver
        List.of("driver_stats:rate", "driver_forever:rate"), out, null);
    List<Map<String, Object>> rows = read(out);
    assertThat(rows).extracting(r -> r.get("driver_stats__rate"))
        .containsExactly(null, 1.0, 1.0, 2.0, 2.0, null, null, null);
    assertThat(rows).extracting(r -> r.get("driver_forever__rate"))
        .containsExactly(null, 1.0, 1.0, 2.0, 2.0, 2.0, null, null);
  }

  @Test
  void joinsTwoViewsAndComputesOnDemandFeaturesFromAFile() throws Exception {
    writeDriver(List.<Object[]>of(new Object[] {1L, 0L, 0L, 0.5, 1L},
        new Object[] {2L, 0L, 0L, null, 1L}));
    writeRider("7,2026-01-01 00:00:00,4.5\n8,2026-01-01 00:00:00,3.0\n");
    exec("COPY (SELECT * FROM (VALUES (0, 1, 7, 2.0, TIMESTAMP '2026-01-01 01:00:00'),"
        + " (1, 1, 8, 0.5, TIMESTAMP '2026-01-01 01:00:00'),"
        + " (2, 2, 7, 3.0, TIMESTAMP '2026-01-01 01:00:00'),"
        + " (3, 1, 7, 3.0, TIMESTAMP '2026-01-09 01:00:00'))"
        + " t(id, driver_id, rider_id, distance, ts)) TO '" + dir.resolve("entities.parquet")
        + "' (FORMAT parquet)");
    Path out = dir.resolve("out.parquet");
    AtomicLong progress = new AtomicLong();
    long rows = store().getHistoricalFeatures(
        EntityRows.file(dir.resolve("entities.parquet"), "ts"), "model", out, progress::set);
    assertThat(rows).isEqualTo(4);
    assertThat(progress.get()).isEqualTo(4);
    List<Map<String, Object>> result = read(out);
    assertThat(result.get(0)).containsEntry("driver_stats__rate", 0.5)
        .containsEntry("rider_stats__rating", 4.5).containsEntry("combined__score", 11.5)
        .doesNotContainKey("combined__good");
    assertThat(result.get(1)).containsEntry("rider_stats__rating", 3.0)
        .containsEntry("combined__score", 9.0);
    // A missing input makes the computed feature missing.
    assertThat(result.get(2)).containsEntry("driver_stats__rate", null)
        .containsEntry("combined__score", null);
    // Rider rating is 8 days old (TTL 7d), driver rate too (TTL 1d).
    assertThat(result.get(3)).containsEntry("rider_stats__rating", null)
        .containsEntry("combined__score", null);
    assertThat(result.get(0).keySet()).containsExactlyInAnyOrder("id", "driver_id", "rider_id",
        "distance", "ts", "driver_stats__rate", "rider_stats__rating", "combined__score");
    try (var files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void refusesUnknownFeaturesAndMissingColumns() throws Exception {
    writeDriver(List.<Object[]>of(new Object[] {1L, 0L, 0L, 0.5, 1L}));
    writeRider("");
    OfflineStore offline = store();
    Path out = dir.resolve("out.parquet");
    assertThatThrownBy(() -> offline.getHistoricalFeatures(entities(List.of(entity(0, 1, 0))),
        List.of("driver_stats:nope"), out, null)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'driver_stats:nope' is not defined");
    assertThatThrownBy(() -> offline.getHistoricalFeatures(entities(List.of(entity(0, 1, 0))),
        List.of("rider_stats:rating"), out, null)).isInstanceOf(InvalidInputException.class)
        .hasMessageContainingAll("missing column 'rider_id'", "entity 'rider'");
    assertThatThrownBy(() -> offline.getHistoricalFeatures(entities(List.of(entity(0, 1, 0))),
        List.of("combined:score"), out, null)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("missing column");
    exec("COPY (SELECT 1::BIGINT AS rider_id, TIMESTAMP '2026-01-01' AS event_ts) TO '"
        + dir.resolve("rider.csv") + "' (HEADER)");
    assertThatThrownBy(() -> offline.getHistoricalFeatures(EntityRows.table(
        List.of("rider_id", "ts"), List.of(List.of(1L, T0)), "ts"),
        List.of("rider_stats:rating"), out, null)).isInstanceOf(InvalidInputException.class)
        .hasMessageContainingAll("source 'rider_src'", "rider.csv", "feature view 'rider_stats'",
            "missing column 'rating'");
    Files.delete(dir.resolve("rider.csv"));
    assertThatThrownBy(() -> offline.getHistoricalFeatures(EntityRows.table(
        List.of("rider_id", "ts"), List.of(List.of(1L, T0)), "ts"),
        List.of("rider_stats:rating"), out, null)).isInstanceOf(InvalidInputException.class)
        .hasMessageContainingAll("rider.csv", "file not found");
    assertThat(out).doesNotExist();
  }

  @Test
  void worksUnderATightMemoryLimit() throws Exception {
    // 200k feature rows and entity rows against a 32 MB limit: DuckDB must work within it
    // (spilling to the work directory if needed) instead of failing or growing.
    exec("COPY (SELECT i % 1000 AS driver_id, TIMESTAMP '2026-01-01' + to_seconds(i) AS event_ts,"
        + " TIMESTAMP '2026-01-01' + to_seconds(i) AS created_ts, i * 0.5 AS rate, i AS trips"
        + " FROM range(200000) t(i)) TO '" + dir.resolve("driver.parquet") + "' (FORMAT parquet)");
    writeRider("");
    exec("COPY (SELECT i AS id, i % 1000 AS driver_id, TIMESTAMP '2026-01-01' + to_seconds(i + 1)"
        + " AS ts FROM range(200000) t(i)) TO '" + dir.resolve("entities.parquet")
        + "' (FORMAT parquet)");
    Path yaml = dir.resolve("features.yaml");
    Files.writeString(yaml, YAML);
    store = OfflineStore.open(FeatureDefinitions.load(yaml),
        new OfflineStore.Options(dir.resolve("work"), "32MB", 1));
    assertThat(store.memoryLimit()).contains("MiB");
    Path out = dir.resolve("out.parquet");
    long rows = store.getHistoricalFeatures(
        EntityRows.file(dir.resolve("entities.parquet"), "ts"), List.of("driver_stats:trips"),
        out, null);
    assertThat(rows).isEqualTo(200_000);
    try (Statement statement = duck.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FILTER (WHERE "
            + "driver_stats__trips = id), count(*) FROM read_parquet('" + out + "')")) {
      result.next();
      // Each entity row asks one second after its own feature row: it must find exactly it.
      assertThat(result.getLong(1)).isEqualTo(200_000);
    }
  }

  @Test
  void readsCsvEntityRows() throws Exception {
    writeDriver(List.<Object[]>of(new Object[] {1L, 0L, 0L, 0.5, 1L}));
    writeRider("");
    Files.writeString(dir.resolve("entities.csv"),
        "id,driver_id,ts\n0,1,2026-01-01 00:30:00\n1,1,2025-12-31 23:00:00\n");
    Path out = dir.resolve("out.parquet");
    store().getHistoricalFeatures(EntityRows.file(dir.resolve("entities.csv"), "ts"),
        List.of("driver_stats:rate"), out, null);
    assertThat(read(out)).extracting(r -> r.get("driver_stats__rate")).containsExactly(0.5, null);
  }
}
