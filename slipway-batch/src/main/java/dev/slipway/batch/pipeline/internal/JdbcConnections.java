package dev.slipway.batch.pipeline.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Connections to the JDBC databases pipelines read from and write to. */
final class JdbcConnections {
  private JdbcConnections() {}

  /** Opens {@code url}; PostgreSQL without a user in the URL connects as $PGUSER or postgres. */
  static Connection open(String url) throws SQLException {
    Properties properties = new Properties();
    if (url.startsWith("jdbc:postgresql:") && !url.contains("user=")) {
      properties.setProperty("user", System.getenv().getOrDefault("PGUSER", "postgres"));
    }
    return DriverManager.getConnection(url, properties);
  }
}
