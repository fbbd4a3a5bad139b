package dev.slipway.registry;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.slipway.core.SlipwayException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;

/**
 * The metadata database (embedded H2 or PostgreSQL): a connection pool, migrations applied at
 * open, and Jdbi on top. Every store operation runs in one transaction, so a failure leaves
 * nothing half-written. Other modules keep their own tables in the same database, each with its
 * own {@link Schema} (migrations and their history table).
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final boolean postgres;

  private Database(HikariDataSource dataSource, boolean postgres) {
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
    this.postgres = postgres;
  }

  /**
   * A module's tables: its Flyway migrations and the table recording which have run.
   *
   * @param name names the connection pool and appears in messages
   */
  public record Schema(String name, String migrations, String historyTable) {
    /** The registry's own: tracking, models, versions, audit, webhooks. */
    public static final Schema REGISTRY =
        new Schema("registry", "classpath:db/migration", "flyway_schema_history");
  }

  /**
   * Opens the database at {@code jdbcUrl} and migrates it to the registry's current schema.
   *
   * @throws SlipwayException naming the URL when it cannot be reached or migrated
   */
  public static Database open(String jdbcUrl) {
    return open(jdbcUrl, Schema.REGISTRY);
  }

  /**
   * Opens the database at {@code jdbcUrl} and migrates {@code schema} to its current version.
   *
   * @throws SlipwayException naming the URL when it cannot be reached or migrated
   */
  public static Database open(String jdbcUrl, Schema schema) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("slipway-" + schema.name());
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    config.setInitializationFailTimeout(10_000);
    boolean postgres = jdbcUrl.startsWith("jdbc:postgresql:");
    if (postgres && !jdbcUrl.contains("user=")) {
      config.setUsername(System.getenv().getOrDefault("PGUSER", "postgres"));
    }
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(config);
    } catch (RuntimeException e) {
      String reason = rootMessage(e);
      // H2's embedded file admits one process; the other's message says only "locked".
      String hint = jdbcUrl.startsWith("jdbc:h2:file:") && reason.contains("locked")
          ? " (another process, such as 'slipway serve' on the same --data-dir, holds the"
              + " embedded database: stop it, or share a PostgreSQL registry with"
              + " --registry-uri)" : "";
      throw new SlipwayException("cannot open the " + schema.name() + " database "
          + redact(jdbcUrl) + ": " + reason + hint, e);
    }
    try {
      Flyway.configure().dataSource(dataSource).locations(schema.migrations())
          .table(schema.historyTable()).baselineOnMigrate(true).baselineVersion("0")
          .load().migrate();
    } catch (FlywayException e) {
      dataSource.close();
      throw new SlipwayException("cannot migrate the " + schema.name() + " database "
          + redact(jdbcUrl) + ": "
          + e.getMessage(), e);
    }
    return new Database(dataSource, postgres);
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /** True on PostgreSQL, false on the embedded H2. */
  public boolean postgres() {
    return postgres;
  }

  @Override
  public void close() {
    dataSource.close();
  }

  /** The URL with any password replaced by {@code ***}, for messages and logs. */
  public static String redact(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
