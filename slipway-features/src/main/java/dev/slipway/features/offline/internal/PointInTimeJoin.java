package dev.slipway.features.offline.internal;

import dev.slipway.core.InvalidInputException;
import dev.slipway.core.SlipwayException;
import dev.slipway.features.DataSource;
import dev.slipway.features.Entity;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureView;
import dev.slipway.features.OnDemandFeatureView;
import dev.slipway.features.ValueType;
import dev.slipway.features.internal.SafeExpression;
import dev.slipway.features.internal.SourceRelations;
import dev.slipway.features.offline.EntityRows;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBPreparedStatement;

/**
 * One historical retrieval: builds a DuckDB query with one ASOF LEFT JOIN per feature view,
 * writes it to Parquet with COPY, and when on-demand features are asked for, streams the joined
 * rows through the expressions and appends the results back into DuckDB before writing. Every
 * table it creates has a unique name and is dropped at the end.
 */
public final class PointInTimeJoin {
  private static final AtomicLong RUNS = new AtomicLong();
  private static final int PROGRESS_EVERY = 10_000;

  private final FeatureDefinitions definitions;
  private final DuckDBConnection connection;
  private final Path workDir;
  private final String prefix = "__pit" + RUNS.incrementAndGet() + "_";

  public PointInTimeJoin(FeatureDefinitions definitions, DuckDBConnection connection,
      Path workDir) {
    this.definitions = definitions;
    this.connection = connection;
    this.workDir = workDir;
  }

  /** The output column of a feature. */
  public static String column(String view, String feature) {
    return view + "__" + feature;
  }

  public long run(EntityRows entities, List<String> refs, Path output, LongConsumer progress) {
    // Plain features to join: requested ones, and inputs of on-demand features as hidden
    // columns (dropped before writing unless also requested).
    Map<String, Set<String>> joined = new LinkedHashMap<>();
    List<String> outputColumns = new ArrayList<>();
    Map<String, List<String>> onDemand = new LinkedHashMap<>();
    for (String ref : refs) {
      int colon = ref.indexOf(':');
      String view = colon > 0 ? ref.substring(0, colon) : "";
      String feature = colon > 0 ? ref.substring(colon + 1) : "";
      if (definitions.typeOf(ref).isEmpty()) {
        throw new InvalidInputException("historical retrieval: feature '" + ref
            + "' is not defined in " + definitions.file() + " (expected view:feature)");
      }
      if (definitions.featureViews().containsKey(view)) {
        joined.computeIfAbsent(view, v -> new LinkedHashSet<>()).add(feature);
      } else {
        onDemand.computeIfAbsent(view, v -> new ArrayList<>()).add(feature);
        for (String input : definitions.onDemandFeatureViews().get(view).inputs().values()) {
          int inputColon = input.indexOf(':');
          joined.computeIfAbsent(input.substring(0, inputColon), v -> new LinkedHashSet<>())
              .add(input.substring(inputColon + 1));
        }
      }
      outputColumns.add(column(view, feature));
    }
    String entityTable = prefix + "entities";
    List<String> dropLater = new ArrayList<>();
    Path temp = output.resolveSibling("." + output.getFileName() + "." + prefix + ".tmp");
    try {
      dropLater.add(createEntities(entities, entityTable));
      Map<String, String> entityColumns = describe("SELECT * FROM " + entityTable);
      String where = "entity rows" + (entities.path() == null ? "" : " " + entities.path());
      requireColumn(entityColumns, entities.timestampColumn(), where, "the event timestamp");
      checkSources(joined);
      String query = query(entityTable, entityColumns, entities.timestampColumn(), joined,
          where);
      long rows;
      if (onDemand.isEmpty()) {
        rows = copy("SELECT * EXCLUDE (__entity_ts) FROM (" + query + ")", entityColumns,
            outputColumns, temp, entityTable, progress);
        progress.accept(rows);
      } else {
        for (String view : onDemand.keySet()) {
          for (var field : definitions.onDemandFeatureViews().get(view).requestFields()) {
            requireColumn(entityColumns, field.name(), where,
                "request field of on-demand view '" + view + "'");
          }
        }
        rows = computeOnDemand(query, onDemand, entityColumns, outputColumns, temp, progress,
            dropLater);
      }
      move(temp, output);
      return rows;
    } catch (SQLException e) {
      throw new SlipwayException("historical retrieval into " + output + " failed: "
          + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // Best effort: a leftover temporary file is harmless and named after the run.
      }
      drop(dropLater);
    }
  }

  /** Refuses missing source files or columns up front, naming the file, view and column. */
  private void checkSources(Map<String, Set<String>> joined) throws SQLException {
    for (Map.Entry<String, Set<String>> entry : joined.entrySet()) {
      FeatureView view = definitions.featureViews().get(entry.getKey());
      DataSource source = definitions.sources().get(view.source());
      String where = "source '" + source.name() + "' (" + source.path() + ") of feature view '"
          + view.name() + "'";
      if (!Files.isRegularFile(source.path())) {
        throw new InvalidInputException(where + ": file not found (expected a readable "
            + source.format().name().toLowerCase(Locale.ROOT) + " file)");
      }
      Map<String, String> columns = describe("SELECT * FROM " + read(source));
      requireColumn(columns, source.timestampField(), where, "timestamp_field");
      if (source.createdTimestampField() != null) {
        requireColumn(columns, source.createdTimestampField(), where,
            "created_timestamp_field");
      }
      for (String entityName : view.entities()) {
        for (Entity.JoinKey key : definitions.entities().get(entityName).joinKeys()) {
          requireColumn(columns, key.name(), where, "join key of entity '" + entityName + "'");
        }
      }
      for (String feature : entry.getValue()) {
        requireColumn(columns, feature, where, "feature '" + feature + "'");
      }
    }
  }

  private String query(String entityTable, Map<String, String> entityColumns,
      String timestampColumn, Map<String, Set<String>> joined, String where) {
    StringBuilder with = new StringBuilder();
    StringBuilder select = new StringBuilder("SELECT e.*");
    StringBuilder from = new StringBuilder(" FROM (SELECT *, CAST(" + quote(timestampColumn)
        + " AS TIMESTAMP) AS __entity_ts FROM " + entityTable + ") e");
    int index = 0;
    for (Map.Entry<String, Set<String>> entry : joined.entrySet()) {
      FeatureView view = definitions.featureViews().get(entry.getKey());
      DataSource source = definitions.sources().get(view.source());
      String alias = "v" + index++;
      List<String> keys = new ArrayList<>();
      for (String entityName : view.entities()) {
        Entity entity = definitions.entities().get(entityName);
        for (Entity.JoinKey key : entity.joinKeys()) {
          requireColumn(entityColumns, key.name(), where, "join key of entity '"
              + entityName + "' (feature view '" + view.name() + "')");
          keys.add(key.name());
        }
      }
      String keyList = keys.stream().map(PointInTimeJoin::quote)
          .collect(Collectors.joining(", "));
      String eventTs = "CAST(" + quote(source.timestampField()) + " AS TIMESTAMP)";
      with.append(with.length() == 0 ? "WITH " : ", ").append(alias).append(" AS (SELECT ")
          .append(keyList).append(", ").append(eventTs).append(" AS __ts");
      for (String feature : entry.getValue()) {
        with.append(", ").append(quote(feature));
      }
      with.append(" FROM ").append(read(source));
      if (source.createdTimestampField() != null) {
        // ASOF picks an arbitrary row among equal event times: keep only the latest created.
        with.append(" QUALIFY row_number() OVER (PARTITION BY ").append(keyList).append(", ")
            .append(eventTs).append(" ORDER BY ").append(quote(source.createdTimestampField()))
            .append(" DESC NULLS LAST) = 1");
      }
      with.append(")");
      for (String feature : entry.getValue()) {
        String value = alias + "." + quote(feature);
        if (!view.ttl().isZero()) {
          value = "CASE WHEN " + alias + ".__ts >= e.__entity_ts - INTERVAL '"
              + view.ttl().getSeconds() + " seconds' THEN " + value + " END";
        }
        select.append(", ").append(value).append(" AS ")
            .append(quote(column(view.name(), feature)));
      }
      from.append(" ASOF LEFT JOIN ").append(alias).append(" ON ");
      for (String key : keys) {
        from.append("e.").append(quote(key)).append(" = ").append(alias).append(".")
            .append(quote(key)).append(" AND ");
      }
      from.append("e.__entity_ts >= ").append(alias).append(".__ts");
    }
    return with + " " + select + from;
  }

  private long copy(String query, Map<String, String> entityColumns, List<String> outputColumns,
      Path temp, String entityTable, LongConsumer progress) throws SQLException {
    String columns = selectedColumns(entityColumns, outputColumns);
    long entityCount;
    try (Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery("SELECT count(*) FROM " + entityTable)) {
      count.next();
      entityCount = count.getLong(1);
    }
    try (Statement statement = connection.createStatement();
        DuckDBPreparedStatement copy = connection.prepareStatement("COPY (SELECT " + columns
            + " FROM (" + query + ")) TO " + literal(temp.toAbsolutePath().toString())
            + " (FORMAT parquet)").unwrap(DuckDBPreparedStatement.class)) {
      // COPY runs inside DuckDB in one call; a poller turns DuckDB's query progress into an
      // estimate of rows written so a CLI can show progress on long runs.
      ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "offline-store-progress");
        thread.setDaemon(true);
        return thread;
      });
      AtomicLong reported = new AtomicLong();
      poller.scheduleAtFixedRate(() -> {
        try {
          double percentage = copy.getQueryProgress().getPercentage();
          long estimate = (long) (entityCount * Math.min(99.0, Math.max(0, percentage)) / 100);
          if (estimate > reported.get()) {
            reported.set(estimate);
            progress.accept(estimate);
          }
        } catch (SQLException | RuntimeException e) {
          // Progress is informative only; the query's own outcome is reported by execute.
        }
      }, 250, 250, TimeUnit.MILLISECONDS);
      try {
        copy.execute();
      } finally {
        poller.shutdownNow();
        try {
          // The callback must not run after the final count is reported.
          poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try (ResultSet count = statement.executeQuery("SELECT count(*) FROM read_parquet("
          + literal(temp.toAbsolutePath().toString()) + ")")) {
        count.next();
        return count.getLong(1);
      }
    }
  }

  private long computeOnDemand(String query, Map<String, List<String>> onDemand,
      Map<String, String> entityColumns, List<String> outputColumns, Path temp,
      LongConsumer progress, List<String> dropLater) throws SQLException {
    String joinedTable = prefix + "joined";
    String computedTable = prefix + "computed";
    List<String[]> computed = new ArrayList<>();
    try (Statement statement = connection.createStatement()) {
      // Materialized inside DuckDB (which spills past its memory limit), so Java only ever
      // holds the row being computed.
      statement.execute("CREATE TABLE " + joinedTable + " AS SELECT row_number() OVER () AS "
          + "__row_id, * EXCLUDE (__entity_ts) FROM (" + query + ")");
      dropLater.add(joinedTable);
      StringBuilder create = new StringBuilder("CREATE TABLE " + computedTable
          + " (__row_id BIGINT");
      for (Map.Entry<String, List<String>> entry : onDemand.entrySet()) {
        for (String feature : entry.getValue()) {
          computed.add(new String[] {entry.getKey(), feature});
          create.append(", ").append(quote(column(entry.getKey(), feature))).append(" ")
              .append(SourceRelations.sqlType(
                  definitions.typeOf(entry.getKey() + ":" + feature).get()));
        }
      }
      statement.execute(create.append(")").toString());
      dropLater.add(computedTable);
    }
    long rows = 0;
    try (Statement read = connection.createStatement();
        ResultSet result = read.executeQuery("SELECT * FROM " + joinedTable);
        DuckDBConnection writer = (DuckDBConnection) connection.duplicate();
        DuckDBAppender appender = writer.createAppender(DuckDBConnection.DEFAULT_SCHEMA,
            computedTable)) {
      Map<String, Object> inputs = new HashMap<>();
      while (result.next()) {
        appender.beginRow();
        appender.append(result.getLong("__row_id"));
        for (String[] feature : computed) {
          OnDemandFeatureView view = definitions.onDemandFeatureViews().get(feature[0]);
          inputs.clear();
          for (var field : view.requestFields()) {
            inputs.put(field.name(), result.getObject(field.name()));
          }
          for (Map.Entry<String, String> input : view.inputs().entrySet()) {
            String ref = input.getValue();
            int colon = ref.indexOf(':');
            inputs.put(input.getKey(),
                result.getObject(column(ref.substring(0, colon), ref.substring(colon + 1))));
          }
          SafeExpression expression = definitions.expression(feature[0], feature[1]);
          appendValue(appender, expression.evaluate(inputs));
        }
        appender.endRow();
        rows++;
        if (rows % PROGRESS_EVERY == 0) {
          progress.accept(rows);
        }
      }
      appender.flush();
    }
    String columns = selectedColumns(entityColumns, outputColumns);
    try (Statement statement = connection.createStatement()) {
      statement.execute("COPY (SELECT " + columns + " FROM " + joinedTable + " JOIN "
          + computedTable + " USING (__row_id)) TO "
          + literal(temp.toAbsolutePath().toString()) + " (FORMAT parquet)");
    }
    progress.accept(rows);
    return rows;
  }

  private static String selectedColumns(Map<String, String> entityColumns,
      List<String> outputColumns) {
    List<String> columns = new ArrayList<>();
    entityColumns.keySet().forEach(c -> columns.add(quote(c)));
    new LinkedHashSet<>(outputColumns).forEach(c -> columns.add(quote(c)));
    return String.join(", ", columns);
  }

  private static void appendValue(DuckDBAppender appender, Object value) throws SQLException {
    if (value == null) {
      appender.appendNull();
    } else if (value instanceof Integer i) {
      appender.append(i.intValue());
    } else if (value instanceof Long l) {
      appender.append(l.longValue());
    } else if (value instanceof Float f) {
      appender.append(f.floatValue());
    } else if (value instanceof Double d) {
      appender.append(d.doubleValue());
    } else if (value instanceof Boolean b) {
      appender.append(b.booleanValue());
    } else {
      appender.append(value.toString());
    }
  }

  private String createEntities(EntityRows entities, String table) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      if (entities.path() != null) {
        if (!Files.isRegularFile(entities.path())) {
          throw new InvalidInputException("entity rows " + entities.path()
              + ": file not found (expected a readable .parquet or .csv file)");
        }
        statement.execute("CREATE VIEW " + table + " AS SELECT * FROM "
            + readFile(entities.path(), entities.path().toString().toLowerCase(Locale.ROOT)
                .endsWith(".csv")));
        return "VIEW " + table;
      }
      List<String> columns = entities.columns();
      List<List<Object>> rows = entities.rows();
      StringBuilder create = new StringBuilder("CREATE TABLE " + table + " (");
      for (int c = 0; c < columns.size(); c++) {
        create.append(c == 0 ? "" : ", ").append(quote(columns.get(c))).append(" ")
            .append(inferType(columns.get(c), rows, c));
      }
      statement.execute(create.append(")").toString());
    }
    String placeholders = entities.columns().stream().map(c -> "?")
        .collect(Collectors.joining(", "));
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
        + " VALUES (" + placeholders + ")")) {
      for (List<Object> row : entities.rows()) {
        for (int c = 0; c < row.size(); c++) {
          Object value = row.get(c);
          if (value instanceof Instant instant) {
            value = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
          }
          insert.setObject(c + 1, value);
        }
        insert.addBatch();
      }
      insert.executeBatch();
    }
    return "TABLE " + table;
  }

  private static String inferType(String column, List<List<Object>> rows, int index) {
    for (int r = 0; r < rows.size(); r++) {
      Object value = rows.get(r).get(index);
      if (value == null) {
        continue;
      }
      if (value instanceof Integer) {
        return "INTEGER";
      } else if (value instanceof Long) {
        return "BIGINT";
      } else if (value instanceof Float) {
        return "FLOAT";
      } else if (value instanceof Double) {
        return "DOUBLE";
      } else if (value instanceof Boolean) {
        return "BOOLEAN";
      } else if (value instanceof String) {
        return "VARCHAR";
      } else if (value instanceof Instant || value instanceof LocalDateTime
          || value instanceof java.sql.Timestamp) {
        return "TIMESTAMP";
      }
      throw new InvalidInputException("entity rows: column '" + column + "', row " + r
          + ": value of type " + value.getClass().getName() + " (expected Integer, Long, Float,"
          + " Double, Boolean, String, Instant, LocalDateTime or Timestamp)");
    }
    return "VARCHAR";
  }

  private Map<String, String> describe(String query) throws SQLException {
    Map<String, String> columns = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("DESCRIBE " + query)) {
      while (result.next()) {
        columns.put(result.getString("column_name"), result.getString("column_type"));
      }
    }
    return columns;
  }

  private static void requireColumn(Map<String, String> columns, String column, String where,
      String role) {
    if (!columns.containsKey(column)) {
      throw new InvalidInputException(where + ": missing column '" + column + "' (" + role
          + "; columns are " + columns.keySet() + ")");
    }
  }

  private static String read(DataSource source) {
    return SourceRelations.relation(source);
  }

  private static String readFile(Path path, boolean csv) {
    String literal = literal(path.toAbsolutePath().toString());
    return csv ? "read_csv(" + literal + ", header = true)" : "read_parquet(" + literal + ")";
  }


  private void drop(List<String> objects) {
    try (Statement statement = connection.createStatement()) {
      for (int i = objects.size() - 1; i >= 0; i--) {
        String object = objects.get(i);
        statement.execute("DROP " + (object.startsWith("VIEW ") || object.startsWith("TABLE ")
            ? object : "TABLE " + object) + " CASCADE");
      }
    } catch (SQLException e) {
      // Leftover tables only cost memory of this store and carry a per-run name; the result
      // already written stays valid, so dropping failures are not reported as failures.
    }
  }

  private static void move(Path temp, Path output) {
    try {
      try {
        Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new SlipwayException("historical retrieval: cannot move " + temp + " to " + output
          + " (" + e.getMessage() + ")", e);
    }
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
