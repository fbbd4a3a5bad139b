package dev.slipway.batch.internal;

import static dev.slipway.batch.BatchInput.identifier;
import static dev.slipway.batch.BatchInput.literal;

import dev.slipway.batch.BatchJobException;
import dev.slipway.core.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.duckdb.DuckDBConnection;

/**
 * Types a CSV file's columns from all of its rows, as Spark's {@code inferSchema} does, where
 * DuckDB's sniffer types them from a sample of 20 480 rows. Told to sample every row ({@code
 * sample_size = -1}) the sniffer took 12 s for a 1M-row file, and again at every statement that
 * read it. Here the sniffer runs once, on its sample: its dialect (delimiter, quotes...) is then
 * given to every read, so that none sniffs again (a quarter of a second each for a 1M-row file),
 * and its types are proposals. One parallel pass over the file as text counts the rows and
 * checks that every value casts to its column's type; a column empty throughout the sample has
 * each type it could have checked in the same pass. A second pass, only when a value broke an
 * integer or a date column, tries DOUBLE or TIMESTAMP there; else a column stays VARCHAR. The
 * file is then read as text and cast, which costs DuckDB as much as its typed read
 * (BENCHMARKS.md).
 */
public final class CsvTypes {
  private static final Set<String> INTEGER_TYPES = Set.of("TINYINT", "SMALLINT", "INTEGER",
      "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT");
  private static final String TEXT = "VARCHAR";
  /** DuckDB's sniffer reads this many rows from the start of the file (its default). */
  private static final int SNIFFER_SAMPLE = 20_480;
  /** The types a column empty throughout the sample could have, as the sniffer prefers them. */
  private static final List<String> ANY_TYPE =
      List.of("BOOLEAN", "BIGINT", "DOUBLE", "DATE", "TIMESTAMP");
  /**
   * What values of these types look like to the sniffer, which takes less than DuckDB's casts
   * do (seen with DuckDB 1.4 sniffing whole files): integers without a plus sign or leading
   * zeros, numbers without trailing blanks, booleans only as true, false, t or f, times without
   * a date.
   */
  private static final String INTEGER_SHAPE = "[ \\t]*-?(0|[1-9][0-9]*)[ \\t]*";
  private static final Map<String, String> SHAPES = Map.of(
      "DOUBLE", "[ \\t]*-?((0|[1-9][0-9]*)(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?"
          + "|[ \\t]*-?(?i:inf|infinity|nan)",
      "BOOLEAN", "(?i)(true|false|t|f)",
      "TIME", "[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?");
  /** How {@code sniff_csv} shows an option it found empty (no quote character, say). */
  private static final String SNIFFED_EMPTY = "(empty)";
  /** The delimiters DuckDB's sniffer tries. */
  private static final String DELIMITERS = ",|;\t";
  /** RFC 4180's quote, and its escape (a doubled quote). */
  private static final String QUOTE = "\"";
  private static final String BACKSLASH = "\\";

  /**
   * @param relation the file's rows, each column in its type, as SQL usable after FROM
   * @param rows how many rows the file has
   */
  public record Typed(String relation, long rows) {}

  /**
   * The sniffer's findings: how to read the file as text (every option but the header, the
   * escape character and the columns), and its date and timestamp formats.
   *
   * @param escapeSniffed false when the sample had no escaped quote, so {@code escape} is a
   *     guess
   */
  private record Dialect(String read, List<String> columns, String escape,
      boolean escapeSniffed, String dateFormat, String timestampFormat) {
    String text() {
      StringJoiner types = new StringJoiner(", ", "columns = {", "}");
      columns.forEach(name -> types.add(literal(name) + ": '" + TEXT + "'"));
      // The header is the first line: left to itself, the sniffer may take a longer line
      // further down for the header and skip the lines before it, data rows included.
      return read + ", header = true, escape = " + literal(escape) + ", " + types + ")";
    }

    Dialect withEscape(String other) {
      return new Dialect(read, columns, other, escapeSniffed, dateFormat, timestampFormat);
    }

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

  /** A column whose type is checked against its values, one round of candidates per pass. */
  private static final class Column {
    final String name;
    final List<List<String>> rounds;
    long values;
    String type = TEXT;

    Column(String name, List<List<String>> rounds) {
      this.name = name;
      this.rounds = rounds;
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
      Map<String, String> proposed = new LinkedHashMap<>();
      Dialect dialect = sniff(connection, statement, file, proposed, description);
      try {
        return type(statement, dialect, proposed);
      } catch (SQLException e) {
        // Past a sample without escapes the file may escape quotes with backslashes (as
        // MySQL's dumps do), where a doubled quote was assumed.
        if (dialect.escapeSniffed()) {
          throw e;
        }
        // DuckDB's driver closes a statement whose query failed.
        try (Statement retry = connection.createStatement()) {
          return type(retry, dialect.withEscape(BACKSLASH), proposed);
        } catch (SQLException alsoNot) {
          throw e;
        }
      }
    } catch (SQLException e) {
      throw new BatchJobException("cannot read " + description + ": " + DuckDb.message(e), e);
    }
  }

  /** Checks the proposed types against every value; the file's typed rows. */
  private static Typed type(Statement statement, Dialect dialect, Map<String, String> proposed)
      throws SQLException {
    String text = dialect.text();
    List<String> emptyInSample = emptyInSample(statement, text, proposed);
    List<Column> pending = new ArrayList<>();
    Map<String, Column> columns = new LinkedHashMap<>();
    proposed.forEach((name, type) -> {
      List<List<String>> rounds = emptyInSample.contains(name) ? List.of(ANY_TYPE)
          : INTEGER_TYPES.contains(type) ? List.of(List.of(type), List.of("DOUBLE"))
          : type.equals("DATE") ? List.of(List.of(type), List.of("TIMESTAMP"))
          : type.equals(TEXT) ? List.of() : List.of(List.of(type));
      Column column = new Column(name, rounds);
      columns.put(name, column);
      if (!rounds.isEmpty()) {
        pending.add(column);
      }
    });
    long rows = 0;
    for (int round = 0; round == 0 || !pending.isEmpty(); round++) {
      List<String> counts = new ArrayList<>();
      if (round == 0) {
        counts.add("count(*)");
        pending.forEach(column -> counts.add("count(" + identifier(column.name) + ")"));
      }
      for (Column column : pending) {
        for (String type : column.rounds.get(round)) {
          counts.add(castCount(dialect, column.name, type,
              type.equals("DOUBLE") && type.equals(proposed.get(column.name))));
        }
      }
      long[] counted = count(statement, counts, text);
      int at = 0;
      if (round == 0) {
        rows = counted[at++];
        for (Column column : pending) {
          column.values = counted[at++];
        }
      }
      List<Column> next = new ArrayList<>();
      for (Column column : pending) {
        for (String type : column.rounds.get(round)) {
          // Zero values (a column empty throughout) would match any type: it stays text.
          if (counted[at++] == column.values && column.values > 0
              && column.type.equals(TEXT)) {
            column.type = type;
          }
        }
        if (column.type.equals(TEXT) && round + 1 < column.rounds.size()) {
          next.add(column);
        }
      }
      pending.clear();
      pending.addAll(next);
    }
    StringJoiner select = new StringJoiner(", ", "(SELECT ", " FROM " + text + ")");
    columns.values().forEach(column -> select.add(column.type.equals(TEXT)
        ? identifier(column.name)
        : dialect.cast(column.name, column.type, false) + " AS " + identifier(column.name)));
    return new Typed(select.toString(), rows);
  }

  /**
   * The columns the sniffer typed as text only because it saw no value in its sample: their
   * type is still open.
   */
  private static List<String> emptyInSample(Statement statement, String text,
      Map<String, String> proposed) throws SQLException {
    List<String> texts = proposed.keySet().stream()
        .filter(name -> proposed.get(name).equals(TEXT)).toList();
    if (texts.isEmpty()) {
      return List.of();
    }
    StringJoiner names = new StringJoiner(", ");
    texts.forEach(name -> names.add(identifier(name)));
    long[] counted = count(statement,
        texts.stream().map(name -> "count(" + identifier(name) + ")").toList(),
        "(SELECT " + names + " FROM " + text + " LIMIT " + SNIFFER_SAMPLE + ")");
    List<String> empty = new ArrayList<>();
    for (int c = 0; c < counted.length; c++) {
      if (counted[c] == 0) {
        empty.add(texts.get(c));
      }
    }
    return empty;
  }

  /** Runs the sniffer once; puts the columns' proposed types in {@code types}. */
  private static Dialect sniff(DuckDBConnection connection, Statement statement, Path path,
      Map<String, String> types, String description) throws SQLException {
    String file = literal(path.toAbsolutePath().toString());
    if (!sniffed(connection, file, "", types) || unsplit(types)) {
      // A line with more or fewer fields than the header in the sample leaves the sniffer with
      // no delimiter: it fails, or takes the whole header for one column's name. Told that
      // lines may be short, it finds the delimiter of short lines; for long ones the header
      // tells it. The reads, which are strict, then fail naming that line.
      if (!sniffed(connection, file, ", null_padding = true", types) || unsplit(types)) {
        return fromHeader(statement, path, file, types, description);
      }
    }
    try (ResultSet found = statement.executeQuery("SELECT Delimiter, Quote, Escape,"
        + " NewLineDelimiter, Comment, DateFormat, TimestampFormat FROM sniffed")) {
      found.next();
      String escape = option(found.getString(3), null);
      Dialect dialect = new Dialect(read(file, option(found.getString(1), ""),
          // A sample without quotes says nothing of the rest: quoting stays on, as RFC 4180
          // has it.
          option(found.getString(2), QUOTE), option(found.getString(4), ""),
          option(found.getString(5), "")), List.copyOf(types.keySet()),
          escape == null ? QUOTE : escape, escape != null, found.getString(6),
          found.getString(7));
      refuseRepeatedNames(statement, dialect, description);
      return dialect;
    }
  }

  private static String read(String file, String delimiter, String quote, String newLine,
      String comment) {
    return "read_csv(" + file + ", auto_detect = false, skip = 0, delim = "
        + literal(delimiter) + ", quote = " + literal(quote)
        + (newLine.isEmpty() ? "" : ", new_line = " + literal(newLine)) + ", comment = "
        + literal(comment);
  }

  /**
   * Runs the sniffer (into table {@code sniffed}), its column types into {@code types}; false
   * when it finds no dialect.
   */
  private static boolean sniffed(DuckDBConnection connection, String file, String options,
      Map<String, String> types) throws SQLException {
    types.clear();
    // A statement of its own: DuckDB's driver closes a statement whose query failed.
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS sniffed");
      statement.execute("CREATE TEMP TABLE sniffed AS SELECT * FROM sniff_csv(" + file
          + ", header = true, skip = 0" + options + ")");
      try (ResultSet columns = statement.executeQuery(
          "SELECT c.name, c.type FROM (SELECT unnest(Columns) AS c FROM sniffed)")) {
        while (columns.next()) {
          types.put(columns.getString(1), columns.getString(2));
        }
      }
      return true;
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("detect the CSV parsing dialect")) {
        return false;
      }
      throw e;
    }
  }

  /** One column whose name holds a delimiter: the sniffer did not split the header. */
  private static boolean unsplit(Map<String, String> types) {
    return types.size() == 1
        && types.keySet().iterator().next().chars().anyMatch(c -> DELIMITERS.indexOf(c) >= 0);
  }

  /**
   * The dialect the header line shows (its most frequent delimiter, RFC 4180's quotes), every
   * column text: for a file the sniffer could not read, whose strict read then names the line
   * that stopped it.
   */
  private static Dialect fromHeader(Statement statement, Path path, String file,
      Map<String, String> types, String description) throws SQLException {
    String header;
    try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      header = Objects.requireNonNullElse(reader.readLine(), "").replace("\uFEFF", "");
    } catch (IOException e) {
      throw new BatchJobException("cannot read " + description + ": " + e.getMessage(), e);
    }
    char delimiter = ',';
    long most = 0;
    for (char candidate : DELIMITERS.toCharArray()) {
      long count = header.chars().filter(c -> c == candidate).count();
      if (count > most) {
        delimiter = candidate;
        most = count;
      }
    }
    types.clear();
    for (String name : header.split(Pattern.quote(String.valueOf(delimiter)), -1)) {
      types.put(name.strip().replaceAll("^\"(.*)\"$", "$1"), TEXT);
    }
    Dialect dialect = new Dialect(read(file, String.valueOf(delimiter), QUOTE, "", ""),
        List.copyOf(types.keySet()), QUOTE, false, null, null);
    refuseRepeatedNames(statement, dialect, description);
    return dialect;
  }

  private static String option(String sniffed, String whenEmpty) {
    return sniffed == null || sniffed.equals(SNIFFED_EMPTY) ? whenEmpty : sniffed;
  }

  /**
   * DuckDB renames a header's repeated name (a second {@code x} becomes {@code x_1}): a model
   * would then take whichever column its position gives it, without a word.
   */
  private static void refuseRepeatedNames(Statement statement, Dialect dialect,
      String description) throws SQLException {
    // The first read of the file's rows: DuckDB's buffers for it grow with the columns.
    DuckDb.fitMemoryTo(statement, dialect.columns().size());
    StringJoiner positions = new StringJoiner(", ", "columns = {", "}");
    for (int c = 0; c < dialect.columns().size(); c++) {
      positions.add("'c" + c + "': '" + TEXT + "'");
    }
    String header = dialect.read() + ", header = false, escape = "
        + literal(dialect.escape()) + ", " + positions + ")";
    try (ResultSet names = statement.executeQuery("SELECT * FROM " + header + " LIMIT 1")) {
      if (!names.next()) {
        return;
      }
      // DuckDB's names ignore case: Mean_Radius and mean_radius are one name to it.
      Map<String, Integer> seen = new LinkedHashMap<>();
      for (int c = 1; c <= dialect.columns().size(); c++) {
        Integer earlier = seen.putIfAbsent(
            String.valueOf(names.getString(c)).toLowerCase(Locale.ROOT), c);
        if (earlier != null) {
          throw new InvalidInputException("input " + description + ": the header names '"
              + names.getString(c) + "' twice (columns " + earlier + " and " + c + ")");
        }
      }
    }
  }



  /**
   * How many of the column's values convert to {@code type}: all when it has that type. Where
   * DuckDB's cast takes more than the sniffer does, a value must also look like the sniffer's:
   * the cast rounds '2.5' to an integer, reads 'yes' as a boolean and the time of a timestamp.
   * When {@code castOnly}, only the cast: a DOUBLE column's shape, checked on every value where
   * the sniffer proposed DOUBLE, took the typing pass of a 1M-row file from 2.8 to 6.2 CPU-s,
   * to tell apart only a few forms ('+1.5', '1.5 ') that the sniffer would have left as text.
   */
  private static String castCount(Dialect dialect, String name, String type,
      boolean castOnly) {
    String cast = dialect.cast(name, type, true);
    String shape = castOnly ? null
        : INTEGER_TYPES.contains(type) ? INTEGER_SHAPE : SHAPES.get(type);
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
