package dev.slipway.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.testing.Fixtures;
import dev.slipway.spark.testing.LocalEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  /** Names and types; nullability differs by writer and is not part of the contract. */
  private static List<String> columns(StructField[] fields) {
    List<String> columns = new ArrayList<>();
    for (StructField field : fields) {
      columns.add(field.name() + " " + field.dataType().simpleString());
    }
    return columns;
  }
}
