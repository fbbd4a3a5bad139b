package dev.slipway.spark.internal;

import dev.slipway.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Reads and writes the job's tables by file extension ({@code .parquet}, {@code .csv}) through
 * Hadoop's file systems, so paths may be local or any scheme the cluster knows.
 */
public final class TableFiles {
  private final SparkSession spark;

  public TableFiles(SparkSession spark) {
    this.spark = spark;
  }

  /** The format a path's extension names: "parquet" or "csv". */
  public static String formatOf(String path, String role) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".parquet")) {
      return "parquet";
    }
    if (lower.endsWith(".csv")) {
      return "csv";
    }
    throw new InvalidInputException(
        role + " " + path + ": unknown format (expected a path ending in .parquet or .csv)");
  }

  /**
   * Reads a table; CSV with a header row and inferred column types.
   *
   * @throws InvalidInputException when the path does not exist
   */
  public Dataset<Row> read(String path) {
    String format = formatOf(path, "input");
    if (!exists(new Path(path))) {
      throw new InvalidInputException("input " + path + ": no such file or folder");
    }
    if (format.equals("csv")) {
      // A time without a zone is a local time (TIMESTAMP_NTZ), one with a zone an instant, as
      // the local engine reads them; Spark's default makes both instants in its own zone.
      return widenIntegers(withConf("spark.sql.timestampType", "TIMESTAMP_NTZ", () ->
          spark.read().option("header", "true").option("inferSchema", "true").csv(path)));
    }
    return spark.read().parquet(path);
  }

  /**
   * Spark infers a CSV column of small whole numbers as int, the local engine (DuckDB) as bigint:
   * reading them as long makes a CSV key column the same type in both engines' output.
   */
  private static Dataset<Row> widenIntegers(Dataset<Row> table) {
    Column[] columns = new Column[table.schema().fields().length];
    StructField[] fields = table.schema().fields();
    for (int i = 0; i < fields.length; i++) {
      Column column = table.col("`" + fields[i].name().replace("`", "``") + "`");
      columns[i] = fields[i].dataType().equals(DataTypes.IntegerType)
          ? column.cast(DataTypes.LongType).as(fields[i].name()) : column;
    }
    return table.select(columns);
  }

  /**
   * Writes {@code table} into a fresh hidden folder beside {@code target}, so a failed write
   * never leaves a half-written target; {@link #commit} then moves it into place.
   *
   * @return the temporary folder
   */
  public Path writeBeside(Dataset<Row> table, String target) {
    String format = formatOf(target, "output");
    Path targetPath = new Path(target);
    Path temporary = new Path(parentOf(targetPath),
        "." + targetPath.getName() + ".tmp-" + UUID.randomUUID());
    var writer = table.write().format(format);
    if (format.equals("csv")) {
      writer = writer.option("header", "true");
    }
    // Instants as Parquet's UTC-adjusted microseconds and local times as not adjusted, as the
    // local engine writes them: Spark's default INT96 reads back as a time without a zone.
    var configured = writer;
    withConf("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS", () -> {
      configured.save(temporary.toString());
      return null;
    });
    return temporary;
  }

  /** Runs {@code action} with a runtime SQL setting, then puts the session's back. */
  private <T> T withConf(String key, String value, Supplier<T> action) {
    String before = spark.conf().get(key, null);
    spark.conf().set(key, value);
    try {
      return action.get();
    } finally {
      if (before == null) {
        spark.conf().unset(key);
      } else {
        spark.conf().set(key, before);
      }
    }
  }

  /** Counts the rows of a table {@link #writeBeside} wrote. */
  public long count(Path written, String target) {
    String format = formatOf(target, "output");
    var reader = spark.read().format(format);
    if (format.equals("csv")) {
      reader = reader.option("header", "true");
    }
    // Spark skips a hidden folder given as the path (and warns); named part files it reads.
    String[] parts;
    try {
      parts = Arrays.stream(written.getFileSystem(spark.sparkContext().hadoopConfiguration())
              .listStatus(written))
          .map(status -> status.getPath())
          .filter(file -> file.getName().startsWith("part-"))
          .map(Path::toString)
          .toArray(String[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(written + ": cannot list the table just written: "
          + e.getMessage(), e);
    }
    return parts.length == 0 ? 0 : reader.load(parts).count();
  }

  /**
   * Renames {@code temporary} to {@code target}. A target that already exists is first renamed
   * aside and deleted once the new one is in place, so readers see the old or the new table,
   * never a mix.
   */
  public void commit(Path temporary, String target) {
    Path targetPath = new Path(target);
    try {
      FileSystem fs = targetPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path previous = null;
      if (fs.exists(targetPath)) {
        previous = new Path(parentOf(targetPath),
            "." + targetPath.getName() + ".old-" + UUID.randomUUID());
        rename(fs, targetPath, previous);
      }
      rename(fs, temporary, targetPath);
      if (previous != null) {
        fs.delete(previous, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("output " + target + ": cannot move the finished table"
          + " into place from " + temporary + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a table if it exists. */
  public void delete(String target) {
    Path targetPath = new Path(target);
    try {
      targetPath.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(targetPath, true);
    } catch (IOException e) {
      throw new UncheckedIOException(target + ": cannot delete it: " + e.getMessage(), e);
    }
  }

  /** Removes a temporary folder left by a failed run; best effort. */
  public void discard(Path temporary) {
    try {
      temporary.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(temporary, true);
    } catch (IOException e) {
      // The job already fails with the first error; a leftover hidden folder is named clearly.
    }
  }

  private boolean exists(Path path) {
    try {
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(path + ": cannot check whether it exists: " + e.getMessage(),
          e);
    }
  }

  private static Path parentOf(Path path) {
    Path parent = path.getParent();
    return parent != null ? parent : new Path(".");
  }

  private static void rename(FileSystem fs, Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("rename " + from + " -> " + to + " refused");
    }
  }
}
