package dev.slipway.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.testing.Fixtures;
import dev.slipway.spark.testing.LocalSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark engine and the local engine ({@code slipway predict} of slipway-app, run as its own
 * process) write the same table for the same model and input: same columns, types and values, in
 * input order.
 */
class CrossEngineTest {
  private static final long PROCESS_TIMEOUT_SECONDS = 120;
  private static final Pattern PREDICT_USAGE = Pattern.compile("(?m)^Usage: \\S+ predict\\b");
  private static Path appJar;
  private static String localEngineMissing;
  private static SparkSession spark;

  @TempDir
  Path temp;

  @BeforeAll
  static void findLocalEngineAndStartSpark() throws IOException, InterruptedException {
    Path root = Path.of(System.getProperty("slipway.fixtures", "fixtures")).toAbsolutePath()
        .getParent();
    appJar = root.resolve("slipway-app/target/slipway-app.jar");
    String missing = null;
    if (!Files.isRegularFile(appJar)) {
      missing = appJar + " does not exist (build slipway-app first: the reactor builds it before"
          + " slipway-spark)";
    } else {
      // The top-level --help also answers an unknown subcommand with exit 0: read the usage.
      Ran help = java("-jar", appJar.toString(), "predict", "--help");
      if (help.exitCode != 0 || !PREDICT_USAGE.matcher(help.output).find()) {
        missing = appJar + " has no 'predict' command ('predict --help' exit " + help.exitCode
            + ": " + help.output.strip().lines().findFirst().orElse("") + ")";
      }
    }
    localEngineMissing = missing;
    if (missing == null) {
      spark = LocalSpark.start();
    }
  }

  // Judged per test, not in @BeforeAll: an abort there would report no test at all, not a skip.
  @BeforeEach
  void requireLocalEngine(TestInfo test) {
    if (localEngineMissing == null) {
      return;
    }
    if ("1".equals(System.getenv("SLIPWAY_REQUIRE_SERVICES"))) {
      throw new AssertionError("cross-engine test needs the local engine: " + localEngineMissing
          + " and SLIPWAY_REQUIRE_SERVICES=1");
    }
    System.err.println("!!!!! SKIPPING " + test.getDisplayName() + ": " + localEngineMissing);
    Assumptions.abort(localEngineMissing);
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void breastCancer_localAndSparkEngines_writeIdenticalTables()
      throws IOException, InterruptedException {
    Path localOutput = temp.resolve("local.parquet");
    Path sparkOutput = temp.resolve("spark.parquet");
    String model = Fixtures.path("bc_mlp.onnx").toString();
    String input = Fixtures.path("breast_cancer.csv").toString();

    Ran local = java("-jar", appJar.toString(), "predict", "--model", model,
        "--input", input, "--output", localOutput.toString(), "--key", "label");
    assertThat(local.exitCode).as("slipway predict: %s", local.output).isZero();
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

  private static Ran java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(args));
    // Output goes to a file, not a pipe, so a hung process cannot block us past the timeout.
    Path log = Files.createTempFile("slipway-predict", ".log");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " still running after " + PROCESS_TIMEOUT_SECONDS
            + " s");
      }
      return new Ran(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private record Ran(int exitCode, String output) {}
}
