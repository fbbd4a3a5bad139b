package dev.slipway.batch.pipeline.internal;

import static dev.slipway.batch.BatchInput.identifier;

import dev.slipway.batch.BatchJobException;
import dev.slipway.batch.ScoringWorkspace;
import dev.slipway.batch.pipeline.PipelineSpec.JdbcTable;
import dev.slipway.batch.pipeline.Window;
import dev.slipway.registry.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A table in a JDBC database (PostgreSQL, H2), created on first use with the scored columns plus
 * {@code run_window} and {@code run_id}. A run replaces the rows of its window in one
 * transaction: re-running a window never duplicates, and a failure leaves the table as it was.
 */
public final class JdbcTableSink {
  private static final int BATCH = 1000;

  private JdbcTableSink() {}

  /** Writes the workspace's scores as the window's rows; returns how many were inserted. */
  public static long write(ScoringWorkspace workspace, JdbcTable target, Window window,
      long runId) {
    List<String> columns = workspace.scoredColumns();
    List<String> types = duckDbTypes(workspace);
    try (Connection connection = JdbcConnections.open(target.url())) {
      connection.setAutoCommit(false);
      try {
        createIfMissing(connection, target.table(), columns, types);
        try (PreparedStatement delete = connection.prepareStatement(
            "DELETE FROM " + target.table() + " WHERE run_window = ?")) {
          delete.setString(1, window.label());
          delete.executeUpdate();
        }
        long inserted = insert(connection, workspace, target.table(), columns, window, runId);
        connection.commit();
        return inserted;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new BatchJobException("jdbc sink " + target.table() + " at "
          + Database.redact(target.url()) + ": " + e.getMessage(), e);
    }
  }

  private static long insert(Connection connection, ScoringWorkspace workspace, String table,
      List<String> columns, Window window, long runId) throws SQLException {
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (");
    for (String column : columns) {
      sql.append(identifier(column)).append(", ");
    }
    sql.append("run_window, run_id) VALUES (").append("?, ".repeat(columns.size()))
        .append("?, ?)");
    long[] inserted = {0};
    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      workspace.forEachScoredChunk(BATCH, rows -> {
        try {
          for (Object[] row : rows) {
            for (int c = 0; c < row.length; c++) {
              statement.setObject(c + 1, row[c]);
            }
            statement.setString(row.length + 1, window.label());
            statement.setLong(row.length + 2, runId);
            statement.addBatch();
          }
          statement.executeBatch();
          inserted[0] += rows.size();
        } catch (SQLException e) {
          throw new BatchJobException("cannot insert into " + table + ": " + e.getMessage(), e);
        }
      });
    }
    return inserted[0];
  }

  private static void createIfMissing(Connection connection, String table, List<String> columns,
      List<String> types) throws SQLException {
    StringBuilder ddl = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table)
        .append(" (");
    for (int c = 0; c < columns.size(); c++) {
      ddl.append(identifier(columns.get(c))).append(' ').append(sqlType(types.get(c)))
          .append(", ");
    }
    ddl.append("run_window VARCHAR(64) NOT NULL, run_id BIGINT NOT NULL)");
    try (Statement statement = connection.createStatement()) {
      statement.execute(ddl.toString());
    }
  }

  private static List<String> duckDbTypes(ScoringWorkspace workspace) {
    List<String> types = new ArrayList<>();
    try (Statement statement = workspace.connection().createStatement();
        ResultSet described = statement.executeQuery("DESCRIBE SELECT * FROM scored")) {
      while (described.next()) {
        types.add(described.getString("column_type"));
      }
      return types;
    } catch (SQLException e) {
      throw new BatchJobException("cannot describe the scored rows: " + e.getMessage(), e);
    }
  }

  /** The portable (H2 and PostgreSQL) column type for a DuckDB type. */
  static String sqlType(String duckDbType) {
    return switch (duckDbType) {
      case "BIGINT", "INTEGER", "SMALLINT", "BOOLEAN", "DATE", "TIMESTAMP", "REAL" -> duckDbType;
      case "TINYINT" -> "SMALLINT";
      case "FLOAT" -> "REAL";
      case "DOUBLE" -> "DOUBLE PRECISION";
      case "TIMESTAMP WITH TIME ZONE" -> "TIMESTAMP WITH TIME ZONE";
      default -> duckDbType.startsWith("DECIMAL") ? duckDbType : "VARCHAR";
    };
  }
}
