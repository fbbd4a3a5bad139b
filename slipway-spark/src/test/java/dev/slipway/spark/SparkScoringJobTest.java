package dev.slipway.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import dev.slipway.core.testing.Fixtures;
import dev.slipway.spark.testing.LocalSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkScoringJobTest {
  private static SparkSession spark;

  @TempDir
  Path temp;

  @BeforeAll
  static void startSpark() {
    spark = LocalSpark.start();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void run_csvToParquet_writesScoresAndPrintsSummary() throws IOException {
    Path output = temp.resolve("scores.parquet");

    Run run = run("--model", Fixtures.path("bc_mlp.onnx").toString(),
        "--input", Fixtures.path("breast_cancer.csv").toString(),
        "--output", output.toString(), "--key", "label", "--model-version", "4",
        "--master", "local[2]");

    assertThat(run.exitCode).as(run.err).isZero();
    assertThat(run.out.strip())
        .isEqualTo("scored 569 rows, quarantined 0 rows -> " + output);
    var table = spark.read().parquet(output.toString());
    // Whole-number CSV columns are read as bigint, as the local engine reads them.
    assertThat(table.schema().apply("label").dataType()).isEqualTo(DataTypes.LongType);
    List<Row> rows = table.collectAsList();
    assertThat(rows).hasSize(569);
    assertThat(rows.get(0).getString(3)).isEqualTo("bc_mlp");
    assertThat(rows.get(0).getLong(4)).isEqualTo(4L);
    assertThat(listing()).containsExactly("scores.parquet");
  }

  @Test
  void run_parquetWithFloatFeatures_scoresLikeTheCsv() throws IOException {
    Path input = temp.resolve("patients.parquet");
    var csv = LocalSpark.csv(spark, Fixtures.path("breast_cancer.csv"));
    csv.select(Arrays.stream(csv.columns())
            .map(name -> name.equals("label") ? csv.col(name)
                : csv.col(name).cast(DataTypes.FloatType).as(name))
            .toArray(Column[]::new))
        .write().parquet(input.toString());
    Path output = temp.resolve("scores.parquet");

    Run run = run("--model", Fixtures.path("bc_mlp.onnx").toString(), "--input",
        input.toString(), "--output", output.toString(), "--key", "label", "--batch-size", "100");

    assertThat(run.exitCode).as(run.err).isZero();
    List<Row> rows = spark.read().parquet(output.toString()).collectAsList();
    double[] reference = Fixtures.breastCancerReferenceP1();
    assertThat(rows).hasSize(569);
    for (int i = 0; i < rows.size(); i++) {
      assertThat((double) rows.get(i).getFloat(2)).as("p1 of row %d", i)
          .isCloseTo(reference[i], within(1e-5));
    }
  }

  @Test
  void run_badRows_goToTheQuarantineFile_andAReRunReplacesBoth() throws IOException {
    Path input = temp.resolve("patients.csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(Fixtures.path("breast_cancer.csv"))
        .subList(0, 5));
    lines.set(3, lines.get(3).replaceFirst(",[^,]*,", ",oops,"));
    Files.write(input, lines);
    Path output = temp.resolve("scores.csv");
    Path quarantine = temp.resolve("bad.csv");
    String[] args = {"--model", Fixtures.path("bc_mlp.onnx").toString(),
        "--input", input.toString(), "--output", output.toString(), "--key", "label",
        "--quarantine", quarantine.toString()};
    assertThat(run(args).exitCode).isZero();

    Run again = run(args);

    assertThat(again.exitCode).as(again.err).isZero();
    assertThat(again.out.lines()).containsExactly(
        "scored 3 rows, quarantined 1 rows -> " + output,
        "quarantined rows and reasons: " + quarantine);
    assertThat(LocalSpark.csv(spark, quarantine).collectAsList())
        .extracting(row -> ((Number) row.get(0)).longValue(), row -> row.getString(1))
        .containsExactly(tuple(3L, "column 'mean_texture' is not a number: 'oops'"));
    assertThat(LocalSpark.csv(spark, output).count()).isEqualTo(3);
    assertThat(listing()).containsExactlyInAnyOrder("bad.csv", "patients.csv", "scores.csv");

    Files.write(input, lines.subList(0, 3));
    Run clean = run(args);

    assertThat(clean.out).startsWith("scored 2 rows, quarantined 0 rows -> " + output);
    assertThat(listing()).as("the earlier run's quarantine is gone")
        .containsExactlyInAnyOrder("patients.csv", "scores.csv");
  }

  @Test
  void run_missingInput_failsNamingItAndWritesNothing() throws IOException {
    Path input = temp.resolve("nope.csv");

    Run run = run("--model", Fixtures.path("bc_mlp.onnx").toString(),
        "--input", input.toString(), "--output", temp.resolve("scores.parquet").toString());

    assertThat(run.exitCode).isNotZero();
    assertThat(run.err.strip())
        .isEqualTo("slipway-spark: input " + input + ": no such file or folder");
    assertThat(listing()).isEmpty();
  }

  @Test
  void run_missingKeyColumn_failsNamingColumnAndFileAndWritesNothing() throws IOException {
    String input = Fixtures.path("breast_cancer.csv").toString();

    Run run = run("--model", Fixtures.path("bc_mlp.onnx").toString(), "--input", input,
        "--output", temp.resolve("scores.parquet").toString(), "--key", "patient_id");

    assertThat(run.exitCode).isNotZero();
    assertThat(run.err.strip()).startsWith(
        "slipway-spark: input " + input + ": key column 'patient_id': not in the input");
    assertThat(run.err.strip().lines()).hasSize(1);
    assertThat(listing()).isEmpty();
  }

  @Test
  void run_wrongFeatureCount_failsNamingTheCountAndWritesNothing() throws IOException {
    Run run = run("--model", Fixtures.path("bc_mlp.onnx").toString(),
        "--input", Fixtures.path("breast_cancer.csv").toString(),
        "--output", temp.resolve("scores.parquet").toString(),
        "--features", "mean_radius,mean_texture");

    assertThat(run.exitCode).isNotZero();
    assertThat(run.err).contains("model input 'input' takes 30 feature columns, the input"
        + " offers 2 [mean_radius, mean_texture]");
    assertThat(listing()).isEmpty();
  }

  @Test
  void run_unknownOutputFormat_failsBeforeReadingAnything() throws IOException {
    Run run = run("--model", Fixtures.path("bc_mlp.onnx").toString(),
        "--input", Fixtures.path("breast_cancer.csv").toString(),
        "--output", temp.resolve("scores.json").toString());

    assertThat(run.exitCode).isNotZero();
    assertThat(run.err.strip()).isEqualTo("slipway-spark: output " + temp.resolve("scores.json")
        + ": unknown format (expected a path ending in .parquet or .csv)");
    assertThat(listing()).isEmpty();
  }

  @Test
  void run_batchSizeZero_failsAsABadArgument() throws IOException {
    Run run = run("--model", Fixtures.path("bc_mlp.onnx").toString(),
        "--input", Fixtures.path("breast_cancer.csv").toString(),
        "--output", temp.resolve("scores.parquet").toString(), "--batch-size", "0");

    assertThat(run.exitCode).isEqualTo(2);
    assertThat(run.err.strip()).isEqualTo("slipway-spark: batchSize: 0 (expected: >= 1)");
    assertThat(listing()).isEmpty();
  }

  private List<String> listing() throws IOException {
    try (Stream<Path> files = Files.list(temp)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = SparkScoringJob.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  private record Run(int exitCode, String out, String err) {}
}
