package dev.slipway.batch.internal;

import static dev.slipway.batch.BatchInput.identifier;
import static dev.slipway.batch.BatchInput.literal;

import dev.slipway.batch.BatchJobException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.duckdb.DuckDBConnection;

/**
 * Types a CSV file's columns from all of its rows, as Spark's {@code inferSchema} does, where
 * DuckDB's sniffer types them from a sample of 20 480 rows. Told to sample every row ({@code
 * sample_size = -1}) the sniffer took 12 s for a 1M-row file, and again at every statement that
 * read it. Here the sniffer runs once, on its sample: its dialect (delimiter, quotes...) is then
 * given to every read, so that none sniffs again (a quarter of a second each for a 1M-row file),
 * and its types are proposals. One parallel pass over the file as text counts the rows and
 * checks that every value casts to its column's type (a second pass, only when an integer column
 * has a value that does not, tries DOUBLE; else a column stays VARCHAR). The file is then read as
 * text and cast, which costs DuckDB as much as its typed read (BENCHMARKS.md).
 */
public final class CsvTypes {
  private static final Set<String> INTEGER_TYPES = Set.of("TINYINT", "SMALLINT", "INTEGER",
      "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT");
  private static final String TEXT = "VARCHAR";
  /** What a value of these types looks like to the sniffer (integers: an optional minus). */
  private static final Map<String, String> SHAPES = Map.of(
      "BOOLEAN", "(?i)(true|false|t|f)",
      "TIME", "[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?");
  /** How {@code sniff_csv} shows an option it found empty (no quote character, say). */
  private static final String SNIFFED_EMPTY = "(empty)";

  /**
   * @param relation the file's rows, each column in its type, as SQL usable after FROM
   * @param rows how many rows the file has
   */
  public record Typed(String relation, long rows) {}

  /** The sniffer's findings: the file's rows as text, and its date and timestamp formats. */
  private record Dialect(String text, String dateFormat, String timestampFormat) {
    /**
     * {@code column} (text) as {@code type}; when {@code lenient}, null where a value does not
     * convert.
     */
    String cast(String column, String type, boolean lenient) {
      String name = identifier(column);
      if (type.equals("DATE") && dateFormat != null) {
        return "CAST(" + (lenient ? "try_strptime(" : "strptime(") + name + ", "
            + literal(dateFormat) + ") AS DATE)";
      }
      if (type.equals("TIMESTAMP") && timestampFormat != null) {
        return (lenient ? "try_strptime(" : "strptime(") + name + ", "
            + literal(timestampFormat) + ")";
      }
      return (lenient ? "TRY_CAST(" : "CAST(") + name + " AS " + type + ")";
    }
  }

  private CsvTypes() {}

  /**
   * Reads {@code file} (CSV with a header row) to type its columns.
   *
   * @throws BatchJobException naming {@code description} when DuckDB cannot read the file
   */
  public static Typed of(Path file, String description) {
    try (DuckDBConnection connection =
            DuckDb.open(null, Path.of(System.getProperty("java.io.tmpdir")));
        Statement statement = connection.createStatement()) {
      Map<String, String> types = new LinkedHashMap<>();
      Dialect dialect = sniff(statement, literal(file.toAbsolutePath().toString()), types);
      List<String> proposed = types.keySet().stream()
          .filter(name -> !types.get(name).equals(TEXT)).toList();
      List<String> counts = new ArrayList<>(List.of("count(*)"));
      for (String name : proposed) {
        counts.add("count(" + identifier(name) + ")");
        counts.add(castCount(dialect, name, types.get(name)));
      }
      long[] counted = count(statement, counts, dialect.text());
      Map<String, Long> widening = new LinkedHashMap<>();
      for (int c = 0; c < proposed.size(); c++) {
        String name = proposed.get(c);
        long values = counted[1 + 2 * c];
        if (counted[2 + 2 * c] != values) {
          if (INTEGER_TYPES.contains(types.get(name))) {
            widening.put(name, values);
          }
          types.put(name, TEXT);
        }
      }
      if (!widening.isEmpty()) {
        List<String> names = List.copyOf(widening.keySet());
        long[] cast = count(statement,
            names.stream().map(name -> castCount(dialect, name, "DOUBLE")).toList(),
            dialect.text());
        for (int c = 0; c < names.size(); c++) {
          if (cast[c] == widening.get(names.get(c))) {
            types.put(names.get(c), "DOUBLE");
          }
        }
      }
      StringJoiner select = new StringJoiner(", ", "(SELECT ", " FROM " + dialect.text() + ")");
      types.forEach((name, type) -> select.add(type.equals(TEXT) ? identifier(name)
          : dialect.cast(name, type, false) + " AS " + identifier(name)));
      return new Typed(select.toString(), counted[0]);
    } catch (SQLException e) {
      throw new BatchJobException("cannot read " + description + ": " + DuckDb.message(e), e);
    }
  }

  /** Runs the sniffer once; puts the columns' proposed types in {@code types}. */
  private static Dialect sniff(Statement statement, String file, Map<String, String> types)
      throws SQLException {
    // The header is the first line: left to itself, the sniffer may take a longer line further
    // down for the header and skip the lines before it, data rows included.
    statement.execute("CREATE TEMP TABLE sniffed AS SELECT * FROM sniff_csv(" + file
        + ", header = true, skip = 0)");
    try (ResultSet columns = statement.executeQuery(
        "SELECT c.name, c.type FROM (SELECT unnest(Columns) AS c FROM sniffed)")) {
      while (columns.next()) {
        types.put(columns.getString(1), columns.getString(2));
      }
    }
    try (ResultSet found = statement.executeQuery("SELECT Delimiter, Quote, Escape,"
        + " NewLineDelimiter, Comment, DateFormat, TimestampFormat FROM sniffed")) {
      found.next();
      StringJoiner text = new StringJoiner(", ", "read_csv(" + file + ", auto_detect = false,"
          + " header = true, skip = 0, ", ")");
      text.add("delim = " + option(found.getString(1), ""));
      // A sample without quotes says nothing of the rest: quoting stays on, as RFC 4180 has it.
      text.add("quote = " + option(found.getString(2), "\""));
      text.add("escape = " + option(found.getString(3), "\""));
      text.add("new_line = " + option(found.getString(4), ""));
      text.add("comment = " + option(found.getString(5), ""));
      StringJoiner columns = new StringJoiner(", ", "columns = {", "}");
      types.keySet().forEach(name -> columns.add(literal(name) + ": '" + TEXT + "'"));
      text.add(columns.toString());
      return new Dialect(text.toString(), found.getString(6), found.getString(7));
    }
  }

  private static String option(String sniffed, String whenEmpty) {
    return literal(sniffed == null || sniffed.equals(SNIFFED_EMPTY) ? whenEmpty : sniffed);
  }

  /**
   * How many of the column's values convert to {@code type}: all when it has that type. Where
   * DuckDB's cast takes more than the sniffer does, a value must also look like the sniffer's:
   * the cast rounds '2.5' to an integer, reads 'yes' as a boolean and the time of a timestamp.
   */
  private static String castCount(Dialect dialect, String name, String type) {
    String cast = dialect.cast(name, type, true);
    String shape = INTEGER_TYPES.contains(type) ? "-?[0-9]+" : SHAPES.get(type);
    return shape == null ? "count(" + cast + ")"
        : "count(CASE WHEN regexp_full_match(" + identifier(name) + ", " + literal(shape)
            + ") THEN " + cast + " END)";
  }

  private static long[] count(Statement statement, List<String> counts, String relation)
      throws SQLException {
    try (ResultSet result = statement.executeQuery(
        "SELECT " + String.join(", ", counts) + " FROM " + relation)) {
      result.next();
      long[] values = new long[counts.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = result.getLong(i + 1);
      }
      return values;
    }
  }
}
