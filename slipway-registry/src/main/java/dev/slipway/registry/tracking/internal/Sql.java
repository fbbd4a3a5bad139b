package dev.slipway.registry.tracking.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;
import org.jdbi.v3.core.statement.SqlStatement;

/** Small JDBC helpers shared by the tracking tables. */
public final class Sql {
  /**
   * IN lists are split into chunks: PostgreSQL allows at most 32767 bound parameters per
   * statement, and search pages can hold 50000 runs.
   */
  static final int CHUNK = 1000;
  /** SQLSTATE of a unique or primary key violation, on PostgreSQL and H2 alike. */
  private static final String UNIQUE_VIOLATION = "23505";

  private Sql() {}

  /** True when {@code failure} was caused by a duplicate key. */
  public static boolean isUniqueViolation(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** Placeholders {@code :prefix0, :prefix1, ...} for {@code count} values. */
  static String placeholders(String prefix, int count) {
    StringJoiner joiner = new StringJoiner(", ");
    for (int i = 0; i < count; i++) {
      joiner.add(":" + prefix + i);
    }
    return joiner.toString();
  }

  /** Binds {@code values} to the placeholders made by {@link #placeholders}. */
  static <S extends SqlStatement<S>> S bindEach(S statement, String prefix, List<?> values) {
    for (int i = 0; i < values.size(); i++) {
      statement.bind(prefix + i, values.get(i));
    }
    return statement;
  }

  static <S extends SqlStatement<S>> S bindAll(S statement, Map<String, Object> parameters) {
    parameters.forEach(statement::bind);
    return statement;
  }

  static <T> void inChunks(List<T> values, Consumer<List<T>> action) {
    for (int from = 0; from < values.size(); from += CHUNK) {
      action.accept(values.subList(from, Math.min(values.size(), from + CHUNK)));
    }
  }

  /** A nullable BIGINT column. */
  static Long nullableLong(ResultSet row, String column) throws SQLException {
    long value = row.getLong(column);
    return row.wasNull() ? null : value;
  }
}
