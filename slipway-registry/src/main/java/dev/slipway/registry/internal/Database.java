package dev.slipway.registry.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.slipway.core.SlipwayException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;

/**
 * The metadata database: a connection pool, migrations applied at open, and Jdbi on top. Every
 * store operation runs in one transaction, so a failure leaves nothing half-written.
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
   * Opens the database at {@code jdbcUrl} and migrates it to the current schema.
   *
   * @throws SlipwayException naming the URL when it cannot be reached or migrated
   */
  public static Database open(String jdbcUrl) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setPoolName("slipway-registry");
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
      throw new SlipwayException("cannot open the registry database " + redact(jdbcUrl) + ": "
          + rootMessage(e), e);
    }
    try {
      Flyway.configure().dataSource(dataSource).locations("classpath:db/migration")
          .load().migrate();
    } catch (FlywayException e) {
      dataSource.close();
      throw new SlipwayException("cannot migrate the registry database " + redact(jdbcUrl) + ": "
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

  private static String redact(String jdbcUrl) {
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
