package dev.slipway.features.offline;

import dev.slipway.core.InvalidInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The rows to retrieve features for: join-key columns, an event-timestamp column (the time each
 * row asks about) and any other columns (labels, request fields), which are passed through.
 * Either a Parquet/CSV file, read by DuckDB without entering Java, or a small in-memory table.
 */
public final class EntityRows {
  private final Path file;
  private final List<String> columns;
  private final List<List<Object>> rows;
  private final String timestampColumn;

  private EntityRows(Path file, List<String> columns, List<List<Object>> rows,
      String timestampColumn) {
    this.file = file;
    this.columns = columns;
    this.rows = rows;
    this.timestampColumn = timestampColumn;
  }

  /** Rows of a {@code .parquet} or {@code .csv} file. */
  public static EntityRows file(Path file, String timestampColumn) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".parquet") && !name.endsWith(".csv")) {
      throw new InvalidInputException("entity rows " + file
          + ": unsupported file type (expected .parquet or .csv)");
    }
    return new EntityRows(file, null, null, timestampColumn);
  }

  /**
   * Rows held in memory; values may be Integer, Long, Double, Float, String, Boolean,
   * java.time.Instant, LocalDateTime or java.sql.Timestamp.
   */
  public static EntityRows table(List<String> columns, List<List<Object>> rows,
      String timestampColumn) {
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).size() != columns.size()) {
        throw new InvalidInputException("entity rows: row " + i + " has "
            + rows.get(i).size() + " values (expected " + columns.size() + ": " + columns + ")");
      }
    }
    return new EntityRows(null, List.copyOf(columns), List.copyOf(rows), timestampColumn);
  }

  /** The file, or null for an in-memory table. */
  public Path path() {
    return file;
  }

  /** Column names of an in-memory table; null for a file. */
  public List<String> columns() {
    return columns;
  }

  /** Rows of an in-memory table; null for a file. */
  public List<List<Object>> rows() {
    return rows;
  }

  public String timestampColumn() {
    return timestampColumn;
  }
}
