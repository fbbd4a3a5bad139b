package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.core.InvalidInputException;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.core.runtime.RuntimeOptions;
import dev.slipway.core.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflinePredictionTest {
  @TempDir Path folder;

  private final ModelArtifact model = ModelArtifact.local(Fixtures.path("bc_mlp.onnx"));

  @Test
  void run_breastCancerCsv_matchesPytorchReferenceInInputOrder() throws Exception {
    Path output = folder.resolve("scores.parquet");
    OfflinePrediction.Result result = OfflinePrediction.run(
        job(Fixtures.path("breast_cancer.csv"), output, List.of("label")), model,
        OfflinePrediction.Progress.NONE);

    assertThat(result.summary()).isEqualTo(new ScoringSummary(569, 0));
    assertThat(result.quarantine()).isNull();
    double[] reference = Fixtures.breastCancerReferenceP1();
    float[] labels = Fixtures.breastCancerLabels();
    List<Object[]> rows = read(output);
    assertThat(rows).hasSize(569);
    for (int row = 0; row < rows.size(); row++) {
      Object[] values = rows.get(row);
      assertThat(((Number) values[0]).floatValue()).isEqualTo(labels[row]);
      assertThat(((Number) values[2]).doubleValue()).as("row %d", row)
          .isCloseTo(reference[row], within(1e-5));
      assertThat(values[3]).isEqualTo("bc_mlp");
      assertThat(values[4]).isNull();
    }
    // Readers see the model's name as plain text, whatever type the job wrote it from.
    assertThat(columns(output)).containsExactly("label BIGINT", "probabilities_0 FLOAT",
        "probabilities_1 FLOAT", "model_name VARCHAR", "model_version BIGINT");
  }

  @Test
  void run_badCells_quarantinesThoseRowsWithRowNumberAndReason() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(Fixtures.path("breast_cancer.csv")));
    lines.set(3, lines.get(3).replaceFirst("^[^,]*", ""));
    lines.set(6, lines.get(6).replaceFirst("^[^,]*", "abc"));
    Path input = folder.resolve("bad.csv");
    Files.write(input, lines.subList(0, 11));
    Path output = folder.resolve("scores.csv");

    OfflinePrediction.Result result = OfflinePrediction.run(job(input, output, List.of("label")),
        model, OfflinePrediction.Progress.NONE);

    assertThat(result.summary()).isEqualTo(new ScoringSummary(8, 2));
    assertThat(result.quarantine()).isEqualTo(folder.resolve("scores.csv.quarantine.csv"));
    List<Object[]> quarantined = read(result.quarantine());
    String firstColumn = lines.get(0).split(",")[0];
    assertThat(quarantined).hasSize(2);
    assertThat(quarantined.get(0)).containsExactly(3L, "column '" + firstColumn + "' is null");
    assertThat(quarantined.get(1))
        .containsExactly(6L, "column '" + firstColumn + "' is not a number: 'abc'");
    assertThat(read(output)).hasSize(8);
  }

  @Test
  void run_floatParquetWithNullsInTwoBlocks_scoresTheOthersAtTheirKeys() throws Exception {
    // FLOAT columns are read uncast; blocks of 300 rows, so bad rows fall in two blocks.
    Path input = folder.resolve("floats.parquet");
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute("CREATE TABLE bc AS SELECT row_number() OVER () - 1 AS n, label,"
          + " COLUMNS(* EXCLUDE (label))::FLOAT FROM read_csv('"
          + Fixtures.path("breast_cancer.csv") + "')");
      String firstColumn = Files.readAllLines(Fixtures.path("breast_cancer.csv")).get(0).split(",")[0];
      statement.execute("UPDATE bc SET \"" + firstColumn + "\" = NULL WHERE n IN (10, 299)");
      statement.execute("COPY (SELECT * FROM bc ORDER BY n) TO '" + input + "'");
    }
    Path output = folder.resolve("scores.parquet");

    OfflinePrediction.Result result = OfflinePrediction.run(new OfflinePrediction.Job(input,
        output, null, List.of("n", "label"), List.of(), 300), model,
        OfflinePrediction.Progress.NONE);

    assertThat(result.summary()).isEqualTo(new ScoringSummary(567, 2));
    assertThat(read(result.quarantine())).extracting(row -> row[0]).containsExactly(11L, 300L);
    double[] reference = Fixtures.breastCancerReferenceP1();
    List<Object[]> rows = read(output);
    assertThat(rows).extracting(row -> ((Number) row[0]).longValue()).doesNotContain(10L, 299L)
        .isSorted().hasSize(567);
    for (Object[] row : rows) {
      int n = ((Number) row[0]).intValue();
      assertThat(((Number) row[3]).doubleValue()).as("row %d", n)
          .isCloseTo(reference[n], within(1e-5));
    }
  }

  @Test
  void run_parquetOutput_dictionaryEncodesCategoricalKeysOnly() throws Exception {
    // 10 000 rows (one row group) of jittered fixture rows: 10 000 distinct ids, thousands of
    // distinct scores, and a segment key of three values. The writer's dictionary limit is set
    // low for speed (ScoringWorkspace); a key of few values must keep its dictionary.
    Path input = folder.resolve("jittered.parquet");
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute("SELECT setseed(0.5)");
      statement.execute("CREATE TABLE bc AS SELECT row_number() OVER () - 1 AS n,"
          + " COLUMNS(* EXCLUDE (label))::FLOAT FROM read_csv('"
          + Fixtures.path("breast_cancer.csv") + "')");
      statement.execute("COPY (SELECT r.range AS id, 'segment-' || (r.range % 3) AS segment,"
          + " COLUMNS(bc.* EXCLUDE (n)) * (0.9 + random() * 0.2) FROM range(10000) r"
          + " JOIN bc ON bc.n = r.range % 569 ORDER BY r.range) TO '" + input + "'");
    }
    Path output = folder.resolve("scores.parquet");

    OfflinePrediction.run(job(input, output, List.of("id", "segment")), model,
        OfflinePrediction.Progress.NONE);

    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      ResultSet encodings = statement.executeQuery("SELECT path_in_schema, encodings"
          + " FROM parquet_metadata('" + output + "') ORDER BY column_id");
      List<String> found = new ArrayList<>();
      while (encodings.next()) {
        found.add(encodings.getString(1) + " " + encodings.getString(2));
      }
      assertThat(found).containsExactly("id PLAIN", "segment PLAIN_DICTIONARY",
          "probabilities_0 PLAIN", "probabilities_1 PLAIN", "model_name RLE_DICTIONARY",
          "model_version PLAIN");
    }
  }

  @Test
  void score_keysOfManyTypes_keepTheirTypesValuesAndOrder() throws Exception {
    List<String> keys = List.of("big", "id", "mood", "wait", "clock", "text", "amount", "seen",
        "pair", "point");
    try (ScoringWorkspace workspace = ScoringWorkspace.create(folder);
        Model loaded = loadModel();
        Statement statement = workspace.connection().createStatement()) {
      statement.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
      // Enums, UUIDs, intervals, nested values... travel as text and come back as themselves.
      statement.execute("CREATE TABLE typed AS SELECT n::HUGEINT * 1000000000000 AS big,"
          + " uuid() AS id, (['sad', 'ok', 'happy'])[n % 3 + 1]::mood AS mood,"
          + " to_seconds(n) AS wait, TIME '10:00:00' + to_seconds(n) AS clock,"
          + " 'it''s \"' || n || '\", ok' AS text, n::DECIMAL(18, 3) / 8 AS amount,"
          + " TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_days(n) AS seen, [n, NULL] AS pair,"
          + " {'x': n, 'label': 'p' || n} AS point, * EXCLUDE (n, label) FROM (SELECT"
          + " row_number() OVER () AS n, * FROM read_csv('"
          + Fixtures.path("breast_cancer.csv") + "'))");
      ScoringRequest request = new ScoringRequest(new BatchInput("typed", "table typed"), keys,
          List.of(), "bc_mlp", 3L, 100);

      ScoringSummary summary = workspace.score(request, loaded, rows -> {});

      assertThat(summary).isEqualTo(new ScoringSummary(569, 0));
      String keyList = String.join(", ", keys);
      assertThat(query(statement, "SELECT column_name, column_type FROM (DESCRIBE SELECT "
          + keyList + " FROM scored)")).isEqualTo(query(statement,
          "SELECT column_name, column_type FROM (DESCRIBE SELECT " + keyList + " FROM typed)"));
      assertThat(query(statement, "SELECT count(*) FROM (SELECT " + keyList
          + " FROM typed) AS a POSITIONAL JOIN (SELECT " + keyList + " FROM scored) AS b"
          + " WHERE row(a.big, a.id, a.mood, a.wait, a.clock, a.text, a.amount, a.seen, a.pair,"
          + " a.point) IS DISTINCT FROM row(b.big, b.id, b.mood, b.wait, b.clock, b.text, b.amount,"
          + " b.seen, b.pair, b.point)")).containsExactly("0");
      assertThat(query(statement, "SELECT DISTINCT model_name || ' ' || model_version"
          + " FROM scored")).containsExactly("bc_mlp 3");
    }
  }

  @Test
  void score_inputNotParsedFromText_givesDuckDbItsThreadsBackForTheSinks() throws Exception {
    try (ScoringWorkspace workspace = ScoringWorkspace.create(folder);
        Model loaded = loadModel();
        Statement statement = workspace.connection().createStatement()) {
      statement.execute("SET threads = 3");
      statement.execute("CREATE TABLE rows AS SELECT * FROM read_csv('"
          + Fixtures.path("breast_cancer.csv") + "')");
      ScoringRequest request = new ScoringRequest(new BatchInput("rows", "table rows"),
          List.of("label"), List.of(), "bc_mlp", 1L, 100);

      // The stream itself runs on one of DuckDB's threads (see ScoringWorkspace).
      assertThat(workspace.score(request, loaded, rows -> {}))
          .isEqualTo(new ScoringSummary(569, 0));

      assertThat(query(statement, "SELECT current_setting('threads')"))
          .containsExactly(String.valueOf(defaultThreads()));
    }
  }

  private Model loadModel() {
    return ModelLoader.withInstalledRuntimes().load(model.path(), RuntimeOptions.DEFAULT);
  }

  /** DuckDB's own default, which the job restores, whatever was set before it. */
  private static long defaultThreads() throws Exception {
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      return Long.parseLong(query(statement, "SELECT current_setting('threads')").get(0));
    }
  }

  private static List<String> query(Statement statement, String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (ResultSet result = statement.executeQuery(sql)) {
      int width = result.getMetaData().getColumnCount();
      while (result.next()) {
        StringBuilder row = new StringBuilder();
        for (int c = 1; c <= width; c++) {
          row.append(c > 1 ? " | " : "").append(result.getString(c));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  @Test
  void run_badCellPastTheCsvSniffersSample_quarantinesItsRow() throws Exception {
    // 300k rows, the bad cell near the end, far past the 20 480 rows DuckDB samples by default.
    Path input = folder.resolve("big.csv");
    String first = firstColumn();
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute(repeatedBreastCancer(530));
      statement.execute("COPY (SELECT CASE WHEN n = 290000 THEN 'abc' ELSE round(\"" + first
          + "\", 3)::VARCHAR END AS \"" + first + "\", * EXCLUDE (n, \"" + first + "\")"
          + " FROM rows ORDER BY n) TO '" + input + "' (HEADER)");
    }
    Path output = folder.resolve("scores.parquet");

    OfflinePrediction.Result result = OfflinePrediction.run(job(input, output, List.of("label")),
        model, OfflinePrediction.Progress.NONE);

    assertThat(result.summary()).isEqualTo(new ScoringSummary(569 * 530 - 1, 1));
    assertThat(read(result.quarantine())).singleElement().satisfies(row -> assertThat(row)
        .containsExactly(290000L, "column '" + first + "' is not a number: 'abc'"));
  }

  @Test
  void run_readFailingAfterManyBatches_namesTheInputWritesNothingAndStopsItsThreads()
      throws Exception {
    // A folder of Parquet files is read with the first file's schema: the second one's text
    // column fails the read while the first file's 300k rows are being scored (DuckDB reads the
    // files side by side, so how many were scored by then varies).
    Path input = Files.createDirectory(folder.resolve("parts"));
    String first = firstColumn();
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute(repeatedBreastCancer(530));
      statement.execute("COPY (SELECT * EXCLUDE (n) FROM rows ORDER BY n) TO '"
          + input.resolve("part-0.parquet") + "'");
      statement.execute("COPY (SELECT 'abc' AS \"" + first + "\", * EXCLUDE (n, \"" + first
          + "\") FROM rows WHERE n <= 10) TO '" + input.resolve("part-1.parquet") + "'");
    }
    Path output = folder.resolve("scores.parquet");

    assertThatThrownBy(() -> OfflinePrediction.run(job(input, output, List.of("label")), model,
        OfflinePrediction.Progress.NONE))
        .isInstanceOf(BatchJobException.class)
        .hasMessageContaining("cannot read " + input)
        .hasMessageContaining("abc");
    try (var files = Files.list(folder)) {
      assertThat(files).containsExactly(input);
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(thread -> thread.getName().startsWith("slipway-"));
  }

  private static String firstColumn() throws Exception {
    return Files.readAllLines(Fixtures.path("breast_cancer.csv")).get(0).split(",")[0];
  }

  /** A table {@code rows}: the fixture's rows {@code times} over, numbered {@code n} from 1. */
  private static String repeatedBreastCancer(int times) {
    return "CREATE TABLE rows AS SELECT row_number() OVER () AS n, bc.* FROM read_csv('"
        + Fixtures.path("breast_cancer.csv") + "') AS bc, range(" + times + ")";
  }

  @Test
  void run_missingInput_namesTheFileAndWritesNothing() {
    Path output = folder.resolve("scores.parquet");
    assertThatThrownBy(() -> OfflinePrediction.run(
        job(folder.resolve("absent.csv"), output, List.of()), model,
        OfflinePrediction.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("absent.csv: no such file");
    assertThat(folder).isEmptyDirectory();
  }

  @Test
  void run_unknownKey_namesTheColumnAndWritesNothing() {
    Path output = folder.resolve("scores.parquet");
    assertThatThrownBy(() -> OfflinePrediction.run(
        job(Fixtures.path("breast_cancer.csv"), output, List.of("customer")), model,
        OfflinePrediction.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("key column 'customer'");
    assertThat(folder).isEmptyDirectory();
  }

  @Test
  void run_featureCountMismatch_suggestsKeys() {
    assertThatThrownBy(() -> OfflinePrediction.run(
        job(Fixtures.path("breast_cancer.csv"), folder.resolve("s.parquet"), List.of()), model,
        OfflinePrediction.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("takes 30 feature columns, the input offers 31");
    assertThat(folder).isEmptyDirectory();
  }

  @Test
  void run_outputOrQuarantineNamingTheInputOrEachOther_isRefusedAndChangesNothing()
      throws Exception {
    Path input = Files.copy(Fixtures.path("breast_cancer.csv"), folder.resolve("rows.csv"));
    byte[] before = Files.readAllBytes(input);
    Path output = folder.resolve("scores.csv");
    Path sameAsInput = folder.resolve("sub").resolve("..").resolve("rows.csv");

    for (OfflinePrediction.Job job : List.of(job(input, sameAsInput, List.of("label")),
        quarantined(input, output, input), quarantined(input, output, output))) {
      assertThatThrownBy(() -> OfflinePrediction.run(job, model,
          OfflinePrediction.Progress.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining(": the same file as the ");
    }
    assertThat(Files.readAllBytes(input)).isEqualTo(before);
    try (var files = Files.list(folder)) {
      assertThat(files).containsExactly(input);
    }
  }

  @Test
  void run_quarantineThatCannotBeWritten_isRefusedBeforeTheOutputIsReplaced()
      throws Exception {
    Path output = Files.writeString(folder.resolve("scores.csv"), "an earlier run's scores\n");
    Path notAFolder = Files.writeString(folder.resolve("notes.txt"), "a file\n");

    for (Path quarantine : List.of(notAFolder.resolve("bad.csv"), folder.resolve("bad.json"))) {
      assertThatThrownBy(() -> OfflinePrediction.run(
          quarantined(Fixtures.path("breast_cancer.csv"), output, quarantine), model,
          OfflinePrediction.Progress.NONE))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("quarantine " + quarantine + ": ");
    }
    assertThat(output).hasContent("an earlier run's scores");
  }

  @Test
  void run_outputThatIsAFolderOrInsideTheInputFolder_isRefused() throws Exception {
    Path parts = Files.createDirectory(folder.resolve("parts"));
    Files.copy(Fixtures.path("breast_cancer.csv"), folder.resolve("rows.csv"));
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute("COPY (SELECT * FROM '" + folder.resolve("rows.csv") + "') TO '"
          + parts.resolve("part-0.parquet") + "'");
    }
    Path folderNamedLikeAFile = Files.createDirectory(folder.resolve("scores.csv"));

    assertThatThrownBy(() -> OfflinePrediction.run(job(parts, parts.resolve("s.parquet"),
        List.of("label")), model, OfflinePrediction.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(": inside the input folder " + parts);
    assertThatThrownBy(() -> OfflinePrediction.run(job(folder.resolve("rows.csv"),
        folderNamedLikeAFile, List.of("label")), model, OfflinePrediction.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("output " + folderNamedLikeAFile + ": is a folder");
    try (var files = Files.list(parts)) {
      assertThat(files).hasSize(1);
    }
  }

  @Test
  void run_withoutBadRows_leavesNoTraceOfTheQuarantinesFolder() throws Exception {
    Path quarantine = folder.resolve("not/yet/bad.csv");

    OfflinePrediction.run(quarantined(Fixtures.path("breast_cancer.csv"),
        folder.resolve("s.csv"), quarantine), model, OfflinePrediction.Progress.NONE);

    assertThat(folder.resolve("s.csv")).exists();
    assertThat(folder.resolve("not")).doesNotExist();
  }

  @Test
  void run_namesDifferingOnlyInCase_areOneNameToTheJob() throws Exception {
    Path renamed = Files.writeString(folder.resolve("renamed.csv"),
        Files.readString(Fixtures.path("breast_cancer.csv")).replaceFirst(",label\n",
            ",Model_Name\n"));
    Path twice = Files.writeString(folder.resolve("twice.csv"),
        Files.readString(Fixtures.path("breast_cancer.csv")).replaceFirst(",label\n",
            ",Mean_Radius\n"));

    assertThatThrownBy(() -> OfflinePrediction.run(job(renamed, folder.resolve("s.csv"),
        List.of("Model_Name")), model, OfflinePrediction.Progress.NONE))
        .hasMessageStartingWith("output column 'model_name' would overwrite the key column");
    assertThatThrownBy(() -> OfflinePrediction.run(job(twice, folder.resolve("s.csv"),
        List.of()), model, OfflinePrediction.Progress.NONE))
        .hasMessage("input " + twice + ": the header names 'Mean_Radius' twice (columns 1"
            + " and 31)");
  }

  @Test
  void run_aThousandKeyColumnsBesideTheFeatures_fitsDuckDbsMemory() throws Exception {
    List<String> lines = Files.readAllLines(Fixtures.path("breast_cancer.csv"));
    String keys = IntStream.range(0, 1000).mapToObj(k -> "k" + k)
        .collect(Collectors.joining(","));
    String values = IntStream.range(0, 1000).mapToObj(Integer::toString)
        .collect(Collectors.joining(","));
    List<String> wide = new ArrayList<>(List.of(keys + "," + lines.get(0)));
    lines.subList(1, 101).forEach(line -> wide.add(values + "," + line));
    Path input = Files.write(folder.resolve("wide.csv"), wide);
    Path output = folder.resolve("wide-scores.parquet");

    List<String> features = List.of(lines.get(0).split(",")).subList(0, 30);

    OfflinePrediction.Result result = OfflinePrediction.run(new OfflinePrediction.Job(input,
        output, null, List.of(), features, ScoringRequest.DEFAULT_BATCH_SIZE), model,
        OfflinePrediction.Progress.NONE);

    assertThat(result.summary().scored()).isEqualTo(100);
    assertThat(read(output).get(0)).hasSize(1000 + 1 + 2 + 2);
  }

  @Test
  void job_batchSizeOutOfRange_isABadInput() {
    for (int batchSize : new int[] {0, ScoringRequest.MAX_BATCH_SIZE + 1}) {
      assertThatThrownBy(() -> new OfflinePrediction.Job(Fixtures.path("breast_cancer.csv"),
          folder.resolve("s.csv"), null, List.of("label"), List.of(), batchSize))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("batch size " + batchSize + ": expected 1 to 65536 rows per model call");
    }
  }

  @Test
  void run_featureColumnOfADateType_isASchemaMismatchNamingItAndWritesNothing()
      throws Exception {
    Path input = folder.resolve("dated.parquet");
    String first = firstColumn();
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute(repeatedBreastCancer(1));
      statement.execute("COPY (SELECT DATE '2026-01-01' AS \"" + first + "\", * EXCLUDE (n, \""
          + first + "\") FROM rows) TO '" + input + "'");
    }

    assertThatThrownBy(() -> OfflinePrediction.run(job(input, folder.resolve("s.parquet"),
        List.of("label")), model, OfflinePrediction.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("feature column '" + first + "' of " + input + " is DATE (expected"
            + " numbers, or text holding numbers)");
    try (var files = Files.list(folder)) {
      assertThat(files).containsExactly(input);
    }
  }

  @Test
  void run_keysNamedTwiceOrAsAnOutputColumn_areRefused() throws Exception {
    Path renamed = Files.writeString(folder.resolve("renamed.csv"),
        Files.readString(Fixtures.path("breast_cancer.csv")).replaceFirst(",label\n",
            ",model_name\n"));
    Path output = folder.resolve("s.csv");

    assertThatThrownBy(() -> OfflinePrediction.run(job(Fixtures.path("breast_cancer.csv"),
        output, List.of("label", "label")), model, OfflinePrediction.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("key column 'label': named twice");
    assertThatThrownBy(() -> OfflinePrediction.run(job(renamed, output, List.of("model_name")),
        model, OfflinePrediction.Progress.NONE))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("output column 'model_name' would overwrite the key column");
    assertThat(output).doesNotExist();
  }

  @Test
  void run_truncatedParquetFile_namesItWithoutDuckDbsStatement() throws Exception {
    byte[] whole = Files.readAllBytes(Fixtures.path("bc_mlp.onnx"));
    Path input = Files.write(folder.resolve("cut.parquet"), Arrays.copyOf(whole, 100));

    assertThatThrownBy(() -> OfflinePrediction.run(job(input, folder.resolve("s.parquet"),
        List.of()), model, OfflinePrediction.Progress.NONE))
        .isInstanceOf(BatchJobException.class)
        .hasMessageStartingWith("cannot read " + input + ": ")
        .hasMessageNotContaining("LINE 1")
        .hasMessageNotContaining("read_parquet");
  }

  private static OfflinePrediction.Job quarantined(Path input, Path output, Path quarantine) {
    return new OfflinePrediction.Job(input, output, quarantine, List.of("label"), List.of(),
        ScoringRequest.DEFAULT_BATCH_SIZE);
  }

  private static OfflinePrediction.Job job(Path input, Path output, List<String> keys) {
    return new OfflinePrediction.Job(input, output, null, keys, List.of(),
        ScoringRequest.DEFAULT_BATCH_SIZE);
  }

  static List<Object[]> read(Path file) throws Exception {
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement();
        ResultSet rows = statement.executeQuery("SELECT * FROM '" + file + "'")) {
      int width = rows.getMetaData().getColumnCount();
      List<Object[]> result = new ArrayList<>();
      while (rows.next()) {
        Object[] row = new Object[width];
        for (int c = 0; c < width; c++) {
          row[c] = rows.getObject(c + 1);
        }
        result.add(row);
      }
      return result;
    }
  }

  /** The file's columns as "name TYPE". */
  static List<String> columns(Path file) throws Exception {
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement();
        ResultSet rows = statement.executeQuery("SELECT * FROM '" + file + "' LIMIT 0")) {
      ResultSetMetaData meta = rows.getMetaData();
      List<String> names = new ArrayList<>();
      for (int c = 1; c <= meta.getColumnCount(); c++) {
        names.add(meta.getColumnName(c) + " " + meta.getColumnTypeName(c));
      }
      return names;
    }
  }
}
