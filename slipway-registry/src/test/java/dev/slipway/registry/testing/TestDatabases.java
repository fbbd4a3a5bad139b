package dev.slipway.registry.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.slipway.registry.RegistryConfig;
import dev.slipway.registry.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Databases for contract tests: a fresh embedded H2 file, or a fresh schema in the machine's
 * PostgreSQL (127.0.0.1:5432, user postgres, database test). Without PostgreSQL its tests are
 * skipped loudly, unless SLIPWAY_REQUIRE_SERVICES=1 (as in CI), which makes them fail.
 */
public final class TestDatabases {
  public static final String POSTGRES_URL = System.getenv().getOrDefault("SLIPWAY_TEST_PG_URL",
      "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private TestDatabases() {}

  /** A database handle that drops what it created when closed. */
  public interface TestDatabase extends AutoCloseable {
    Database database();

    String jdbcUrl();

    @Override
    void close();
  }

  public static TestDatabase h2(Path folder) {
    String url = RegistryConfig.embeddedUrl(folder.resolve("registry-" + UUID.randomUUID()));
    return new Opened(Database.open(url), url, () -> { });
  }

  private record Opened(Database database, String jdbcUrl, Runnable afterClose)
      implements TestDatabase {
    @Override
    public void close() {
      database.close();
      afterClose.run();
    }
  }

  /** Fails or skips (see class comment) when PostgreSQL is not reachable. */
  public static void requirePostgres() {
    String reason;
    try (Connection ignored = DriverManager.getConnection(POSTGRES_URL)) {
      return;
    } catch (SQLException e) {
      reason = e.getMessage();
    }
    String message = "PostgreSQL at " + POSTGRES_URL + " is not reachable (" + reason + ")";
    if ("1".equals(System.getenv("SLIPWAY_REQUIRE_SERVICES"))) {
      throw new IllegalStateException(message + " and SLIPWAY_REQUIRE_SERVICES=1");
    }
    System.err.println("!!!!! SKIPPING PostgreSQL tests: " + message
        + ". Set SLIPWAY_REQUIRE_SERVICES=1 to make this a failure.");
    assumeTrue(false, message);
  }

  /** A fresh schema in PostgreSQL, migrated; dropped on close. */
  public static TestDatabase postgres() {
    requirePostgres();
    String schema = "slipway_test_" + UUID.randomUUID().toString().replace("-", "");
    execute("CREATE SCHEMA " + schema);
    String url = POSTGRES_URL + (POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema="
        + schema;
    return new Opened(Database.open(url), url, () -> execute("DROP SCHEMA " + schema
        + " CASCADE"));
  }

  private static void execute(String sql) {
    try (Connection connection = DriverManager.getConnection(POSTGRES_URL);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
