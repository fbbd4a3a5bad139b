package dev.slipway.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchInputTest {
  @TempDir Path folder;

  @Test
  void file_csv_typesColumnsFromEveryRowNotTheSniffersSample() throws Exception {
    // 30k rows: the cells that break the sampled types are past DuckDB's 20 480-row sample.
    Path csv = csv("wide.csv", "n, CASE WHEN n = 25000 THEN '2.5' ELSE n::VARCHAR END AS"
        + " fractional, CASE WHEN n = 29999 THEN 'n/a' ELSE n::VARCHAR END AS texty,"
        + " (DATE '2026-01-01' + (n % 300)::INTEGER)::VARCHAR AS day, n / 4 AS ratio");

    BatchInput input = BatchInput.file(csv);

    assertThat(input.rows()).hasValue(30000);
    assertThat(types(input)).containsExactly(Map.entry("n", "BIGINT"),
        Map.entry("fractional", "DOUBLE"), Map.entry("texty", "VARCHAR"),
        Map.entry("day", "DATE"), Map.entry("ratio", "DOUBLE"));
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement();
        ResultSet row = statement.executeQuery("SELECT fractional, texty FROM "
            + input.relation() + " WHERE n IN (25000, 29999) ORDER BY n")) {
      assertThat(row.next()).isTrue();
      assertThat(row.getDouble(1)).isEqualTo(2.5);
      assertThat(row.next()).isTrue();
      assertThat(row.getString(2)).isEqualTo("n/a");
    }
  }

  @Test
  void file_csvWithQuotesAndLooseValuesPastTheSample_readsThemAsTheWholeFileHasThem()
      throws Exception {
    // COPY quotes a value only when it holds the delimiter: the sample has no quotes at all.
    Path csv = csv("late.csv", "n, CASE WHEN n = 29999 THEN 'Smith, John' ELSE 'x' END AS"
        + " name, CASE WHEN n = 29998 THEN 'yes' ELSE (n % 2 = 0)::VARCHAR END AS flag,"
        + " CASE WHEN n = 29997 THEN '2026-12-07 10:00:00' ELSE '10:00:00' END AS at_time");

    BatchInput input = BatchInput.file(csv);

    assertThat(input.rows()).hasValue(30000);
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement();
        ResultSet rows = statement.executeQuery("SELECT typeof(flag), typeof(at_time), name,"
            + " flag, at_time FROM " + input.relation() + " WHERE n >= 29997 ORDER BY n")) {
      assertThat(rows.next()).isTrue();
      assertThat(List.of(rows.getString(1), rows.getString(2)))
          .containsExactly("VARCHAR", "VARCHAR");
      assertThat(rows.getString(5)).isEqualTo("2026-12-07 10:00:00");
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(4)).isEqualTo("yes");
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(3)).isEqualTo("Smith, John");
    }
  }

  @Test
  void file_csvWithColumnsEmptyThroughTheSample_typesThemFromTheirLaterValues()
      throws Exception {
    Path csv = csv("sparse.csv", "n, CASE WHEN n >= 25000 THEN n END AS late_integer,"
        + " CASE WHEN n >= 25000 THEN n + 0.5 END AS late_double,"
        + " CASE WHEN n >= 25000 THEN DATE '2026-01-01' + (n % 30)::INTEGER END AS late_day,"
        + " CASE WHEN n >= 25000 THEN n % 2 = 0 END AS late_flag,"
        + " CASE WHEN n >= 25000 THEN 'x' || n END AS late_text, NULL AS never");

    assertThat(types(BatchInput.file(csv))).containsExactly(Map.entry("n", "BIGINT"),
        Map.entry("late_integer", "BIGINT"), Map.entry("late_double", "DOUBLE"),
        Map.entry("late_day", "DATE"), Map.entry("late_flag", "BOOLEAN"),
        Map.entry("late_text", "VARCHAR"), Map.entry("never", "VARCHAR"));
  }

  @Test
  void file_csvWithOddValuesPastTheSample_typesThemAsTheSnifferWould() throws Exception {
    Path csv = csv("odd.csv", "n, CASE WHEN n = 25000 THEN '2026-01-02 10:11:12'"
        + " ELSE '2026-01-02' END AS day_then_time, CASE WHEN n = 25000 THEN ' 7 '"
        + " ELSE n::VARCHAR END AS padded, CASE WHEN n = 25000 THEN '+5' ELSE n::VARCHAR END"
        + " AS signed, CASE WHEN n = 25000 THEN '007' ELSE n::VARCHAR END AS zero_led,"
        + " CASE WHEN n = 25000 THEN '1e5' ELSE n::VARCHAR END AS exponent");

    BatchInput input = BatchInput.file(csv);

    assertThat(types(input)).containsExactly(Map.entry("n", "BIGINT"),
        Map.entry("day_then_time", "TIMESTAMP"), Map.entry("padded", "BIGINT"),
        Map.entry("signed", "VARCHAR"), Map.entry("zero_led", "VARCHAR"),
        Map.entry("exponent", "DOUBLE"));
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement();
        ResultSet row = statement.executeQuery("SELECT padded, signed, zero_led, exponent FROM "
            + input.relation() + " WHERE n = 25000")) {
      assertThat(row.next()).isTrue();
      assertThat(row.getLong(1)).isEqualTo(7);
      assertThat(row.getString(2)).isEqualTo("+5");
      assertThat(row.getString(3)).isEqualTo("007");
      assertThat(row.getDouble(4)).isEqualTo(1e5);
    }
  }

  @Test
  void file_csvWithBackslashEscapesPastTheSample_readsTheEscapedQuotes() throws Exception {
    StringBuilder text = new StringBuilder("n,name\n");
    for (int n = 0; n < 25000; n++) {
      text.append(n).append(',').append(n < 21000 ? "plain" : "\"say \\\"hi\\\"\"")
          .append('\n');
    }
    Path csv = Files.writeString(folder.resolve("escaped.csv"), text);

    BatchInput input = BatchInput.file(csv);

    assertThat(input.rows()).hasValue(25000);
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement();
        ResultSet row = statement.executeQuery("SELECT name FROM " + input.relation()
            + " WHERE n = 24999")) {
      assertThat(row.next()).isTrue();
      assertThat(row.getString(1)).isEqualTo("say \"hi\"");
    }
  }

  @Test
  void file_csvWithDayFirstDates_keepsTheSniffedDateFormat() throws Exception {
    Path csv = Files.writeString(folder.resolve("days.csv"),
        "day,seen,v\n07/12/2026,2026-12-07 10:00:00,1\n31/01/2027,2027-01-31 11:30:00,2\n");

    BatchInput input = BatchInput.file(csv);

    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement();
        ResultSet rows = statement.executeQuery("SELECT typeof(day), day::VARCHAR, typeof(seen),"
            + " v + 1 FROM " + input.relation() + " ORDER BY v")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(1)).isEqualTo("DATE");
      assertThat(rows.getString(2)).isEqualTo("2026-12-07");
      assertThat(rows.getString(3)).isEqualTo("TIMESTAMP");
      assertThat(rows.getLong(4)).isEqualTo(2);
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString(2)).isEqualTo("2027-01-31");
    }
  }

  @Test
  void file_csvWithALongerLineLater_keepsTheFirstLineAsHeaderAndNamesTheLongLine()
      throws Exception {
    // Left to itself, DuckDB's sniffer takes "3,4,5,6" for the header and skips the lines above
    // (0 rows, nothing said); its fields past the header's would be lost.
    Path csv = Files.writeString(folder.resolve("ragged.csv"), "a,b\n1,2\n3,4,5,6\n");

    assertThatThrownBy(() -> BatchInput.file(csv))
        .isInstanceOf(BatchJobException.class)
        .hasMessageContaining("Line: 3; Original Line: 3,4,5,6;");
  }

  @Test
  void file_csvHeaderNamingAColumnTwice_isRefused() throws Exception {
    Path csv = Files.writeString(folder.resolve("twice.csv"), "a,b,a\n1,2,3\n");

    assertThatThrownBy(() -> BatchInput.file(csv))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("input " + csv + ": the header names 'a' twice (columns 1 and 3)");
  }

  @Test
  void file_csvWithAShortLineInTheSample_namesThatLine() throws Exception {
    Path csv = Files.writeString(folder.resolve("short.csv"), "a,b,c\n1,2,3\n4,5\n6,7,8\n");

    assertThatThrownBy(() -> BatchInput.file(csv))
        .isInstanceOf(BatchJobException.class)
        .hasMessageStartingWith("cannot read " + csv + ": ")
        .hasMessageContaining("Line: 3; Original Line: 4,5;")
        .hasMessageContaining("Expected Number of Columns: 3 Found: 2")
        .hasMessageNotContaining("Possible fixes")
        .hasMessageNotContaining("\n");
  }

  @Test
  void file_csvWithALongLineInTheSample_namesThatLine() throws Exception {
    StringBuilder text = new StringBuilder("a,b,c\n");
    for (int n = 0; n < 200; n++) {
      text.append(n == 150 ? "1,2,3,4\n" : n + ",2,3\n");
    }
    Path csv = Files.writeString(folder.resolve("long.csv"), text);

    assertThatThrownBy(() -> BatchInput.file(csv))
        .isInstanceOf(BatchJobException.class)
        .hasMessageContaining("Line: 152; Original Line: 1,2,3,4;")
        .hasMessageContaining("Expected Number of Columns: 3 Found: 4");
  }

  @Test
  void file_pathThatDuckDbWouldReadAsAPattern_isRefused() throws Exception {
    Path csv = Files.writeString(folder.resolve("b?.csv"), "a\n1\n");
    Files.writeString(folder.resolve("bx.csv"), "a\n2\n");

    assertThatThrownBy(() -> BatchInput.file(csv))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("input " + csv + ": its path holds one of *?[");
  }

  @Test
  void file_folderWithoutParquetFiles_saysSo() throws Exception {
    Path parts = Files.createDirectory(folder.resolve("parts"));
    Files.writeString(parts.resolve("rows.csv"), "a\n1\n");

    assertThatThrownBy(() -> BatchInput.file(parts))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("input " + parts + ": a folder without .parquet files");
  }

  @Test
  void file_emptyCsv_saysItIsEmpty() throws Exception {
    Path csv = Files.createFile(folder.resolve("empty.csv"));

    assertThatThrownBy(() -> BatchInput.file(csv))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("input " + csv + ": empty (expected a header row, then one row per line)");
  }

  @Test
  void file_csvNotInUtf8_namesTheFileAndLine() throws Exception {
    Path csv = Files.write(folder.resolve("latin1.csv"),
        "a,b\n1,2\n3,4\n\u00e9t\u00e9,6\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> BatchInput.file(csv))
        .isInstanceOf(BatchJobException.class)
        .hasMessageStartingWith("cannot read " + csv + ": ")
        .hasMessageContaining("Line: 4");
  }

  /** The input's column types, by column name in order. */
  private static Map<String, String> types(BatchInput input) throws Exception {
    Map<String, String> types = new LinkedHashMap<>();
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement();
        ResultSet columns = statement.executeQuery("DESCRIBE SELECT * FROM "
            + input.relation())) {
      while (columns.next()) {
        types.put(columns.getString("column_name"), columns.getString("column_type"));
      }
    }
    return types;
  }

  /** A CSV file (with a header) of {@code columns} over n = 0 .. 29 999, written by DuckDB. */
  private Path csv(String name, String columns) throws Exception {
    Path csv = folder.resolve(name);
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute("COPY (SELECT " + columns + " FROM range(30000) t(n)) TO '" + csv
          + "' (HEADER)");
    }
    return csv;
  }
}
