package dev.slipway.registry;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the registry keeps its metadata and artifacts.
 *
 * @param jdbcUrl {@code jdbc:h2:file:...} (embedded) or {@code jdbc:postgresql://...}
 * @param artifactsDir root of the local artifact store
 */
public record RegistryConfig(String jdbcUrl, Path artifactsDir) {
  public RegistryConfig {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(artifactsDir, "artifactsDir");
  }

  /** The embedded defaults under a data folder: {@code DIR/registry.*} and {@code DIR/artifacts}. */
  public static RegistryConfig embedded(Path dataDir) {
    Path absolute = dataDir.toAbsolutePath().normalize();
    return new RegistryConfig(embeddedUrl(absolute.resolve("registry")),
        absolute.resolve("artifacts"));
  }

  /** An H2 file database that speaks PostgreSQL's dialect, so one set of SQL serves both. */
  public static String embeddedUrl(Path databaseFile) {
    return "jdbc:h2:file:" + databaseFile.toAbsolutePath()
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
  }

  public boolean embedded() {
    return jdbcUrl.startsWith("jdbc:h2:");
  }
}
