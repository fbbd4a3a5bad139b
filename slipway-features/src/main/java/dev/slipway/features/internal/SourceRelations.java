package dev.slipway.features.internal;

import dev.slipway.features.DataSource;
import dev.slipway.features.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How DuckDB reads a data source: its file, plus the Parquet files pushed to it since (kept in
 * {@code <file>.pushed/}, so the source file itself is never rewritten). One place, so that the
 * offline store and materialization always see the same rows.
 */
public final class SourceRelations {
  private SourceRelations() {}

  /** The folder holding rows pushed to {@code source}. */
  public static Path pushedFolder(DataSource source) {
    Path file = source.path().toAbsolutePath();
    return file.resolveSibling(file.getFileName() + ".pushed");
  }

  /** A relation usable after FROM: the source file, unioned by column name with pushed rows. */
  public static String relation(DataSource source) {
    String file = literal(source.path().toAbsolutePath().toString());
    String base = source.format() == DataSource.Format.CSV
        ? "read_csv(" + file + ", header = true)" : "read_parquet(" + file + ")";
    Path pushed = pushedFolder(source);
    if (!hasParquet(pushed)) {
      return base;
    }
    return "(SELECT * FROM " + base + " UNION ALL BY NAME SELECT * FROM read_parquet("
        + literal(pushed.toAbsolutePath() + "/*.parquet") + "))";
  }

  private static boolean hasParquet(Path folder) {
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.anyMatch(file -> file.getFileName().toString().endsWith(".parquet"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list pushed rows in " + folder, e);
    }
  }

  /** DuckDB's column type for a feature or join-key type. */
  public static String sqlType(ValueType type) {
    switch (type) {
      case INT32:
        return "INTEGER";
      case INT64:
        return "BIGINT";
      case FLOAT32:
        return "FLOAT";
      case FLOAT64:
        return "DOUBLE";
      case BOOL:
        return "BOOLEAN";
      default:
        return "VARCHAR";
    }
  }

  /** A SQL string literal. */
  public static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
