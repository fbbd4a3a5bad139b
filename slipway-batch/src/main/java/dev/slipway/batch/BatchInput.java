package dev.slipway.batch;

import dev.slipway.batch.internal.CsvTypes;
import dev.slipway.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A table to score, as DuckDB reads it: a Parquet or CSV file, a folder of Parquet files, or any
 * relation (a query, a feature view's source).
 *
 * @param relation SQL usable after {@code FROM}
 * @param description how messages name the input (a file name, a query)
 * @param rows the row count when it was known without a scan of its own (a CSV file's, counted
 *     when its columns were typed)
 * @param parsed true when DuckDB parses the rows from text (CSV): reading them is then worth
 *     more of its threads
 */
public record BatchInput(String relation, String description, OptionalLong rows,
    boolean parsed) {
  private static final String GLOB_CHARACTERS = "*?[";

  public BatchInput {
    Objects.requireNonNull(relation, "relation");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(rows, "rows");
  }

  public BatchInput(String relation, String description) {
    this(relation, description, OptionalLong.empty(), false);
  }

  /**
   * A file by its extension ({@code .parquet}, {@code .csv}), or a folder holding Parquet files.
   * A CSV file is read once here: its column types come from every row (see {@link CsvTypes}).
   *
   * @throws InvalidInputException when the file is missing or of another kind
   * @throws BatchJobException when a CSV file cannot be read
   */
  public static BatchInput file(Path path) {
    String absolute = path.toAbsolutePath().toString();
    // DuckDB reads every path as a pattern and has no escape: b?.parquet would also read
    // bx.parquet, silently.
    if (absolute.chars().anyMatch(c -> GLOB_CHARACTERS.indexOf(c) >= 0)) {
      throw new InvalidInputException("input " + path + ": its path holds one of "
          + GLOB_CHARACTERS + ", which DuckDB reads as a file pattern (it could read other"
          + " files too); rename it");
    }
    if (Files.isDirectory(path)) {
      if (!holdsParquet(path)) {
        throw new InvalidInputException("input " + path + ": a folder without .parquet files"
            + " (expected a folder of Parquet files, or a .parquet or .csv file)");
      }
      return new BatchInput("read_parquet(" + literal(absolute + "/**/*.parquet") + ")",
          path.toString());
    }
    if (!Files.isRegularFile(path)) {
      throw new InvalidInputException("input " + path + ": no such file");
    }
    if (!Files.isReadable(path)) {
      throw new InvalidInputException("input " + path + ": not readable");
    }
    return switch (FileFormat.of(path, "input")) {
      case PARQUET -> new BatchInput("read_parquet(" + literal(absolute) + ")", path.toString());
      // Column types from the whole file, not from a sample: a cell that is not a number past
      // the sample would otherwise fail the read, where the contract is to quarantine its row.
      case CSV -> {
        if (isEmpty(path)) {
          throw new InvalidInputException("input " + path
              + ": empty (expected a header row, then one row per line)");
        }
        CsvTypes.Typed typed = CsvTypes.of(path, path.toString());
        yield new BatchInput(typed.relation(), path.toString(), OptionalLong.of(typed.rows()),
            true);
      }
    };
  }

  private static boolean holdsParquet(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.anyMatch(file -> file.getFileName().toString().endsWith(".parquet")
          && Files.isRegularFile(file));
    } catch (IOException | UncheckedIOException e) {
      throw new InvalidInputException("input " + folder + ": cannot list it: " + e.getMessage());
    }
  }

  private static boolean isEmpty(Path file) {
    try {
      return Files.size(file) == 0;
    } catch (IOException e) {
      throw new InvalidInputException("input " + file + ": cannot read its size: "
          + e.getMessage());
    }
  }

  /** Only the rows for which the SQL {@code condition} holds. */
  public BatchInput where(String condition) {
    return new BatchInput("(SELECT * FROM " + relation + " WHERE " + condition + ")",
        description, OptionalLong.empty(), parsed);
  }

  /** A SQL string literal. */
  public static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  /** A SQL identifier. */
  public static String identifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** The table file formats batch jobs read and write. */
  public enum FileFormat {
    PARQUET,
    CSV;

    /** The format a file name's extension names. */
    public static FileFormat of(Path path, String role) {
      String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".parquet")) {
        return PARQUET;
      }
      if (name.endsWith(".csv")) {
        return CSV;
      }
      throw new InvalidInputException(role + " " + path
          + ": unknown format (expected a .parquet or .csv file)");
    }
  }
}
