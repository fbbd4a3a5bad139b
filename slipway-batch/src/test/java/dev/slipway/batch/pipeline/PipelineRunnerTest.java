package dev.slipway.batch.pipeline;

import static dev.slipway.batch.pipeline.PipelineFixture.DAY_1;
import static dev.slipway.batch.pipeline.PipelineFixture.DAY_1_ROWS;
import static dev.slipway.batch.pipeline.PipelineFixture.DAY_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.batch.pipeline.PipelineRun.Status;
import dev.slipway.batch.pipeline.PipelineRun.Trigger;
import dev.slipway.batch.pipeline.PipelineSpec.JdbcTable;
import dev.slipway.batch.pipeline.PipelineSpec.OnlineScores;
import dev.slipway.batch.pipeline.PipelineSpec.Sinks;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.testing.Fixtures;
import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.ScoreStore;
import dev.slipway.registry.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRunnerTest {
  @TempDir Path folder;
  private PipelineFixture fixture;
  private PipelineRunner runner;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new PipelineFixture(folder);
    runner = fixture.runner();
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  private PipelineSpec spec(Sinks sinks, int retries) {
    return new PipelineSpec("churn", null, PipelineSpec.Engine.LOCAL, "models:/bc/1",
        new PipelineSpec.Source.File(fixture.source), List.of("customer_id"), "event_timestamp",
        List.of(), sinks, retries, Duration.ofMillis(1));
  }

  private Sinks parquet() {
    return new Sinks(folder.resolve("scores"), null, null);
  }

  @Test
  void run_twice_scoresOnlyRowsNotScoredYet() throws Exception {
    PipelineSpec spec = spec(parquet(), 0);

    PipelineRun first = runner.run(spec, Trigger.MANUAL);
    fixture.clock.advance(Duration.ofDays(2));
    PipelineRun second = runner.run(spec, Trigger.MANUAL);

    assertThat(first.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(first.rowsScored()).isEqualTo(DAY_1_ROWS);
    assertThat(first.windowStart()).isNull();
    assertThat(first.modelName()).isEqualTo("bc");
    assertThat(first.modelVersion()).isEqualTo(1L);
    assertThat(second.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(second.rowsScored()).isEqualTo(569 - DAY_1_ROWS);
    assertThat(second.windowStart()).isEqualTo(first.windowEnd());
    assertThat(fixture.history.watermark("churn")).contains(second.windowEnd());
    assertThat(partitions(folder.resolve("scores"))).hasSize(2);
    assertThat(count("SELECT count(DISTINCT customer_id) FROM read_parquet('"
        + folder.resolve("scores") + "/*/*.parquet')")).isEqualTo(569);
    assertThat(fixture.history.runs("churn", 10)).extracting(PipelineRun::id)
        .containsExactly(second.id(), first.id());
  }

  @Test
  void run_clockBehindTheWatermark_scoresAnEmptyWindowNotEverythingAgain() {
    PipelineSpec spec = spec(parquet(), 0);
    PipelineRun first = runner.run(spec, Trigger.MANUAL);
    fixture.clock.advance(Duration.ofHours(-1));

    PipelineRun second = runner.run(spec, Trigger.MANUAL);

    assertThat(second.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(second.rowsScored()).isZero();
    assertThat(second.windowStart()).isEqualTo(first.windowEnd());
    assertThat(second.windowEnd()).isEqualTo(first.windowEnd());
  }

  @Test
  void run_sameWindowAgain_replacesItsPartitionAndTableRows() throws Exception {
    TestDatabases.requirePostgres();
    String table = "scores_" + UUID.randomUUID().toString().replace("-", "");
    Sinks sinks = new Sinks(folder.resolve("scores"),
        new JdbcTable(TestDatabases.POSTGRES_URL, table), null);
    PipelineSpec spec = spec(sinks, 0);
    Window window = new Window(null, DAY_1.plusSeconds(60));
    try {
      PipelineRun first = runner.run(spec, Trigger.MANUAL, window);
      PipelineRun again = runner.run(spec, Trigger.MANUAL, window);

      assertThat(first.status()).isEqualTo(Status.SUCCEEDED);
      assertThat(again.status()).isEqualTo(Status.SUCCEEDED);
      assertThat(partitions(folder.resolve("scores"))).hasSize(1);
      assertThat(count("SELECT count(*) FROM read_parquet('" + folder.resolve("scores")
          + "/*/*.parquet')")).isEqualTo(DAY_1_ROWS);
      try (Connection pg = DriverManager.getConnection(TestDatabases.POSTGRES_URL);
          Statement statement = pg.createStatement();
          ResultSet rows = statement.executeQuery("SELECT count(*), count(DISTINCT run_id),"
              + " min(run_id), min(model_name), min(model_version) FROM " + table)) {
        rows.next();
        assertThat(rows.getLong(1)).isEqualTo(DAY_1_ROWS);
        assertThat(rows.getLong(2)).isEqualTo(1);
        assertThat(rows.getLong(3)).isEqualTo(again.id());
        assertThat(rows.getString(4)).isEqualTo("bc");
        assertThat(rows.getLong(5)).isEqualTo(1);
      }
    } finally {
      try (Connection pg = DriverManager.getConnection(TestDatabases.POSTGRES_URL);
          Statement statement = pg.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + table);
      }
    }
  }

  @Test
  void run_jdbcSource_scoresTheQuerysRowsOfTheWindow() throws Exception {
    TestDatabases.requirePostgres();
    String table = "customers_" + UUID.randomUUID().toString().replace("-", "");
    List<String> lines = Files.readAllLines(fixture.source);
    String[] header = lines.get(0).split(",");
    StringBuilder ddl = new StringBuilder("CREATE TABLE " + table
        + " (customer_id BIGINT, event_timestamp TIMESTAMPTZ");
    for (int c = 2; c < header.length; c++) {
      ddl.append(", ").append(header[c]).append(" REAL");
    }
    try (Connection pg = DriverManager.getConnection(TestDatabases.POSTGRES_URL);
        Statement statement = pg.createStatement()) {
      statement.execute(ddl.append(')').toString());
      StringBuilder insert = new StringBuilder("INSERT INTO " + table + " VALUES ");
      for (int row = 1; row < lines.size(); row++) {
        String[] cells = lines.get(row).split(",");
        insert.append(row == 1 ? "(" : ", (").append(cells[0]).append(", '").append(cells[1])
            .append("'");
        for (int c = 2; c < cells.length; c++) {
          insert.append(", ").append(cells[c]);
        }
        insert.append(')');
      }
      statement.execute(insert.toString());
    }
    try {
      PipelineSpec spec = new PipelineSpec("churn", null, PipelineSpec.Engine.LOCAL,
          "models:/bc/1", new PipelineSpec.Source.Jdbc(TestDatabases.POSTGRES_URL,
              "SELECT * FROM " + table), List.of("customer_id"), "event_timestamp", List.of(),
          new Sinks(null, null, new OnlineScores("churn", null, Map.of(), false)), 0,
          Duration.ZERO);

      PipelineRun first = runner.run(spec, Trigger.MANUAL,
          new Window(DAY_1.minusSeconds(1), DAY_1.plusSeconds(1)));

      assertThat(first.status()).as(first.error()).isEqualTo(Status.SUCCEEDED);
      assertThat(first.rowsScored()).isEqualTo(DAY_1_ROWS);
      double[] reference = Fixtures.breastCancerReferenceP1();
      ScoreStore.Scores scores = fixture.scores.read("churn", EntityKey.of(7L)).orElseThrow();
      assertThat(((Number) scores.scores().get("probabilities_1")).doubleValue())
          .isCloseTo(reference[7], within(1e-5));
      assertThat(fixture.scores.read("churn", EntityKey.of(300L))).isEmpty();
    } finally {
      try (Connection pg = DriverManager.getConnection(TestDatabases.POSTGRES_URL);
          Statement statement = pg.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS " + table);
      }
    }
  }

  @Test
  void run_onlineSink_storesEachEntitysScoresWithModelAndDataTime() {
    Sinks sinks = new Sinks(null, null, new OnlineScores("churn", null, Map.of(), true));
    fixture.clock.advance(Duration.ofDays(2));

    PipelineRun run = runner.run(spec(sinks, 0), Trigger.MANUAL);

    assertThat(run.status()).isEqualTo(Status.SUCCEEDED);
    double[] reference = Fixtures.breastCancerReferenceP1();
    for (int entity : new int[] {0, 299, 300, 568}) {
      ScoreStore.Scores scores = fixture.scores.read("churn", EntityKey.of(entity)).orElseThrow();
      assertThat(((Number) scores.scores().get("probabilities_1")).doubleValue())
          .isCloseTo(reference[entity], within(1e-5));
      assertThat(scores.modelName()).isEqualTo("bc");
      assertThat(scores.modelVersion()).isEqualTo(1L);
      assertThat(scores.dataTime()).isEqualTo(run.windowEnd());
    }
    assertThat(fixture.scores.read("churn", EntityKey.of(569))).isEmpty();
    // The model answers probabilities only, which hardly ever repeat: their means.
    ScoreStore.Scores baseline = fixture.scores.baseline("churn").orElseThrow();
    assertThat(((Number) baseline.scores().get("probabilities_1")).doubleValue())
        .isCloseTo(Arrays.stream(reference).average().orElseThrow(), within(1e-5));
  }

  @Test
  void run_whileAnotherRunHoldsThePipeline_isRefused() {
    PipelineSpec spec = spec(parquet(), 0);
    PipelineRun held = runner.begin(spec, Trigger.SCHEDULE, runner.nextWindow(spec));

    assertThatThrownBy(() -> runner.run(spec, Trigger.MANUAL))
        .isInstanceOf(PipelineBusyException.class)
        .hasMessageContaining("already running (run " + held.id() + ")");

    assertThat(runner.complete(spec, held).status()).isEqualTo(Status.SUCCEEDED);
    assertThat(runner.run(spec, Trigger.MANUAL).status()).isEqualTo(Status.SUCCEEDED);
  }

  @Test
  void run_failingSink_isRetriedWithBackoffThenRecordedAsFailed() {
    Sinks sinks = new Sinks(null, new JdbcTable("jdbc:postgresql://127.0.0.1:1/none", "t"),
        null);

    PipelineRun run = runner.run(spec(sinks, 2), Trigger.MANUAL);

    assertThat(run.status()).isEqualTo(Status.FAILED);
    assertThat(run.attempts()).isEqualTo(3);
    assertThat(run.error()).contains("jdbc sink t at jdbc:postgresql://127.0.0.1:1/none");
    assertThat(fixture.history.watermark("churn")).isEmpty();
  }

  @Test
  void run_sinkFailingAfterThePartitionWasWritten_publishesNoPartition() throws Exception {
    Path dataset = folder.resolve("scores");
    Sinks sinks = new Sinks(dataset, new JdbcTable("jdbc:postgresql://127.0.0.1:1/none", "t"),
        null);

    PipelineRun failed = runner.run(spec(sinks, 0), Trigger.MANUAL);
    fixture.clock.advance(Duration.ofDays(2));
    PipelineRun next = runner.run(spec(parquet(), 0), Trigger.MANUAL);

    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(next.status()).isEqualTo(Status.SUCCEEDED);
    try (Stream<Path> children = Files.list(dataset)) {
      assertThat(children).hasSize(1);
    }
    assertThat(count("SELECT count(*) FROM read_parquet('" + dataset + "/*/*.parquet')"))
        .isEqualTo(569);
  }

  @Test
  void run_windowEndingInTheFuture_isRefusedAndLeavesTheWatermark() {
    Window ahead = new Window(null, fixture.clock.instant().plusSeconds(1));

    assertThatThrownBy(() -> runner.run(spec(parquet(), 0), Trigger.MANUAL, ahead))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("end: " + ahead.end() + " is after now");
    assertThat(fixture.history.watermark("churn")).isEmpty();
    assertThat(fixture.history.runs("churn", 10)).isEmpty();
    Window finer = new Window(null, DAY_1.plusNanos(600_001_000));
    assertThatThrownBy(() -> runner.run(spec(parquet(), 0), Trigger.MANUAL, finer))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("end: " + finer.end() + " is finer than the milliseconds the run history"
            + " keeps");
  }

  @Test
  void run_twoWindowsWithinOneSecond_keepBothPartitions() throws Exception {
    PipelineSpec spec = spec(parquet(), 0);
    Instant end = DAY_1.plusSeconds(1800);

    runner.run(spec, Trigger.MANUAL, new Window(null, end.minusMillis(500)));
    runner.run(spec, Trigger.MANUAL, new Window(end.minusMillis(500), end));

    assertThat(partitions(folder.resolve("scores"))).extracting(path -> path.getFileName()
        .toString()).containsExactlyInAnyOrder("window=beginning_20260101T002959.500000Z",
            "window=20260101T002959.500000Z_20260101T003000Z");
  }

  @Test
  void run_badCells_keepsThoseRowsWithKeysAndReasonsPerWindow() throws Exception {
    List<String> lines = Files.readAllLines(fixture.source);
    // customer 7 (line 9) gets a cell that is no number, customer 400 an empty one.
    lines.set(8, lines.get(8).replaceFirst("^(7,[^,]*,)[^,]*", "$1abc"));
    lines.set(401, lines.get(401).replaceFirst("^(400,[^,]*,)[^,]*", "$1"));
    Files.write(fixture.source, lines);
    PipelineSpec spec = spec(parquet(), 0);

    PipelineRun run = runner.run(spec, Trigger.MANUAL);

    assertThat(run.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(run.rowsQuarantined()).isEqualTo(1);
    Path kept = folder.resolve("quarantine/churn/window=" + new Window(run.windowStart(),
        run.windowEnd()).label() + ".csv");
    assertThat(Files.readAllLines(kept)).containsExactly(
        "row,customer_id,event_timestamp,reason",
        "8,7,2026-01-01 00:00:00+00,column 'mean_radius' is not a number: 'abc'");
  }

  @Test
  void run_timestampColumnMissingOrNotATime_failsOnceNamingIt() {
    for (String[] bad : new String[][] {{"seen_at", "timestamp column 'seen_at': not in "},
        {"mean_radius", "timestamp column 'mean_radius' of " + fixture.source + " is DOUBLE"}}) {
      PipelineSpec spec = new PipelineSpec("churn", null, PipelineSpec.Engine.LOCAL,
          "models:/bc/1", new PipelineSpec.Source.File(fixture.source), List.of("customer_id"),
          bad[0], List.of(), parquet(), 3, Duration.ofMillis(1));

      PipelineRun run = runner.run(spec, Trigger.MANUAL);

      assertThat(run.status()).isEqualTo(Status.FAILED);
      assertThat(run.attempts()).isEqualTo(1);
      assertThat(run.error()).startsWith(bad[1]);
    }
  }

  @Test
  void run_missingKeyColumn_failsOnceWithoutRetryNamingTheColumn() {
    PipelineSpec spec = new PipelineSpec("churn", null, PipelineSpec.Engine.LOCAL,
        "models:/bc/1", new PipelineSpec.Source.File(fixture.source), List.of("account"),
        "event_timestamp", List.of(), parquet(), 3, Duration.ofMillis(1));

    PipelineRun run = runner.run(spec, Trigger.MANUAL);

    assertThat(run.status()).isEqualTo(Status.FAILED);
    assertThat(run.attempts()).isEqualTo(1);
    assertThat(run.error()).contains("key column 'account'");
    assertThat(folder.resolve("scores")).doesNotExist();
  }

  @Test
  void run_unresolvableModel_failsNamingTheUri() {
    PipelineSpec spec = new PipelineSpec("churn", null, PipelineSpec.Engine.LOCAL,
        "models:/bc@production", new PipelineSpec.Source.File(fixture.source),
        List.of("customer_id"), "event_timestamp", List.of(), parquet(), 0, Duration.ZERO);

    PipelineRun run = runner.run(spec, Trigger.MANUAL);

    assertThat(run.status()).isEqualTo(Status.FAILED);
    assertThat(run.error()).contains("models:/bc@production");
  }

  private static List<Path> partitions(Path dataset) throws Exception {
    try (Stream<Path> children = Files.list(dataset)) {
      return children.filter(child -> child.getFileName().toString().startsWith("window="))
          .toList();
    }
  }

  private static long count(String sql) throws Exception {
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  static Instant day2() {
    return DAY_2;
  }
}
