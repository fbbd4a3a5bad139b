package dev.slipway.batch.internal;

import dev.slipway.batch.BatchJobException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;

/** Opens the embedded DuckDB that batch jobs read inputs and stage results with. */
public final class DuckDb {
  /** Enough for DuckDB's Parquet and CSV buffers; beyond it DuckDB spills to the work folder. */
  static final String MEMORY_LIMIT = "256MB";
  private static final int MEMORY_LIMIT_MB = 256;
  /**
   * DuckDB's buffers per thread grow with a table's width: a 1 000-column CSV file needed more
   * than 256 MB to be read, a 2 000-column one 768 MB.
   */
  private static final double MB_PER_COLUMN = 0.5;
  private static final List<String> SUGGESTIONS =
      List.of("\nLINE ", "\nPossible fixes", "\nPossible solutions", "\nPossible Solution");

  private DuckDb() {}

  /**
   * A database in {@code file} (created), or in memory when {@code file} is null, spilling to
   * {@code tempFolder} beyond the memory limit.
   */
  public static DuckDBConnection open(Path file, Path tempFolder) {
    try {
      Properties properties = new Properties();
      properties.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
      DuckDBConnection connection = (DuckDBConnection) DriverManager.getConnection(
          "jdbc:duckdb:" + (file == null ? "" : file.toAbsolutePath()), properties);
      try (Statement statement = connection.createStatement()) {
        // No network: extensions are never downloaded; Parquet and CSV readers are built in.
        statement.execute("SET autoinstall_known_extensions = false");
        statement.execute("SET autoload_known_extensions = false");
        statement.execute("SET memory_limit = '" + MEMORY_LIMIT + "'");
        statement.execute("SET temp_directory = '"
            + tempFolder.toAbsolutePath().toString().replace("'", "''") + "'");
        // Output rows keep the input's order: row numbers in the quarantine refer to it.
        statement.execute("SET preserve_insertion_order = true");
      }
      return connection;
    } catch (SQLException e) {
      throw new BatchJobException("cannot open DuckDB in " + tempFolder + ": "
          + message(e), e);
    }
  }

  /** Raises the database's memory limit to what a table of {@code columns} columns needs. */
  public static void fitMemoryTo(Statement statement, int columns) throws SQLException {
    long megabytes = Math.max(MEMORY_LIMIT_MB, Math.round(columns * MB_PER_COLUMN));
    statement.execute("SET memory_limit = '" + megabytes + "MB'");
  }

  /**
   * DuckDB's message without what only a DuckDB user could act on: the JDBC wrapper's prefix,
   * the statement Slipway ran ({@code LINE 1: SELECT ...}), and the reader options it suggests
   * and lists ("Possible fixes: * Set quote...", "file = ..."). The rest says what and where
   * ("CSV Error on Line: 25002", the line, the column and value that failed).
   */
  public static String message(SQLException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    message = message.replaceFirst("^(java\\.sql\\.SQLException: )?", "");
    for (String tail : SUGGESTIONS) {
      int at = message.indexOf(tail);
      if (at > 0) {
        message = message.substring(0, at);
      }
    }
    return message.strip().replaceAll("Original Line: *\\n", "Original Line: ")
        .replaceAll("\\s*\\n\\s*", "; ");
  }
}
