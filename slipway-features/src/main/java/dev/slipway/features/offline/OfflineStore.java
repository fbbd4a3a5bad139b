package dev.slipway.features.offline;

import dev.slipway.core.InvalidInputException;
import dev.slipway.core.SlipwayException;
import dev.slipway.features.DataSource;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.internal.SourceRelations;
import dev.slipway.features.offline.internal.PointInTimeJoin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.function.LongConsumer;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;

/**
 * Historical feature retrieval over the sources of the feature views, with DuckDB: for each
 * entity row, the values each view had at the row's event timestamp (latest source row at or
 * before it, within the view's TTL; ties on event time settled by the latest created
 * timestamp), then on-demand features computed per row. Results go to a Parquet file and never
 * all into Java memory; DuckDB spills to {@code workDir} beyond its memory limit.
 */
public final class OfflineStore implements AutoCloseable {
  /**
   * {@code memoryLimit} in DuckDB's notation ({@code 1GB}); {@code threads} 0 means all cores.
   */
  public record Options(Path workDir, String memoryLimit, int threads) {
    public static Options defaults(Path workDir) {
      return new Options(workDir, "1GB", 0);
    }
  }

  private final FeatureDefinitions definitions;
  private final DuckDBConnection connection;
  private final Options options;

  private OfflineStore(FeatureDefinitions definitions, DuckDBConnection connection,
      Options options) {
    this.definitions = definitions;
    this.connection = connection;
    this.options = options;
  }

  /** Opens an in-process DuckDB with bounded memory that spills to {@code workDir}. */
  public static OfflineStore open(FeatureDefinitions definitions, Options options) {
    try {
      Files.createDirectories(options.workDir());
      Properties properties = new Properties();
      properties.setProperty(DuckDBDriver.JDBC_STREAM_RESULTS, "true");
      Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
      try (Statement statement = connection.createStatement()) {
        // No network: extensions are never downloaded; Parquet and CSV readers are built in.
        statement.execute("SET autoinstall_known_extensions = false");
        statement.execute("SET autoload_known_extensions = false");
        statement.execute("SET memory_limit = '" + options.memoryLimit().replace("'", "") + "'");
        statement.execute("SET temp_directory = '"
            + options.workDir().toAbsolutePath().toString().replace("'", "''") + "'");
        // Progress is tracked (for the progress callback) but never printed to the console.
        statement.execute("SET enable_progress_bar = true");
        statement.execute("SET enable_progress_bar_print = false");
        // Output order is not promised, and keeping it makes DuckDB buffer more under COPY.
        statement.execute("SET preserve_insertion_order = false");
        if (options.threads() > 0) {
          statement.execute("SET threads = " + options.threads());
        }
      }
      return new OfflineStore(definitions, (DuckDBConnection) connection, options);
    } catch (SQLException | IOException e) {
      throw new SlipwayException("offline store: cannot open DuckDB with work directory "
          + options.workDir() + " (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Writes {@code entities} with the features {@code refs} ({@code view:feature}, on-demand
   * included) as columns named {@code view__feature} to {@code output} (Parquet), written under a
   * temporary name and moved into place. Returns the number of rows; {@code progress} receives
   * the running count of rows written (estimated from DuckDB's query progress while the join
   * runs, exact at the end). Row order is not guaranteed.
   */
  public long getHistoricalFeatures(EntityRows entities, List<String> refs, Path output,
      LongConsumer progress) {
    if (refs.isEmpty()) {
      throw new InvalidInputException("historical retrieval: no features requested "
          + "(expected at least one view:feature)");
    }
    return new PointInTimeJoin(definitions, connection, options.workDir())
        .run(entities, refs, output, progress == null ? rows -> { } : progress);
  }

  /** Like {@link #getHistoricalFeatures(EntityRows, List, Path, LongConsumer)} for a service. */
  public long getHistoricalFeatures(EntityRows entities, String featureService, Path output,
      LongConsumer progress) {
    return getHistoricalFeatures(entities, definitions.serviceFeatures(featureService), output,
        progress);
  }

  /** DuckDB's effective memory limit, as DuckDB reports it. */
  /**
   * How DuckDB reads {@code source}'s rows (its file plus rows pushed to it), usable after {@code
   * FROM}: batch jobs score feature views from exactly the rows training and materialization see.
   */
  public static String sourceRelation(DataSource source) {
    return SourceRelations.relation(source);
  }

  public String memoryLimit() {
    try (Statement statement = connection.createStatement();
        var result = statement.executeQuery("SELECT current_setting('memory_limit')")) {
      result.next();
      return result.getString(1);
    } catch (SQLException e) {
      throw new SlipwayException("offline store: cannot read memory_limit", e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new SlipwayException("offline store: cannot close DuckDB", e);
    }
  }
}
