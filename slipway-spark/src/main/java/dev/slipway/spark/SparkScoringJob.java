package dev.slipway.spark;

import dev.slipway.core.SlipwayException;
import dev.slipway.spark.internal.TableFiles;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The batch-scoring job for {@code spark-submit}: reads a Parquet or CSV table, scores it with a
 * Slipway model and writes the scores (and the rows it could not score) as Parquet or CSV.
 *
 * <pre>
 * spark-submit --class dev.slipway.spark.SparkScoringJob slipway-spark-job.jar \
 *     --model bc_mlp.onnx --input patients.csv --output scores.parquet --key label
 * </pre>
 */
@Command(name = "slipway-spark", mixinStandardHelpOptions = true,
    description = "Scores a Parquet or CSV table with a Slipway model on Spark.")
public final class SparkScoringJob implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "PATH",
      description = "Model file or folder, readable at this path on every executor.")
  private Path model;

  @Option(names = "--input", required = true, paramLabel = "PATH",
      description = "Table to score (.parquet or .csv with a header row).")
  private String input;

  @Option(names = "--output", required = true, paramLabel = "PATH",
      description = "Where the scores go (.parquet or .csv); replaced if it exists.")
  private String output;

  @Option(names = "--key", paramLabel = "COL",
      description = "Column copied to the output and never a feature (repeatable).")
  private List<String> keys = new ArrayList<>();

  @Option(names = "--features", split = ",", paramLabel = "a,b,c",
      description = "Feature columns in model order (default: every column that is not a key).")
  private List<String> features = new ArrayList<>();

  @Option(names = "--quarantine", paramLabel = "PATH",
      description = "Where rows that cannot be scored go (.parquet or .csv), written only when"
          + " there are some (default: OUTPUT.quarantine.csv).")
  private String quarantine;

  @Option(names = "--model-name", paramLabel = "N",
      description = "model_name column value (default: the model's file name without extension).")
  private String modelName;

  @Option(names = "--model-version", paramLabel = "V",
      description = "model_version column value (default: null, a local artifact).")
  private Long modelVersion;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1024",
      description = "Rows per model call (default: ${DEFAULT-VALUE}).")
  private int batchSize;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (default: spark-submit's).")
  private String master;

  private PrintWriter out;
  private PrintWriter err;

  public static void main(String[] args) {
    int exitCode = run(args);
    // Exiting on success would cut short spark-submit's own shutdown; failures must be visible.
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  /**
   * Runs the job in this JVM, reusing the active SparkSession if there is one (and then leaving
   * it running).
   *
   * @return 0 on success, 1 for bad input or a failed run, 2 for bad arguments
   */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  static int run(PrintWriter out, PrintWriter err, String... args) {
    SparkScoringJob job = new SparkScoringJob();
    job.out = out;
    job.err = err;
    CommandLine commandLine = new CommandLine(job).setOut(out).setErr(err);
    int exitCode = commandLine.execute(args);
    out.flush();
    err.flush();
    return exitCode;
  }

  @Override
  public Integer call() {
    String quarantinePath = quarantine != null ? quarantine : defaultQuarantinePath(output);
    SparkScoring scoring;
    // Everything checkable without Spark is checked before a session starts.
    try {
      TableFiles.formatOf(output, "output");
      TableFiles.formatOf(quarantinePath, "quarantine");
      SparkScoring.Builder builder = SparkScoring.builder(model).keys(keys).features(features)
          .modelVersion(modelVersion).batchSize(batchSize);
      if (modelName != null) {
        builder.modelName(modelName);
      }
      scoring = builder.build();
    } catch (SlipwayException e) {
      err.println("slipway-spark: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("slipway-spark: " + e.getMessage());
      return 2;
    }
    boolean ownSession = SparkSession.getDefaultSession().isEmpty()
        && SparkSession.getActiveSession().isEmpty();
    SparkSession spark = session();
    try {
      return score(spark, scoring, quarantinePath);
    } catch (SlipwayException | UncheckedIOException e) {
      err.println("slipway-spark: " + e.getMessage());
      return 1;
    } finally {
      if (ownSession) {
        spark.stop();
      }
    }
  }

  private int score(SparkSession spark, SparkScoring scoring, String quarantinePath) {
    TableFiles files = new TableFiles(spark);
    SparkScoring.Result result;
    try {
      Dataset<Row> table = files.read(input);
      result = scoring.score(spark, table);
    } catch (SlipwayException e) {
      // The scoring messages name the column; say which file it is missing from.
      String message = e.getMessage();
      err.println("slipway-spark: " + (message.contains(input) ? message
          : "input " + input + ": " + message));
      return 1;
    }

    org.apache.hadoop.fs.Path scoredTemporary = null;
    org.apache.hadoop.fs.Path quarantineTemporary = null;
    try {
      scoredTemporary = files.writeBeside(result.scored(), output);
      long quarantinedRows = 0;
      // The scoring pass counted the rows it dropped: only then is numbering them worth a pass.
      if (result.quarantinedSoFar() > 0) {
        quarantineTemporary = files.writeBeside(result.quarantined(), quarantinePath);
        quarantinedRows = files.count(quarantineTemporary, quarantinePath);
      }
      long scoredRows = files.count(scoredTemporary, output);
      files.commit(scoredTemporary, output);
      scoredTemporary = null;
      if (quarantineTemporary != null) {
        files.commit(quarantineTemporary, quarantinePath);
        quarantineTemporary = null;
      } else {
        // A quarantine file from an earlier run would read as this run's bad rows.
        files.delete(quarantinePath);
      }
      // The same two lines slipway predict prints.
      out.println("scored " + scoredRows + " rows, quarantined " + quarantinedRows + " rows -> "
          + output);
      if (quarantinedRows > 0) {
        out.println("quarantined rows and reasons: " + quarantinePath);
      }
      out.flush();
      return 0;
    } finally {
      if (scoredTemporary != null) {
        files.discard(scoredTemporary);
      }
      if (quarantineTemporary != null) {
        files.discard(quarantineTemporary);
      }
    }
  }

  private SparkSession session() {
    SparkSession.Builder builder = SparkSession.builder().appName("slipway-spark");
    if (master != null) {
      builder.master(master);
      if (master.startsWith("local")) {
        // A local run talks only to itself: no UI port, nothing bound beyond loopback.
        builder.config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false");
      }
    }
    return builder.getOrCreate();
  }

  /** scores.parquet -> scores.parquet.quarantine.csv, as {@code slipway predict} names it. */
  static String defaultQuarantinePath(String output) {
    return output + ".quarantine.csv";
  }
}
