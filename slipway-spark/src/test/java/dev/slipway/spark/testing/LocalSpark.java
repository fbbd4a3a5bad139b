package dev.slipway.spark.testing;

import dev.slipway.core.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A SparkSession for tests: two local cores, loopback only, no UI. Start one per test class. */
public final class LocalSpark {
  private LocalSpark() {}

  public static SparkSession start() {
    return SparkSession.builder()
        .appName("slipway-spark-test")
        .master("local[2]")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        // Two cores: Spark's default of 200 shuffle partitions would be 200 tiny tasks.
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  /** A CSV file read as the job reads it: header row, inferred types. */
  public static Dataset<Row> csv(SparkSession spark, Path file) {
    return spark.read().option("header", "true").option("inferSchema", "true")
        .csv(file.toString());
  }

  /** breast_cancer.csv's data rows, each as its 31 cells parsed as doubles (30 features, label). */
  public static double[][] breastCancerCells() {
    try {
      List<String> lines = Files.readAllLines(Fixtures.path("breast_cancer.csv"));
      double[][] rows = new double[lines.size() - 1][];
      for (int i = 1; i < lines.size(); i++) {
        String[] cells = lines.get(i).split(",");
        rows[i - 1] = new double[cells.length];
        for (int j = 0; j < cells.length; j++) {
          rows[i - 1][j] = Double.parseDouble(cells[j]);
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
