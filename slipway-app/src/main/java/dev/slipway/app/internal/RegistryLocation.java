package dev.slipway.app.internal;

import dev.slipway.registry.Database;
import dev.slipway.registry.RegistryConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the registry's metadata and artifacts live: the options every command that opens it shares. */
public class RegistryLocation {
  @Option(names = "--data-dir", defaultValue = ".slipway", paramLabel = "DIR",
      description = "Holds the embedded registry database and artifacts"
          + " (default: ${DEFAULT-VALUE}).")
  public Path dataDir;

  @Option(names = "--registry-uri", paramLabel = "JDBC_URL",
      description = "Registry database, e.g. jdbc:postgresql://127.0.0.1:5432/slipway?user=x"
          + " (default: an embedded database under --data-dir).")
  public String registryUri;

  @Option(names = "--artifacts-dir", paramLabel = "DIR",
      description = "Artifact store folder (default: DATA_DIR/artifacts).")
  public Path artifactsDir;

  public RegistryConfig registryConfig() {
    RegistryConfig embedded = RegistryConfig.embedded(dataDir);
    return new RegistryConfig(registryUri != null ? registryUri : embedded.jdbcUrl(),
        artifactsDir != null ? artifactsDir : embedded.artifactsDir());
  }

  public String describeStorage() {
    RegistryConfig config = registryConfig();
    return (config.embedded() ? "embedded database under " + dataDir.toAbsolutePath()
        : Database.redact(config.jdbcUrl()))
        + ", artifacts in " + config.artifactsDir();
  }
}
