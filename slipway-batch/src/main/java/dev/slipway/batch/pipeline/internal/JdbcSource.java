package dev.slipway.batch.pipeline.internal;

import static dev.slipway.batch.BatchInput.identifier;

import dev.slipway.batch.BatchInput;
import dev.slipway.batch.BatchJobException;
import dev.slipway.batch.ScoringWorkspace;
import dev.slipway.batch.internal.ColumnAppender;
import dev.slipway.batch.pipeline.Window;
import dev.slipway.registry.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import org.duckdb.DuckDBAppender;

/**
 * Copies the rows of a JDBC query (in the run's window) into the workspace, so the engine reads
 * them like any other table. The window is applied in the source database, so only new rows
 * travel.
 */
public final class JdbcSource {
  private static final String TABLE = "source_rows";

  private JdbcSource() {}

  /** Imports {@code query}'s rows in {@code window} (by {@code timestamp}, when given). */
  public static BatchInput load(ScoringWorkspace workspace, String url, String query,
      String timestamp, Window window) {
    String sql = timestamp == null ? query
        : "SELECT * FROM (" + query + ") AS source WHERE " + identifier(timestamp) + " <= ?"
            + (window.start() == null ? "" : " AND " + identifier(timestamp) + " > ?");
    try (Connection connection = JdbcConnections.open(url);
        PreparedStatement statement = connection.prepareStatement(sql)) {
      if (timestamp != null) {
        statement.setObject(1, OffsetDateTime.ofInstant(window.end(), java.time.ZoneOffset.UTC));
        if (window.start() != null) {
          statement.setObject(2,
              OffsetDateTime.ofInstant(window.start(), java.time.ZoneOffset.UTC));
        }
      }
      statement.setFetchSize(10_000);
      try (ResultSet rows = statement.executeQuery()) {
        copy(workspace, rows);
      }
      return new BatchInput(TABLE, "query at " + Database.redact(url));
    } catch (SQLException e) {
      throw new BatchJobException("jdbc source at " + Database.redact(url) + ": "
          + e.getMessage(), e);
    }
  }

  private static void copy(ScoringWorkspace workspace, ResultSet rows) throws SQLException {
    ResultSetMetaData meta = rows.getMetaData();
    int width = meta.getColumnCount();
    int[] types = new int[width];
    StringBuilder ddl = new StringBuilder("CREATE OR REPLACE TABLE " + TABLE + " (");
    ColumnAppender[] appenders = new ColumnAppender[width];
    for (int c = 0; c < width; c++) {
      types[c] = meta.getColumnType(c + 1);
      String name = meta.getColumnLabel(c + 1);
      String type = duckDbType(types[c], meta.getColumnTypeName(c + 1));
      ddl.append(c == 0 ? "" : ", ").append(identifier(name)).append(' ').append(type);
      appenders[c] = ColumnAppender.forType(name, type);
    }
    try (Statement statement = workspace.connection().createStatement()) {
      statement.execute(ddl.append(')').toString());
    }
    try (DuckDBAppender appender = workspace.connection().createAppender(TABLE)) {
      while (rows.next()) {
        appender.beginRow();
        for (int c = 0; c < width; c++) {
          appenders[c].append(appender, value(rows, c + 1, types[c]));
        }
        appender.endRow();
      }
    }
  }

  /** Time values keep their instant: never read through the JVM's default time zone. */
  private static Object value(ResultSet rows, int column, int type) throws SQLException {
    return switch (type) {
      case Types.TIMESTAMP_WITH_TIMEZONE -> rows.getObject(column, OffsetDateTime.class);
      case Types.TIMESTAMP -> {
        Object value = rows.getObject(column);
        if (value instanceof Timestamp stamp && "timestamptz".equals(
            rows.getMetaData().getColumnTypeName(column))) {
          yield OffsetDateTime.ofInstant(Instant.ofEpochMilli(stamp.getTime()),
              java.time.ZoneOffset.UTC);
        }
        yield value == null ? null : rows.getObject(column, LocalDateTime.class);
      }
      case Types.NUMERIC, Types.DECIMAL -> {
        java.math.BigDecimal number = rows.getBigDecimal(column);
        yield number == null ? null : number.doubleValue();
      }
      case Types.BIGINT, Types.INTEGER, Types.REAL, Types.FLOAT, Types.DOUBLE, Types.BOOLEAN,
          Types.BIT, Types.DATE -> rows.getObject(column);
      case Types.SMALLINT, Types.TINYINT -> {
        int number = rows.getInt(column);
        yield rows.wasNull() ? null : number;
      }
      default -> rows.getString(column);
    };
  }

  private static String duckDbType(int jdbcType, String typeName) {
    return switch (jdbcType) {
      case Types.BIGINT -> "BIGINT";
      case Types.INTEGER -> "INTEGER";
      case Types.SMALLINT, Types.TINYINT -> "INTEGER";
      case Types.REAL -> "FLOAT";
      case Types.FLOAT, Types.DOUBLE, Types.NUMERIC, Types.DECIMAL -> "DOUBLE";
      case Types.BOOLEAN, Types.BIT -> "BOOLEAN";
      case Types.DATE -> "DATE";
      case Types.TIMESTAMP -> "timestamptz".equals(typeName) ? "TIMESTAMPTZ" : "TIMESTAMP";
      case Types.TIMESTAMP_WITH_TIMEZONE -> "TIMESTAMPTZ";
      default -> "VARCHAR";
    };
  }
}
