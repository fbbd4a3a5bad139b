package dev.slipway.spark.bench;

import dev.slipway.spark.SparkScoring;
import dev.slipway.spark.SparkScoringJob;
import dev.slipway.spark.testing.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Spark batch-scoring throughput: generates {@code --rows} breast-cancer-shaped rows (an
 * {@code id} and 30 FP32 features drawn, seeded, from each fixture column's mean and spread) into
 * Parquet, then times scoring them with bc_mlp.onnx on local[2] into Parquet, {@code --runs}
 * times. Run through bench/run-spark-bench.sh, from the repository root.
 *
 * <p>Three figures per run: the scoring write alone ({@link SparkScoring} into Parquet), the
 * whole job ({@code SparkScoringJob}: read, score, write into a temporary folder, count, rename),
 * and a baseline that reads the input and writes a table of the output's shape without the model.
 */
public final class SparkPredictBenchmark {
  private SparkPredictBenchmark() {}

  public static void main(String[] args) throws IOException {
    long rows = 1_000_000;
    long seed = 42;
    int runs = 3;
    int batchSize = SparkScoring.DEFAULT_BATCH_SIZE;
    Path work = Path.of("slipway-spark/target/spark-bench");
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(value);
        case "--seed" -> seed = Long.parseLong(value);
        case "--runs" -> runs = Integer.parseInt(value);
        case "--batch-size" -> batchSize = Integer.parseInt(value);
        case "--work" -> work = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (expected: --rows N --seed S --runs R --batch-size B --work DIR)");
      }
    }
    Path model = Path.of(System.getProperty("slipway.fixtures", "fixtures"), "bc_mlp.onnx");
    Path fixture = model.resolveSibling("breast_cancer.csv");
    deleteRecursively(work);
    Files.createDirectories(work);
    Path input = work.resolve("input-" + rows + ".parquet");

    SparkSession spark = LocalSpark.start();
    try {
      long started = System.nanoTime();
      generate(spark, fixture, rows, seed, input);
      System.out.printf(Locale.ROOT, "generated %,d rows into %s in %.1f s%n", rows, input,
          seconds(started));

      for (int run = 1; run <= runs; run++) {
        // The same read and a write of the same shape, without the model: Spark's own share.
        Path copied = work.resolve("baseline-" + run + ".parquet");
        started = System.nanoTime();
        Dataset<Row> table = spark.read().parquet(input.toString());
        table.select(table.col("id"), table.col("mean_radius").as("probabilities_0"),
                table.col("mean_texture").as("probabilities_1"),
                functions.lit("bc_mlp").as(SparkScoring.MODEL_NAME_COLUMN),
                functions.lit(null).cast(DataTypes.LongType).as(SparkScoring.MODEL_VERSION_COLUMN))
            .write().parquet(copied.toString());
        double baselineSeconds = seconds(started);

        Path scored = work.resolve("scored-" + run + ".parquet");
        started = System.nanoTime();
        SparkScoring.builder(model).keys(List.of("id")).batchSize(batchSize).build()
            .score(spark, spark.read().parquet(input.toString()))
            .scored().write().parquet(scored.toString());
        double scoringSeconds = seconds(started);

        Path jobOutput = work.resolve("job-" + run + ".parquet");
        started = System.nanoTime();
        // Prints its summary line; reuses this session.
        int exitCode = SparkScoringJob.run("--model", model.toString(), "--input",
            input.toString(), "--output", jobOutput.toString(), "--key", "id", "--batch-size",
            String.valueOf(batchSize));
        double jobSeconds = seconds(started);
        if (exitCode != 0) {
          throw new IllegalStateException("job failed (exit " + exitCode + ")");
        }
        System.out.printf(Locale.ROOT, "run %d: scoring write %.2f s = %,.0f rows/s; whole job"
            + " %.2f s = %,.0f rows/s; baseline without model %.2f s = %,.0f rows/s%n",
            run, scoringSeconds, rows / scoringSeconds, jobSeconds, rows / jobSeconds,
            baselineSeconds, rows / baselineSeconds);
      }
    } finally {
      spark.stop();
    }
  }

  /** Rows like the fixture's: each feature normal around its column's mean, clipped at zero. */
  private static void generate(SparkSession spark, Path fixture, long rows, long seed,
      Path output) {
    Dataset<Row> reference = LocalSpark.csv(spark, fixture);
    List<String> features = new ArrayList<>(List.of(reference.columns()));
    features.remove("label");
    List<Column> aggregates = new ArrayList<>();
    for (String feature : features) {
      aggregates.add(functions.mean(feature));
      aggregates.add(functions.stddev(feature));
    }
    Row stats = reference.agg(aggregates.get(0),
        aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).first();
    List<Column> columns = new ArrayList<>();
    columns.add(functions.col("id"));
    for (int f = 0; f < features.size(); f++) {
      Column value = functions.randn(seed + f).multiply(stats.getDouble(2 * f + 1))
          .plus(stats.getDouble(2 * f));
      columns.add(functions.greatest(value, functions.lit(0.0)).cast(DataTypes.FloatType)
          .as(features.get(f)));
    }
    spark.range(0, rows, 1, 2).select(columns.toArray(Column[]::new))
        .write().parquet(output.toString());
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private static void deleteRecursively(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
