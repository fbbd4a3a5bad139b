package dev.slipway.batch.internal;

import dev.slipway.core.InvalidInputException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.duckdb.DuckDBAppender;

/**
 * Appends one pass-through column's JDBC values (as DuckDB's {@code getObject} returns them) to
 * a DuckDB appender, keeping their type.
 */
public final class ColumnAppender {
  private final String column;

  private ColumnAppender(String column) {
    this.column = column;
  }

  /**
   * An appender for a column of DuckDB type {@code type}.
   *
   * @throws InvalidInputException for a type that cannot be copied to the output (nested types)
   */
  public static ColumnAppender forType(String column, String type) {
    if (type.endsWith("[]") || type.startsWith("STRUCT") || type.startsWith("MAP")
        || type.startsWith("UNION") || type.startsWith("LIST")) {
      throw new InvalidInputException("key column '" + column + "': type " + type
          + " cannot be copied to the output (expected a number, text, boolean, date or time)");
    }
    return new ColumnAppender(column);
  }

  public void append(DuckDBAppender appender, Object value) throws SQLException {
    if (value == null) {
      appender.appendNull();
    } else if (value instanceof String text) {
      appender.append(text);
    } else if (value instanceof Long number) {
      appender.append(number.longValue());
    } else if (value instanceof Integer number) {
      appender.append(number.intValue());
    } else if (value instanceof Double number) {
      appender.append(number.doubleValue());
    } else if (value instanceof Float number) {
      appender.append(number.floatValue());
    } else if (value instanceof Boolean flag) {
      appender.append(flag.booleanValue());
    } else if (value instanceof Short number) {
      appender.append(number.shortValue());
    } else if (value instanceof Byte number) {
      appender.append(number.byteValue());
    } else if (value instanceof BigDecimal number) {
      appender.append(number);
    } else if (value instanceof BigInteger number) {
      appender.append(number);
    } else if (value instanceof java.sql.Timestamp time) {
      appender.append(time.toLocalDateTime());
    } else if (value instanceof java.sql.Date date) {
      appender.append(date.toLocalDate());
    } else if (value instanceof LocalDateTime time) {
      appender.append(time);
    } else if (value instanceof LocalDate date) {
      appender.append(date);
    } else if (value instanceof OffsetDateTime time) {
      appender.append(time);
    } else if (value instanceof UUID uuid) {
      appender.append(uuid);
    } else {
      throw new InvalidInputException("key column '" + column + "': values of "
          + value.getClass().getSimpleName() + " cannot be copied to the output");
    }
  }
}
