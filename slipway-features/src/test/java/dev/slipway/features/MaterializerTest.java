package dev.slipway.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidInputException;
import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.OnlineRow;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.OnlineStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaterializerTest {
  private static final Entity DRIVER = new Entity("driver",
      List.of(new Entity.JoinKey("driver_id", ValueType.INT64)), "a driver");
  private static final FeatureView VIEW = new FeatureView("driver_stats", List.of("driver"),
      List.of(new Feature("conv_rate", ValueType.FLOAT64), new Feature("trips", ValueType.INT32),
          new Feature("city", ValueType.STRING), new Feature("active", ValueType.BOOL),
          new Feature("score", ValueType.FLOAT32)),
      "driver_source", Duration.ofHours(1), true);
  private static final List<String> FEATURES = List.of("conv_rate", "trips", "city", "active",
      "score");

  @TempDir
  Path folder;
  private OnlineStore store;

  @BeforeEach
  void open() {
    store = OnlineStores.rocksDb(folder.resolve("online"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Writes {@code select} to a Parquet file with DuckDB. */
  private Path parquet(String name, String select) throws SQLException {
    Path file = folder.resolve(name + ".parquet");
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute("COPY (" + select + ") TO '" + file + "' (FORMAT parquet)");
    }
    return file;
  }

  private static String rows(String... values) {
    return "SELECT * FROM (VALUES " + String.join(", ", values) + ") AS t(driver_id, conv_rate, "
        + "trips, city, active, score, event_timestamp, created)";
  }

  /** One source row; times are hours after 2026-01-01T00:00Z. */
  private static String row(long driver, double convRate, int trips, int eventHour,
      int createdHour) {
    return "(" + driver + "::BIGINT, " + convRate + "::DOUBLE, " + trips + "::INTEGER, 'c"
        + driver + "', " + (driver % 2 == 0) + ", 0.5::FLOAT, TIMESTAMP '2026-01-01 00:00:00' + "
        + "INTERVAL " + eventHour + " HOUR, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL "
        + createdHour + " HOUR)";
  }

  private static DataSource source(Path file, DataSource.Format format) {
    return new DataSource("driver_source", file, format, "event_timestamp", "created");
  }

  private static Instant hour(int hours) {
    return Instant.parse("2026-01-01T00:00:00Z").plus(Duration.ofHours(hours));
  }

  private Optional<OnlineRow> read(long driver) {
    return store.read("driver_stats", List.of(EntityKey.of(driver)), FEATURES).get(0);
  }

  @Test
  void writesTheLatestRowPerEntityInTheWindow() throws SQLException {
    Path file = parquet("drivers", rows(row(1, 0.1, 1, 1, 1), row(1, 0.3, 3, 3, 3),
        row(1, 0.2, 2, 2, 2), row(2, 0.9, 9, 5, 5), row(2, 0.8, 8, 10, 10),
        row(3, 0.7, 7, 0, 0), row(4, 0.6, 6, 10, 10)));

    Materializer.Result result = new Materializer(store).materialize(VIEW,
        source(file, DataSource.Format.PARQUET), List.of(DRIVER), hour(1), hour(10), null);

    // Window [1h, 10h): driver 2's 10h row and driver 4 are past the end, driver 3 before start.
    assertThat(result.rowsRead()).isEqualTo(4);
    assertThat(result.rowsWritten()).isEqualTo(2);
    OnlineRow first = read(1).orElseThrow();
    assertThat(first.eventTime()).isEqualTo(hour(3));
    assertThat(first.values()).containsExactly(Map.entry("conv_rate", 0.3),
        Map.entry("trips", 3), Map.entry("city", "c1"), Map.entry("active", false),
        Map.entry("score", 0.5f));
    assertThat(read(2).orElseThrow().values()).containsEntry("conv_rate", 0.9);
    assertThat(read(3)).isEmpty();
    assertThat(read(4)).isEmpty();
  }

  @Test
  void doesNotApplyTheTtlWhenMaterializing() throws SQLException {
    Path file = parquet("old", rows(row(1, 0.1, 1, 1, 1)));

    new Materializer(store).materialize(VIEW, source(file, DataSource.Format.PARQUET),
        List.of(DRIVER), hour(0), hour(24 * 365), null);

    assertThat(read(1).orElseThrow().eventTime()).isEqualTo(hour(1));
  }

  @Test
  void lateArrivalsAreSettledByTheCreatedTimestamp() throws SQLException {
    // Same event time; the correction (created later) comes first in the file.
    Path file = parquet("late", rows(row(1, 0.9, 9, 2, 6), row(1, 0.1, 1, 2, 3),
        row(1, 0.5, 5, 1, 8)));

    new Materializer(store).materialize(VIEW, source(file, DataSource.Format.PARQUET),
        List.of(DRIVER), hour(0), hour(24), null);

    assertThat(read(1).orElseThrow().values()).containsEntry("conv_rate", 0.9);
  }

  @Test
  void isIdempotent() throws SQLException {
    Path file = parquet("drivers", rows(row(1, 0.1, 1, 1, 1), row(2, 0.2, 2, 2, 2)));
    Materializer materializer = new Materializer(store);

    Materializer.Result first = materializer.materialize(VIEW,
        source(file, DataSource.Format.PARQUET), List.of(DRIVER), hour(0), hour(24), null);
    Optional<OnlineRow> before = read(1);
    Materializer.Result second = materializer.materialize(VIEW,
        source(file, DataSource.Format.PARQUET), List.of(DRIVER), hour(0), hour(24), null);

    assertThat(second).isEqualTo(first);
    assertThat(read(1)).isEqualTo(before);
  }

  @Test
  void anOlderWindowNeverMovesValuesBack() throws SQLException {
    Path file = parquet("drivers", rows(row(1, 0.1, 1, 1, 1), row(1, 0.5, 5, 5, 5)));
    Materializer materializer = new Materializer(store);
    DataSource source = source(file, DataSource.Format.PARQUET);

    materializer.materialize(VIEW, source, List.of(DRIVER), hour(0), hour(24), null);
    materializer.materialize(VIEW, source, List.of(DRIVER), hour(0), hour(2), null);

    assertThat(read(1).orElseThrow().values()).containsEntry("conv_rate", 0.5);
  }

  @Test
  void incrementalRunsStartAtTheWatermark() throws SQLException {
    FeatureView forever = new FeatureView("driver_stats", VIEW.entities(), VIEW.features(),
        VIEW.source(), Duration.ZERO, true);
    Path file = parquet("drivers", rows(row(1, 0.1, 1, 1, 1), row(2, 0.2, 2, 2, 2)));
    DataSource source = source(file, DataSource.Format.PARQUET);
    Materializer materializer = new Materializer(store);
    assertThat(materializer.watermark("driver_stats")).isEmpty();

    Materializer.Result first = materializer.materializeIncremental(forever, source,
        List.of(DRIVER), hour(2), null);

    assertThat(first.start()).isNull();
    assertThat(first.rowsWritten()).isEqualTo(1);
    assertThat(materializer.watermark("driver_stats")).contains(hour(2));
    assertThat(read(2)).isEmpty();

    // New data arrives; a row before the watermark is not read again.
    parquet("drivers", rows(row(1, 0.1, 1, 1, 1), row(2, 0.2, 2, 2, 2), row(3, 0.3, 3, 4, 4)));
    Materializer.Result second = materializer.materializeIncremental(forever, source,
        List.of(DRIVER), hour(5), null);

    assertThat(second.start()).isEqualTo(hour(2));
    assertThat(second.rowsRead()).isEqualTo(2);
    assertThat(read(2).orElseThrow().values()).containsEntry("conv_rate", 0.2);
    assertThat(read(3).orElseThrow().values()).containsEntry("conv_rate", 0.3);
    assertThat(materializer.watermark("driver_stats")).contains(hour(5));
  }

  @Test
  void aFirstIncrementalRunStartsOneTtlBeforeTheEnd() throws SQLException {
    Path file = parquet("drivers", rows(row(1, 0.1, 1, 1, 1), row(2, 0.2, 2, 9, 9)));

    Materializer.Result result = new Materializer(store).materializeIncremental(VIEW,
        source(file, DataSource.Format.PARQUET), List.of(DRIVER), hour(10), null);

    assertThat(result.start()).isEqualTo(hour(9));
    assertThat(read(1)).isEmpty();
    assertThat(read(2)).isPresent();
  }

  @Test
  void writesInChunksAndReportsProgress() throws SQLException {
    Path file = parquet("many", "SELECT i::BIGINT AS driver_id, i / 10.0 AS conv_rate, "
        + "i::INTEGER AS trips, 'c' || i AS city, i % 2 = 0 AS active, 0.5::FLOAT AS score, "
        + "TIMESTAMP '2026-01-01 01:00:00' AS event_timestamp, "
        + "TIMESTAMP '2026-01-01 01:00:00' AS created FROM range(25) t(i)");
    List<Long> progress = new ArrayList<>();

    Materializer.Result result = new Materializer(store, 10).materialize(VIEW,
        source(file, DataSource.Format.PARQUET), List.of(DRIVER), hour(0), hour(2),
        progress::add);

    assertThat(progress).containsExactly(10L, 20L, 25L);
    assertThat(result.rowsWritten()).isEqualTo(25);
    assertThat(read(24).orElseThrow().values()).containsEntry("trips", 24);
  }

  @Test
  void aTypeViolationNamesRowAndColumnAndWritesNothing() throws SQLException {
    Path file = parquet("bad", "SELECT * FROM (VALUES "
        + "(1::BIGINT, '0.1', 1, 'a', true, 0.5::FLOAT, TIMESTAMP '2026-01-01 01:00:00', "
        + "TIMESTAMP '2026-01-01 01:00:00')) AS t(driver_id, conv_rate, trips, city, active, "
        + "score, event_timestamp, created)");

    assertThatThrownBy(() -> new Materializer(store).materialize(VIEW,
        source(file, DataSource.Format.PARQUET), List.of(DRIVER), hour(0), hour(2), null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 1, column 'conv_rate'")
        .hasMessageContaining("is not float64")
        .hasMessageContaining("nothing written");
    assertThat(read(1)).isEmpty();
  }

  @Test
  void aCsvViolationOnALaterRowWritesNothing() throws Exception {
    Path file = folder.resolve("drivers.csv");
    Files.writeString(file, "driver_id,conv_rate,trips,city,active,score,event_timestamp,created\n"
        + "1,0.1,1,a,true,0.5,2026-01-01 01:00:00,2026-01-01 01:00:00\n"
        + "2,0.2,2,b,false,0.5,2026-01-01 01:00:00,2026-01-01 01:00:00\n"
        + "3,0.3,many,c,true,0.5,2026-01-01 01:00:00,2026-01-01 01:00:00\n");

    assertThatThrownBy(() -> new Materializer(store).materialize(VIEW,
        source(file, DataSource.Format.CSV), List.of(DRIVER), hour(0), hour(2), null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("row 3, column 'trips': value 'many'");
    assertThat(read(1)).isEmpty();
    assertThat(read(2)).isEmpty();
  }

  @Test
  void readsCsvSources() throws Exception {
    Path file = folder.resolve("drivers.csv");
    Files.writeString(file, "driver_id,conv_rate,trips,city,active,score,event_timestamp,created\n"
        + "1,0.1,1,a,true,0.5,2026-01-01 01:00:00,2026-01-01 01:00:00\n"
        + "1,0.4,4,d,false,1.5,2026-01-01 03:00:00,2026-01-01 03:00:00\n");

    new Materializer(store).materialize(VIEW, source(file, DataSource.Format.CSV),
        List.of(DRIVER), hour(0), hour(5), null);

    OnlineRow row = read(1).orElseThrow();
    assertThat(row.eventTime()).isEqualTo(hour(3));
    assertThat(row.values()).containsExactly(Map.entry("conv_rate", 0.4), Map.entry("trips", 4),
        Map.entry("city", "d"), Map.entry("active", false), Map.entry("score", 1.5f));
  }

  @Test
  void aMissingColumnIsNamed() throws SQLException {
    Path file = parquet("thin", "SELECT 1::BIGINT AS driver_id, "
        + "TIMESTAMP '2026-01-01 01:00:00' AS event_timestamp");

    assertThatThrownBy(() -> new Materializer(store).materialize(VIEW,
        new DataSource("driver_source", file, DataSource.Format.PARQUET, "event_timestamp", null),
        List.of(DRIVER), hour(0), hour(2), null))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("[conv_rate, trips, city, active, score] are missing");
  }

  @Test
  void multiPartEntityKeysComeFromEveryEntityOfTheView() throws SQLException {
    Entity rider = new Entity("rider",
        List.of(new Entity.JoinKey("rider_id", ValueType.STRING)), "a rider");
    FeatureView pairs = new FeatureView("pairs", List.of("driver", "rider"),
        List.of(new Feature("trips", ValueType.INT64)), "pair_source", Duration.ZERO, true);
    Path file = parquet("pairs", "SELECT * FROM (VALUES (1, 'r1', 3, TIMESTAMP '2026-01-01'), "
        + "(1, 'r2', 4, TIMESTAMP '2026-01-01')) AS t(driver_id, rider_id, trips, ts)");

    new Materializer(store).materialize(pairs,
        new DataSource("pair_source", file, DataSource.Format.PARQUET, "ts", null),
        List.of(rider, DRIVER), hour(-1), hour(1), null);

    List<Optional<OnlineRow>> rows = store.read("pairs",
        List.of(EntityKey.of(1L, "r2"), EntityKey.of(1L, "r1")), List.of("trips"));
    assertThat(rows.get(0).orElseThrow().values()).containsEntry("trips", 4L);
    assertThat(rows.get(1).orElseThrow().values()).containsEntry("trips", 3L);
  }

  @Test
  void acceptsTimestampsWithTimeZone() throws SQLException {
    FeatureView view = new FeatureView("tz", List.of("driver"),
        List.of(new Feature("trips", ValueType.INT64)), "tz_source", Duration.ZERO, true);
    Path file = parquet("tz", "SELECT 1::BIGINT AS driver_id, 5::BIGINT AS trips, "
        + "'2026-01-01 03:00:00+02'::TIMESTAMPTZ AS ts");

    new Materializer(store).materialize(view,
        new DataSource("tz_source", file, DataSource.Format.PARQUET, "ts", null),
        List.of(DRIVER), hour(0), hour(2), null);

    assertThat(store.read("tz", List.of(EntityKey.of(1L)), List.of("trips")).get(0)
        .orElseThrow().eventTime()).isEqualTo(hour(1));
  }

  @Test
  void rejectsWhatCannotBeMaterialized() throws SQLException {
    Path file = parquet("drivers", rows(row(1, 0.1, 1, 1, 1)));
    DataSource source = source(file, DataSource.Format.PARQUET);
    Materializer materializer = new Materializer(store);
    FeatureView offline = new FeatureView("driver_stats", VIEW.entities(), VIEW.features(),
        VIEW.source(), VIEW.ttl(), false);
    FeatureView reserved = new FeatureView(Materializer.WATERMARK_VIEW, VIEW.entities(),
        VIEW.features(), VIEW.source(), VIEW.ttl(), true);

    assertThatThrownBy(() -> materializer.materialize(offline, source, List.of(DRIVER), hour(0),
        hour(1), null)).hasMessageContaining("is not online");
    assertThatThrownBy(() -> materializer.materialize(reserved, source, List.of(DRIVER),
        hour(0), hour(1), null)).hasMessageContaining("reserved");
    assertThatThrownBy(() -> materializer.materialize(VIEW, source, List.of(DRIVER), hour(1),
        hour(1), null)).hasMessageContaining("expected start before end");
    assertThatThrownBy(() -> materializer.materialize(VIEW, source, List.of(), hour(0),
        hour(1), null)).hasMessageContaining("entity 'driver'");
    assertThatThrownBy(() -> materializer.materialize(VIEW,
        new DataSource("other", file, DataSource.Format.PARQUET, "event_timestamp", null),
        List.of(DRIVER), hour(0), hour(1), null))
        .hasMessageContaining("data source 'other' (expected 'driver_source')");
    assertThat(read(1)).isEmpty();
  }
}
