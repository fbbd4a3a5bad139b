package dev.slipway.features;

import dev.slipway.core.InvalidInputException;
import dev.slipway.features.internal.FeatureValues;
import dev.slipway.features.internal.SourceRelations;
import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.OnlineRow;
import dev.slipway.features.online.OnlineStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Copies the latest values of a feature view from its data source (Parquet or CSV, read with an
 * in-memory DuckDB) into an online store.
 *
 * <p>Per entity only the latest row whose event time lies in {@code [start, end)} is written: the
 * latest event timestamp wins, then the latest created timestamp (late arrivals), then the later
 * row of the file. A first pass checks every value in the window against the declared types; if
 * any does not fit, the call fails naming row (1-based, header excluded) and column and writes
 * nothing. A second pass streams the latest rows into the store in chunks, so memory holds one
 * chunk whatever the number of entities; the store's not-older rule makes re-running a window
 * change nothing. The TTL is not
 * applied here: it is a read-time rule ({@code OnlineFeatureReader}).
 *
 * <p>Watermarks live in the online store itself, as rows of the reserved feature view
 * {@value #WATERMARK_VIEW} keyed by view name whose event time is the end of the last incremental
 * run; the store's not-older rule keeps them monotonic and they travel with the data they
 * describe. Only {@link #materializeIncremental} moves a watermark, so an explicit backfill never
 * makes an incremental run skip data.
 */
public final class Materializer {
  /** Rows per write call: large enough to amortize a round trip, small enough for one script. */
  public static final int DEFAULT_CHUNK_ROWS = 10_000;
  /** Reserved feature view holding the watermarks. */
  public static final String WATERMARK_VIEW = "__slipway_watermarks";
  /**
   * Reserved view keyed by feature view name whose event time is the newest event time ever
   * materialized for that view (the not-older rule keeps it the maximum): freshness reads it.
   */
  public static final String FRESHNESS_VIEW = "__slipway_freshness";

  private static final String ROW_COLUMN = "__slipway_row";
  private static final String EVENT_COLUMN = "__slipway_event_us";
  private static final String CREATED_COLUMN = "__slipway_created_us";
  private static final int MAX_REPORTED_VIOLATIONS = 10;

  private final OnlineStore store;
  private final int chunkRows;

  public Materializer(OnlineStore store) {
    this(store, DEFAULT_CHUNK_ROWS);
  }

  public Materializer(OnlineStore store, int chunkRows) {
    if (chunkRows < 1) {
      throw new IllegalArgumentException("chunk size " + chunkRows + " (expected at least 1)");
    }
    this.store = store;
    this.chunkRows = chunkRows;
  }

  /**
   * What one run did. {@code rowsRead} counts source rows in the window, {@code rowsWritten} the
   * latest rows (one per entity) handed to the store; {@code start} is null for an unbounded start.
   */
  public record Result(String featureView, Instant start, Instant end, long rowsRead,
      long rowsWritten) {}

  /**
   * Materializes rows with event time in {@code [start, end)}.
   *
   * @param entities entity definitions; those named by the view give the join keys, in order
   * @param progress called with the number of rows written so far after every chunk
   * @throws InvalidInputException when the source lacks a column or a value breaks its type
   */
  public Result materialize(FeatureView view, DataSource source, List<Entity> entities,
      Instant start, Instant end, LongConsumer progress) {
    Objects.requireNonNull(start, "start");
    return run(view, source, entities, start, end, progress);
  }

  /**
   * Materializes from the view's watermark (the end of its last incremental run) to {@code end},
   * then moves the watermark to {@code end}. Without a watermark it starts at {@code end - ttl},
   * or at the beginning of the data when the TTL is zero.
   */
  public Result materializeIncremental(FeatureView view, DataSource source,
      List<Entity> entities, Instant end, LongConsumer progress) {
    Instant start = watermark(view.name()).orElse(
        view.ttl() == null || view.ttl().isZero() ? null : end.minus(view.ttl()));
    Result result = run(view, source, entities, start, end, progress);
    store.write(WATERMARK_VIEW, List.of(new OnlineRow(EntityKey.of(view.name()), end,
        Map.of("end", end.toString()))));
    return result;
  }

  /** The end of the last incremental run of {@code featureView}, if any. */
  public Optional<Instant> watermark(String featureView) {
    return store.read(WATERMARK_VIEW, List.of(EntityKey.of(featureView)), List.of("end"))
        .get(0).map(OnlineRow::eventTime);
  }

  private Result run(FeatureView view, DataSource source, List<Entity> entities, Instant start,
      Instant end, LongConsumer progress) {
    if (WATERMARK_VIEW.equals(view.name()) || FRESHNESS_VIEW.equals(view.name())) {
      throw new InvalidInputException("feature view name '" + view.name()
          + "' is reserved for Slipway's bookkeeping (expected another name)");
    }
    if (!view.online()) {
      throw new InvalidInputException("feature view '" + view.name()
          + "' is not online (expected online: true to materialize it)");
    }
    if (!source.name().equals(view.source())) {
      throw new InvalidInputException("feature view '" + view.name() + "': data source '"
          + source.name() + "' (expected '" + view.source() + "')");
    }
    if (start != null && !start.isBefore(end)) {
      throw new InvalidInputException("materialization window [" + start + ", " + end
          + ") (expected start before end)");
    }
    List<Entity.JoinKey> joinKeys = joinKeys(view, entities);
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement settings = duckDb.createStatement()) {
        // Parquet and CSV readers are built in; never fetch anything from the network.
        settings.execute("SET autoinstall_known_extensions = false");
      }
      Window window = new Window(view, source, SourceRelations.relation(source), joinKeys, start, end);
      checkColumns(duckDb, window);
      // Two passes, so memory stays at one chunk: check every value first (nothing written if
      // one breaks its type), then stream the latest row per entity into the store.
      long rowsRead = validate(duckDb, window);
      long rowsWritten = writeLatest(duckDb, window, progress);
      return new Result(view.name(), start, end, rowsRead, rowsWritten);
    } catch (SQLException e) {
      throw new InvalidInputException("data source '" + source.name() + "' (" + source.path()
          + "): DuckDB cannot read it as " + source.format() + ": " + e.getMessage());
    }
  }

  /** What one run reads: the view's columns of its source within {@code [start, end)}. */
  private record Window(FeatureView view, DataSource source, String relation,
      List<Entity.JoinKey> joinKeys, Instant start, Instant end) {}

  private static List<Entity.JoinKey> joinKeys(FeatureView view, List<Entity> entities) {
    Map<String, Entity> byName = new HashMap<>();
    for (Entity entity : entities) {
      byName.put(entity.name(), entity);
    }
    List<Entity.JoinKey> joinKeys = new ArrayList<>();
    for (String name : view.entities()) {
      Entity entity = byName.get(name);
      if (entity == null) {
        throw new InvalidInputException("feature view '" + view.name() + "': entity '" + name
            + "' (expected one of the given entities " + byName.keySet() + ")");
      }
      joinKeys.addAll(entity.joinKeys());
    }
    return joinKeys;
  }


  private static void checkColumns(Connection duckDb, Window window) throws SQLException {
    List<String> present = new ArrayList<>();
    try (Statement statement = duckDb.createStatement();
        ResultSet columns = statement.executeQuery("DESCRIBE SELECT * FROM "
            + window.relation())) {
      while (columns.next()) {
        present.add(columns.getString("column_name"));
      }
    }
    List<String> required = new ArrayList<>();
    window.joinKeys().forEach(key -> required.add(key.name()));
    window.view().features().forEach(feature -> required.add(feature.name()));
    required.add(window.source().timestampField());
    if (hasCreated(window.source())) {
      required.add(window.source().createdTimestampField());
    }
    List<String> missing = new ArrayList<>(required);
    missing.removeAll(present);
    if (!missing.isEmpty()) {
      throw new InvalidInputException("data source '" + window.source().name() + "' ("
          + window.source().path() + ") of feature view '" + window.view().name()
          + "': columns " + missing + " are missing (columns present: " + present + ")");
    }
  }

  private static boolean hasCreated(DataSource source) {
    return source.createdTimestampField() != null && !source.createdTimestampField().isEmpty();
  }

  /**
   * The rows of the window: join keys, features, event time in microseconds and the 1-based row
   * of the file (header excluded) that error messages name.
   */
  private static PreparedStatement query(Connection duckDb, Window window, boolean latestOnly)
      throws SQLException {
    DataSource source = window.source();
    StringBuilder keyList = new StringBuilder();
    for (Entity.JoinKey key : window.joinKeys()) {
      keyList.append(keyList.length() == 0 ? "" : ", ").append(quote(key.name()));
    }
    StringBuilder sql = new StringBuilder("SELECT ").append(keyList);
    for (Feature feature : window.view().features()) {
      sql.append(", ").append(quote(feature.name()));
    }
    sql.append(", ").append(EVENT_COLUMN).append(", ").append(ROW_COLUMN)
        .append(" FROM (SELECT *, epoch_us(").append(quote(source.timestampField()))
        .append(") AS ").append(EVENT_COLUMN).append(", ")
        .append(hasCreated(source) ? "epoch_us(" + quote(source.createdTimestampField()) + ")"
            : "CAST(NULL AS BIGINT)").append(" AS ").append(CREATED_COLUMN)
        .append(", row_number() OVER () AS ").append(ROW_COLUMN)
        .append(" FROM ").append(window.relation()).append(") WHERE ").append(EVENT_COLUMN)
        .append(" < ?");
    if (window.start() != null) {
      sql.append(" AND ").append(EVENT_COLUMN).append(" >= ?");
    }
    if (latestOnly) {
      sql.append(" QUALIFY row_number() OVER (PARTITION BY ").append(keyList)
          .append(" ORDER BY ").append(EVENT_COLUMN).append(" DESC, ").append(CREATED_COLUMN)
          .append(" DESC NULLS LAST, ").append(ROW_COLUMN).append(" DESC) = 1");
    }
    PreparedStatement query = duckDb.prepareStatement(sql.toString());
    query.setLong(1, toMicros(window.end()));
    if (window.start() != null) {
      query.setLong(2, toMicros(window.start()));
    }
    return query;
  }

  private static long validate(Connection duckDb, Window window) throws SQLException {
    List<String> violations = new ArrayList<>();
    long rowsRead = 0;
    try (PreparedStatement query = query(duckDb, window, false);
        ResultSet rows = query.executeQuery()) {
      while (rows.next() && violations.size() < MAX_REPORTED_VIOLATIONS) {
        rowsRead++;
        toOnlineRow(rows, window, violations);
      }
    }
    if (!violations.isEmpty()) {
      throw new InvalidInputException("feature view '" + window.view().name()
          + "': nothing written, values do not fit the declared types: "
          + String.join("; ", violations));
    }
    return rowsRead;
  }

  private long writeLatest(Connection duckDb, Window window, LongConsumer progress)
      throws SQLException {
    List<String> violations = new ArrayList<>();
    List<OnlineRow> chunk = new ArrayList<>(Math.min(chunkRows, 100_000));
    long written = 0;
    Instant newest = null;
    try (PreparedStatement query = query(duckDb, window, true);
        ResultSet rows = query.executeQuery()) {
      boolean more = rows.next();
      while (more) {
        OnlineRow latest = toOnlineRow(rows, window, violations);
        chunk.add(latest);
        if (newest == null || latest.eventTime().isAfter(newest)) {
          newest = latest.eventTime();
        }
        more = rows.next();
        if (!violations.isEmpty()) {
          throw new IllegalStateException("feature view '" + window.view().name() + "': data "
              + "source changed during materialization, " + written + " rows already written: "
              + String.join("; ", violations));
        }
        if (chunk.size() == chunkRows || !more) {
          store.write(window.view().name(), chunk);
          written += chunk.size();
          // A fresh list: a store may keep what it was given.
          chunk = new ArrayList<>(Math.min(chunkRows, 100_000));
          if (progress != null) {
            progress.accept(written);
          }
        }
      }
    }
    if (newest != null) {
      store.write(FRESHNESS_VIEW, List.of(new OnlineRow(EntityKey.of(window.view().name()),
          newest, Map.of())));
    }
    return written;
  }

  /** The current row as fitted values, adding any misfit to {@code violations}. */
  private static OnlineRow toOnlineRow(ResultSet rows, Window window, List<String> violations)
      throws SQLException {
    DataSource source = window.source();
    boolean parseText = source.format() == DataSource.Format.CSV;
    long row = rows.getLong(ROW_COLUMN);
    List<Object> keyValues = new ArrayList<>(window.joinKeys().size());
    int column = 1;
    for (Entity.JoinKey key : window.joinKeys()) {
      Object value = fit(rows.getObject(column++), key.type(), parseText, source, row,
          key.name(), violations);
      if (value == null) {
        violation(violations, source, row, key.name(), "null join key");
      }
      keyValues.add(value);
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Feature feature : window.view().features()) {
      values.put(feature.name(), fit(rows.getObject(column++), feature.type(), parseText,
          source, row, feature.name(), violations));
    }
    Instant eventTime = Instant.EPOCH.plus(rows.getLong(EVENT_COLUMN), ChronoUnit.MICROS);
    return new OnlineRow(new EntityKey(keyValues), eventTime, values);
  }

  private static Object fit(Object raw, ValueType type, boolean parseText, DataSource source,
      long row, String column, List<String> violations) {
    Object value = FeatureValues.fit(raw, type, parseText);
    if (value == FeatureValues.MISFIT) {
      violation(violations, source, row, column, "value '" + raw + "' ("
          + raw.getClass().getSimpleName() + ") is not " + type.name().toLowerCase(Locale.ROOT));
      return null;
    }
    return value;
  }

  private static void violation(List<String> violations, DataSource source, long row,
      String column, String problem) {
    violations.add("data source '" + source.name() + "' row " + row + ", column '" + column
        + "': " + problem);
  }

  private static long toMicros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
