package dev.slipway.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.testing.Fixtures;
import dev.slipway.spark.testing.LocalEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark engine and the local engine ({@code slipway predict} of slipway-app, run as its own
 * process) write the same table for the same model and input: same columns, types and values, in
 * input order.
 */
class CrossEngineTest extends LocalEngineTestBase {
  @TempDir
  Path temp;

  @Test
  void breastCancer_localAndSparkEngines_writeIdenticalTables()
      throws IOException, InterruptedException {
    Path localOutput = temp.resolve("local.parquet");
    Path sparkOutput = temp.resolve("spark.parquet");
    String model = Fixtures.path("bc_mlp.onnx").toString();
    String input = Fixtures.path("breast_cancer.csv").toString();

    LocalEngine.Ran local = localEngine.slipway("predict", "--model", model,
        "--input", input, "--output", localOutput.toString(), "--key", "label");
    assertThat(local.exitCode()).as("slipway predict: %s", local.output()).isZero();
    StringWriter err = new StringWriter();
    int sparkExit = SparkScoringJob.run(new PrintWriter(new StringWriter()),
        new PrintWriter(err), "--model", model, "--input", input,
        "--output", sparkOutput.toString(), "--key", "label");
    assertThat(sparkExit).as("spark job: %s", err).isZero();

    var localTable = spark.read().parquet(localOutput.toString());
    // One input partition, so one part file: reading it back keeps the input order.
    var sparkTable = spark.read().parquet(sparkOutput.toString());
    assertThat(columns(sparkTable.schema().fields()))
        .isEqualTo(columns(localTable.schema().fields()));
    List<Row> localRows = localTable.collectAsList();
    List<Row> sparkRows = sparkTable.collectAsList();
    assertThat(sparkRows).hasSize(569).hasSameSizeAs(localRows);
    for (int i = 0; i < localRows.size(); i++) {
      assertThat(sparkRows.get(i)).as("row %d", i + 1).isEqualTo(localRows.get(i));
    }
  }

  @Test
  void timestampKeysWithAndWithoutZone_bothEnginesWriteTheSameTypesAndInstants()
      throws Exception {
    List<String> lines = Files.readAllLines(Fixtures.path("breast_cancer.csv"));
    List<String> rows = new ArrayList<>(List.of("seen_at,local_day," + lines.get(0)));
    for (int row = 1; row < lines.size(); row++) {
      rows.add(String.format(Locale.ROOT, "2026-01-%02dT10:00:00+02:00,2026-01-%02d 10:00:00,%s",
          1 + row % 28, 1 + row % 28, lines.get(row)));
    }
    Path input = Files.write(temp.resolve("stamped.csv"), rows);
    Path localOutput = temp.resolve("local.parquet");
    Path sparkOutput = temp.resolve("spark.parquet");
    String model = Fixtures.path("bc_mlp.onnx").toString();
    String[] keys = {"--key", "seen_at", "--key", "local_day", "--key", "label"};

    LocalEngine.Ran local = localEngine.slipway(concat(new String[] {"predict", "--model",
        model, "--input", input.toString(), "--output", localOutput.toString()}, keys));
    assertThat(local.exitCode()).as("slipway predict: %s", local.output()).isZero();
    StringWriter err = new StringWriter();
    int sparkExit = SparkScoringJob.run(new PrintWriter(new StringWriter()),
        new PrintWriter(err), concat(new String[] {"--model", model, "--input",
            input.toString(), "--output", sparkOutput.toString()}, keys));
    assertThat(sparkExit).as("spark job: %s", err).isZero();

    // As DuckDB (the local engine, and the pipelines' sinks) reads each table back.
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute("SET TimeZone = 'UTC'");
      assertThat(types(statement, sparkOutput + "/*.parquet"))
          .isEqualTo(types(statement, localOutput.toString()))
          .startsWith("seen_at TIMESTAMP WITH TIME ZONE", "local_day TIMESTAMP");
      try (ResultSet differ = statement.executeQuery("SELECT count(*) FROM (SELECT seen_at,"
          + " local_day, label FROM '" + localOutput + "' EXCEPT ALL SELECT seen_at, local_day,"
          + " label FROM '" + sparkOutput + "/*.parquet')")) {
        differ.next();
        assertThat(differ.getLong(1)).isZero();
      }
    }
  }

  private static List<String> types(Statement statement, String parquet) throws Exception {
    List<String> types = new ArrayList<>();
    try (ResultSet described = statement.executeQuery("DESCRIBE SELECT * FROM '" + parquet
        + "'")) {
      while (described.next()) {
        types.add(described.getString(1) + " " + described.getString(2));
      }
    }
    return types;
  }

  private static String[] concat(String[] first, String[] second) {
    String[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  /** Names and types; nullability differs by writer and is not part of the contract. */
  private static List<String> columns(StructField[] fields) {
    List<String> columns = new ArrayList<>();
    for (StructField field : fields) {
      columns.add(field.name() + " " + field.dataType().simpleString());
    }
    return columns;
  }
}
