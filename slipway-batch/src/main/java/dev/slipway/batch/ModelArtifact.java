package dev.slipway.batch;

import dev.slipway.core.InvalidInputException;
import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.ModelRegistry;
import dev.slipway.registry.models.ResolvedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The model a batch job scores with: where its files are, and the name and version its output
 * rows carry.
 *
 * @param version the registry version; null for a local artifact
 */
public record ModelArtifact(Path path, String name, Long version) {
  public ModelArtifact {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(name, "name");
  }

  /** True when {@code spec} is a registry URI ({@code models:/...}) rather than a path. */
  public static boolean isRegistryUri(String spec) {
    return spec.startsWith("models:/");
  }

  /**
   * A model file or folder on disk, named after the file (without extension) or the folder.
   *
   * @throws InvalidInputException when nothing is there
   */
  public static ModelArtifact local(Path path) {
    if (!Files.exists(path)) {
      throw new InvalidInputException("model " + path + ": no such file or folder");
    }
    String file = path.toAbsolutePath().normalize().getFileName().toString();
    int dot = file.lastIndexOf('.');
    String name = Files.isRegularFile(path) && dot > 0 ? file.substring(0, dot) : file;
    return new ModelArtifact(path, name, null);
  }

  /**
   * What a registry URI points at now ({@code models:/churn@production}, {@code
   * models:/churn/Production}, {@code models:/churn/3}).
   *
   * @throws InvalidInputException naming the URI when it does not resolve
   */
  public static ModelArtifact resolve(String uri, ModelRegistry registry) {
    try {
      ResolvedModel resolved = registry.resolve(uri);
      return new ModelArtifact(resolved.localPath(), resolved.name(), (long) resolved.version());
    } catch (MlflowException e) {
      throw new InvalidInputException("model " + uri + ": " + e.getMessage());
    }
  }
}
