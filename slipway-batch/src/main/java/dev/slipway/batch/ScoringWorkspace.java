package dev.slipway.batch;

import static dev.slipway.batch.BatchInput.identifier;
import static dev.slipway.batch.BatchInput.literal;

import dev.slipway.batch.BatchInput.FileFormat;
import dev.slipway.batch.internal.DuckDb;
import dev.slipway.batch.internal.Folders;
import dev.slipway.batch.internal.ScoringLoop;
import dev.slipway.core.DataType;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.tabular.TabularScorer;
import dev.slipway.core.tabular.TabularScorer.OutputColumn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;

/**
 * One batch scoring job's scratch space: an embedded DuckDB database in a temporary folder that
 * holds the scored rows (table {@code scored}) and the rows set aside (table {@code quarantine})
 * until sinks take them. Input is streamed through the model in batches and results land on
 * disk, so memory stays bounded whatever the input's size; DuckDB spills beyond its limit.
 *
 * <p>Output columns: the key columns, one column per model output element (see {@link
 * TabularScorer}), then {@code model_name} and {@code model_version}. Quarantine columns:
 * {@code row} (1-based, in input order) and {@code reason}.
 */
public final class ScoringWorkspace implements AutoCloseable {
  public static final String MODEL_NAME_COLUMN = "model_name";
  public static final String MODEL_VERSION_COLUMN = "model_version";

  /**
   * Key column types that DuckDB exports to Arrow and imports back as the same type; others
   * (enums, UUIDs, intervals, nested types...) travel as text and are cast back.
   */
  private static final Set<String> ARROW_KEY_TYPES = Set.of("BOOLEAN", "TINYINT", "SMALLINT",
      "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE",
      "VARCHAR", "BLOB", "DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE");
  private static final Set<String> NUMERIC_TYPES = Set.of("TINYINT", "SMALLINT", "INTEGER",
      "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE",
      "BOOLEAN");
  /**
   * How far DuckDB's threads may parse a text input ahead of the reading thread. With DuckDB's
   * default (976 KiB) the reading thread parsed a CSV input alone: its 1M rows took 1.7-2.0 s,
   * with this 1.1-1.3 s. A Parquet input is cheap to decode: read-ahead only made its job use
   * 10 % more CPU, and memory (BENCHMARKS.md).
   */
  private static final String PARSED_READ_AHEAD = "64MB";
  /**
   * DuckDB's threads while a Parquet input (or any input not parsed from text) streams through
   * the model: one. Its reading thread decodes such an input alone either way (a profile showed
   * DuckDB's workers idle), and with a single thread DuckDB plans the statement that takes the
   * scores without batch indexes: it writes the batches as they come, where with more threads
   * it buffers and orders each one again. A 1M-row job's paired ratio to the raw loop went from
   * 0.62-0.67 to 0.67-0.70 (BENCHMARKS.md). A CSV input keeps every thread: parsing it is worth
   * them (1M rows at one thread: 0.26M rows/s against 0.33-0.36M).
   */
  private static final int UNPARSED_INPUT_THREADS = 1;
  /**
   * Parquet output options. A column gets a dictionary when a row group holds at most 4 096
   * distinct values of it (DuckDB's default: a fifth of the row group, 24 576). Scores and
   * entity keys are nearly all distinct, and DuckDB hashes that many of each column's values
   * before it gives up on a dictionary: the COPY of a 1M-row job's scores took 15-40 % more
   * CPU (BENCHMARKS.md). Categorical keys still get theirs.
   */
  private static final String PARQUET_OPTIONS = "(FORMAT parquet, DICTIONARY_SIZE_LIMIT 4096)";

  private final Path folder;
  private final DuckDBConnection connection;
  /**
   * Stopped mid-job (SIGTERM, Ctrl-C), the JVM runs this: a job that cannot finish leaves no
   * work folder nor half-written output behind.
   */
  private final Thread cleanUp = new Thread(this::deleteFiles, "slipway-workspace-clean-up");
  private final Set<Path> unfinished = ConcurrentHashMap.newKeySet();
  private List<String> scoredColumns = List.of();
  private List<String> keyColumns = List.of();
  private List<String> scoreColumns = List.of();

  private ScoringWorkspace(Path folder, DuckDBConnection connection) {
    this.folder = folder;
    this.connection = connection;
    Runtime.getRuntime().addShutdownHook(cleanUp);
  }

  /** Creates a workspace in a new temporary folder under {@code parent}. */
  public static ScoringWorkspace create(Path parent) {
    Path folder;
    try {
      Files.createDirectories(parent);
      folder = Files.createTempDirectory(parent, ".slipway-scoring-");
    } catch (IOException e) {
      throw new BatchJobException("cannot create a work folder under " + parent + ": "
          + e.getMessage(), e);
    }
    try {
      return new ScoringWorkspace(folder, DuckDb.open(null, folder));
    } catch (RuntimeException e) {
      Folders.deleteRecursively(folder);
      throw e;
    }
  }

  /** The input's row count (known for CSV, cheap for Parquet), for progress bars. */
  public long count(BatchInput input) {
    if (input.rows().isPresent()) {
      return input.rows().getAsLong();
    }
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT count(*) FROM " + input.relation())) {
      result.next();
      return result.getLong(1);
    } catch (SQLException e) {
      throw readError(input, e);
    }
  }

  /** The input's columns and their DuckDB types, in table order. */
  public Map<String, String> describe(BatchInput input) {
    Map<String, String> columns = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("DESCRIBE SELECT * FROM " + input.relation())) {
      while (result.next()) {
        columns.put(result.getString("column_name"), result.getString("column_type"));
      }
      return columns;
    } catch (SQLException e) {
      throw readError(input, e);
    }
  }

  /**
   * Scores every row of the request's input with {@code model} into this workspace's {@code
   * scored} table, replacing what an earlier call left. Rows whose feature values are null or
   * not numbers go to the quarantine with the reason; the others are scored in input order.
   *
   * @param progress told the number of rows scored so far, once per batch
   * @throws InvalidInputException when a key or feature column is missing or the model cannot
   *     take the input's columns
   */
  public ScoringSummary score(ScoringRequest request, Model model, LongConsumer progress) {
    return stream(request, model, progress, scoredRows -> {
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE OR REPLACE TABLE scored_rows AS " + scoredRows);
        createScoredView(statement, request);
      } catch (SQLException e) {
        throw new BatchJobException("cannot store the scored rows: " + DuckDb.message(e), e);
      }
    });
  }

  /**
   * As {@link #score}, straight into {@code file} (Parquet or CSV by extension, written
   * atomically) in the same pass: the scored rows are not kept in this workspace.
   */
  public ScoringSummary scoreTo(Path file, ScoringRequest request, Model model,
      LongConsumer progress) {
    FileFormat.of(file, "output");
    return stream(request, model, progress,
        scoredRows -> export(withModelColumns("(" + scoredRows + ")", request), file));
  }

  /**
   * Reads the input once (features and keys together), scores it, and has {@code consume} run
   * the statement that takes the scored rows: it gets their SELECT, over an Arrow stream that
   * the scoring loop fills while the statement runs.
   */
  private ScoringSummary stream(ScoringRequest request, Model model, LongConsumer progress,
      Consumer<String> consume) {
    Map<String, String> columns = describe(request.input());
    List<String> names = List.copyOf(columns.keySet());
    for (String key : request.keys()) {
      if (!columns.containsKey(key)) {
        throw new InvalidInputException("key column '" + key + "': not in "
            + request.input().description() + " (columns: " + names + ")");
      }
    }
    TabularScorer scorer =
        TabularScorer.bind(model, names, request.features(), Set.copyOf(request.keys()));
    for (String feature : scorer.featureColumns()) {
      String type = columns.get(feature);
      if (!isNumeric(type) && !type.equals("VARCHAR")) {
        throw new InvalidInputException("feature column '" + feature + "' of "
            + request.input().description() + " is " + type
            + " (expected numbers, or text holding numbers)");
      }
    }
    List<String> keys = !request.keys().isEmpty() ? request.keys()
        : names.stream().filter(name -> !scorer.featureColumns().contains(name)).toList();
    List<OutputColumn> outputs = scorer.outputColumns();
    createTables(keys, outputs);
    String stream = "__slipway_scores_" + UUID.randomUUID().toString().replace("-", "");
    // Three connections: DuckDB connections are not for concurrent use, and the input is read
    // and rows quarantined while the statement on this workspace's connection takes scores.
    try (DuckDBConnection reader = (DuckDBConnection) connection.duplicate();
        DuckDBConnection quarantines = (DuckDBConnection) connection.duplicate();
        Statement statement = reader.createStatement();
        DuckDBAppender quarantine = quarantines.createAppender("quarantine");
        ScoringLoop loop = new ScoringLoop(scorer, request.input().description(),
            request.batchSize(), quarantine,
            rawColumns(scorer.featureColumns(), columns), keys.size())) {
      DuckDb.fitMemoryTo(statement, columns.size());
      if (request.input().parsed()) {
        statement.execute("SET SESSION streaming_buffer_size = '" + PARSED_READ_AHEAD + "'");
      } else {
        statement.execute("SET threads = " + UNPARSED_INPUT_THREADS);
      }
      DuckDBResultSet rows = (DuckDBResultSet) statement.executeQuery(
          selectList(scorer.featureColumns(), keys, columns) + " FROM "
          + request.input().relation());
      ArrowReader scored = loop.start(rows, progress);
      try (ArrowArrayStream exported = ArrowArrayStream.allocateNew(loop.allocator())) {
        Data.exportArrayStream(loop.allocator(), scored, exported);
        connection.registerArrowStream(stream, exported);
        try {
          consume.accept(scoredSelect(stream, keys, outputs, columns));
        } catch (RuntimeException e) {
          // A failed read or score fails the statement too: report the cause, not the symptom.
          if (loop.failure() != null) {
            loop.finish();
          }
          throw e;
        } finally {
          dropView(stream);
        }
      }
      return loop.finish();
    } catch (SQLException e) {
      throw readError(request.input(), e);
    } finally {
      if (!request.input().parsed()) {
        restoreThreads();
      }
    }
  }

  /**
   * Gives DuckDB back its default threads, for the sinks' statements after a stream. Best
   * effort: it runs after a failed stream too, whose error must not be replaced, and a failure
   * here leaves the sinks one thread, which is slower, not wrong.
   */
  private void restoreThreads() {
    try (Statement statement = connection.createStatement()) {
      statement.execute("RESET threads");
    } catch (SQLException e) {
      // See above: the sinks run on one thread.
    }
  }

  /**
   * The scored rows over the stream: keys back in their input types, then the scores named as
   * the model's outputs, without quarantined rows.
   */
  private static String scoredSelect(String stream, List<String> keys,
      List<OutputColumn> outputs, Map<String, String> columns) {
    StringBuilder select = new StringBuilder("SELECT ");
    for (int k = 0; k < keys.size(); k++) {
      select.append("CAST(__key_").append(k).append(" AS ").append(columns.get(keys.get(k)))
          .append(") AS ").append(identifier(keys.get(k))).append(", ");
    }
    for (int c = 0; c < outputs.size(); c++) {
      select.append("__score_").append(c).append(" AS ")
          .append(identifier(outputs.get(c).name())).append(", ");
    }
    return select.substring(0, select.length() - 2) + " FROM " + identifier(stream)
        + " WHERE " + ScoringLoop.OK_COLUMN;
  }

  private void dropView(String name) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("DROP VIEW IF EXISTS " + identifier(name));
    } catch (SQLException e) {
      throw new BatchJobException("cannot drop the scoring stream's view: "
          + DuckDb.message(e), e);
    }
  }

  /**
   * Takes scores another engine wrote (a Spark job's Parquet output, in this class's output
   * layout) as this workspace's scored rows, and its quarantine file when there is one.
   */
  public ScoringSummary adoptScores(Path scores, Path quarantined, ScoringRequest request,
      List<String> keys, List<String> scoreNames) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE OR REPLACE TABLE scored_rows AS SELECT * EXCLUDE ("
          + MODEL_NAME_COLUMN + ", " + MODEL_VERSION_COLUMN + ") FROM "
          + BatchInput.file(scores).relation());
      createScoredView(statement, request);
      statement.execute("CREATE OR REPLACE TABLE quarantine AS " + (quarantined == null
          ? "SELECT CAST(NULL AS BIGINT) AS row, CAST(NULL AS VARCHAR) AS reason WHERE false"
          : "SELECT row, reason FROM " + BatchInput.file(quarantined).relation()));
      List<String> names = new ArrayList<>(keys);
      names.addAll(scoreNames);
      names.add(MODEL_NAME_COLUMN);
      names.add(MODEL_VERSION_COLUMN);
      scoredColumns = List.copyOf(names);
      keyColumns = List.copyOf(keys);
      scoreColumns = List.copyOf(scoreNames);
      try (ResultSet counts = statement.executeQuery("SELECT (SELECT count(*) FROM scored_rows),"
          + " (SELECT count(*) FROM quarantine)")) {
        counts.next();
        return new ScoringSummary(counts.getLong(1), counts.getLong(2));
      }
    } catch (SQLException e) {
      throw new BatchJobException("cannot read the scores at " + scores + ": "
          + DuckDb.message(e), e);
    }
  }

  /** Writes the rows of {@code input} to a Parquet file, for an engine that reads files. */
  public void exportInput(BatchInput input, Path file) {
    export("SELECT * FROM " + input.relation(), file);
  }

  /** The columns of the scored table, in order (after {@link #score}). */
  public List<String> scoredColumns() {
    return scoredColumns;
  }

  /** The pass-through columns at the front of the scored table. */
  public List<String> keyColumns() {
    return keyColumns;
  }

  /** The score columns, after the key columns and before model name and version. */
  public List<String> scoreColumns() {
    return scoreColumns;
  }

  /** Writes the scored rows to {@code file} (Parquet or CSV by extension), atomically. */
  public void exportScores(Path file) {
    export("SELECT * FROM scored", file);
  }

  /** Writes the quarantined rows to {@code file} (Parquet or CSV by extension), atomically. */
  public void exportQuarantine(Path file) {
    export("SELECT * FROM quarantine ORDER BY row", file);
  }

  /**
   * The same, each row with its key columns from {@code input} (the input this workspace
   * scored), read again: where a row number alone cannot find the row, as in a run's window.
   */
  public void exportQuarantine(Path file, BatchInput input) {
    StringJoiner keys = new StringJoiner(", ");
    keyColumns.forEach(key -> keys.add("k." + identifier(key)));
    export("SELECT q.row, " + keys + ", q.reason FROM quarantine q JOIN (SELECT row_number()"
        + " OVER () AS __row, * FROM " + input.relation() + ") k ON k.__row = q.row"
        + " ORDER BY q.row", file);
  }

  /**
   * Hands the scored rows to {@code sink} in chunks of at most {@code chunkSize}, in input
   * order; each row's values follow {@link #scoredColumns()}.
   */
  public void forEachScoredChunk(int chunkSize, Consumer<List<Object[]>> sink) {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT * FROM scored")) {
      int width = scoredColumns.size();
      List<Object[]> chunk = new ArrayList<>(chunkSize);
      while (rows.next()) {
        Object[] row = new Object[width];
        for (int c = 0; c < width; c++) {
          row[c] = rows.getObject(c + 1);
        }
        chunk.add(row);
        if (chunk.size() == chunkSize) {
          sink.accept(chunk);
          chunk = new ArrayList<>(chunkSize);
        }
      }
      if (!chunk.isEmpty()) {
        sink.accept(chunk);
      }
    } catch (SQLException e) {
      throw new BatchJobException("cannot read the scored rows back: " + e.getMessage(), e);
    }
  }

  /** The connection holding tables {@code scored} and {@code quarantine}, for sinks' SQL. */
  public DuckDBConnection connection() {
    return connection;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // The folder is deleted below either way; a close failure leaves nothing to keep.
    }
    Folders.deleteRecursively(folder);
    try {
      Runtime.getRuntime().removeShutdownHook(cleanUp);
    } catch (IllegalStateException e) {
      // The JVM is stopping: the hook runs, and finds nothing left to delete.
    }
  }

  /**
   * Deletes {@code path} (a file or a folder, which may be gone by then) if the JVM stops
   * before this workspace closes: for what a job stages outside it, such as a new partition.
   */
  public void deleteIfStopped(Path path) {
    unfinished.add(path);
  }

  /** What {@link #cleanUp} deletes: the work folder, and outputs not renamed into place yet. */
  private void deleteFiles() {
    try {
      for (Path path : unfinished) {
        Folders.deleteRecursively(path);
      }
      Folders.deleteRecursively(folder);
    } catch (UncheckedIOException e) {
      // Best effort while the JVM stops; the names left mark them as work.
    }
  }

  private void createTables(List<String> keys, List<OutputColumn> outputs) {
    List<String> scoredNames = new ArrayList<>(keys);
    List<String> added = new ArrayList<>();
    outputs.forEach(output -> added.add(output.name()));
    added.add(MODEL_NAME_COLUMN);
    added.add(MODEL_VERSION_COLUMN);
    for (String name : added) {
      // DuckDB's names ignore case: a key Model_Name would push model_name aside.
      if (scoredNames.stream().anyMatch(taken -> taken.equalsIgnoreCase(name))) {
        throw new InvalidInputException("output column '" + name + "' would overwrite the key"
            + " column of that name: rename it in the input or leave it out of the keys");
      }
      scoredNames.add(name);
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE OR REPLACE TABLE quarantine (row BIGINT NOT NULL,"
          + " reason VARCHAR NOT NULL)");
    } catch (SQLException e) {
      throw new BatchJobException("cannot create the quarantine table (" + e.getMessage() + ")",
          e);
    }
    scoredColumns = List.copyOf(scoredNames);
    keyColumns = List.copyOf(keys);
    scoreColumns = outputs.stream().map(OutputColumn::name).toList();
  }

  /** The model columns are constant: a view adds them, so no row carries them through Java. */
  private static void createScoredView(Statement statement, ScoringRequest request)
      throws SQLException {
    statement.execute("CREATE OR REPLACE VIEW scored AS "
        + withModelColumns("scored_rows", request));
  }

  /**
   * The rows of {@code relation} followed by the model's name and version. The name is a
   * one-value ENUM: DuckDB's Parquet writer then takes its dictionary as it is, where a VARCHAR
   * constant is hashed again at every row (files still hold a string column).
   */
  private static String withModelColumns(String relation, ScoringRequest request) {
    String name = literal(request.modelName());
    return "SELECT *, CAST(" + name + " AS ENUM(" + name + ")) AS " + MODEL_NAME_COLUMN + ", CAST("
        + (request.modelVersion() == null ? "NULL" : request.modelVersion().toString())
        + " AS BIGINT) AS " + MODEL_VERSION_COLUMN + " FROM " + relation;
  }

  /**
   * The features (as FLOAT or DOUBLE), the text of non-numeric ones, then the keys as {@code
   * __key_<i>}: as they are when Arrow carries their type both ways, else as text (cast back in
   * {@link #scoredSelect}).
   */
  private static String selectList(List<String> features, List<String> keys,
      Map<String, String> columns) {
    StringBuilder select = new StringBuilder("SELECT ");
    for (String feature : features) {
      // FLOAT and DOUBLE columns arrive as they are (no cast, half the bytes for FLOAT).
      String type = columns.get(feature);
      select.append(type.equals("FLOAT") || type.equals("DOUBLE") ? identifier(feature)
          : "TRY_CAST(" + identifier(feature) + " AS DOUBLE)").append(", ");
    }
    for (String feature : features) {
      if (!isNumeric(columns.get(feature))) {
        select.append("CAST(").append(identifier(feature)).append(" AS VARCHAR), ");
      }
    }
    for (int k = 0; k < keys.size(); k++) {
      String type = columns.get(keys.get(k));
      String key = identifier(keys.get(k));
      select.append(ARROW_KEY_TYPES.contains(type) || type.startsWith("DECIMAL") ? key
          : "CAST(" + key + " AS VARCHAR)").append(" AS __key_").append(k).append(", ");
    }
    return select.substring(0, select.length() - 2);
  }

  /** For each feature, true when its text must be read to explain a value that is no number. */
  private static boolean[] rawColumns(List<String> features, Map<String, String> columns) {
    boolean[] raw = new boolean[features.size()];
    for (int f = 0; f < raw.length; f++) {
      raw[f] = !isNumeric(columns.get(features.get(f)));
    }
    return raw;
  }

  private static boolean isNumeric(String type) {
    return NUMERIC_TYPES.contains(type) || type.startsWith("DECIMAL");
  }

  private static String sqlType(DataType type) {
    return switch (type) {
      case FP32 -> "FLOAT";
      case FP64 -> "DOUBLE";
      case INT64 -> "BIGINT";
      case INT32 -> "INTEGER";
      case BOOL -> "BOOLEAN";
      default -> throw new AssertionError(type);
    };
  }

  private void export(String query, Path file) {
    FileFormat format = FileFormat.of(file, "output");
    Path target = file.toAbsolutePath();
    Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    String options = format == FileFormat.PARQUET ? PARQUET_OPTIONS : "(FORMAT csv, HEADER)";
    unfinished.add(temporary);
    try (Statement statement = connection.createStatement()) {
      Files.createDirectories(target.getParent());
      statement.execute("COPY (" + query + ") TO " + literal(temporary.toString()) + " "
          + options);
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (SQLException | IOException e) {
      deleteQuietly(temporary);
      throw new BatchJobException("cannot write " + file + ": " + (e instanceof SQLException sql
          ? DuckDb.message(sql) : e.getMessage()), e);
    } finally {
      unfinished.remove(temporary);
    }
  }

  private static BatchJobException readError(BatchInput input, SQLException e) {
    return new BatchJobException("cannot read " + input.description() + ": "
        + DuckDb.message(e), e);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // Best effort: the temporary file's name marks it as such.
    }
  }
}
