package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.artifacts.ArtifactStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * Turns a model version's source into a path inside the artifact store, the only place sources
 * are copied from: a server never copies arbitrary local files on a client's say-so.
 */
public final class SourceResolver {
  /** Where the files are, and the run they came from if the source named one. */
  public record Resolved(String storePath, String runId) {}

  private static final String ARTIFACTS_SCHEME = "mlflow-artifacts:";

  private final Path storeRoot;

  public SourceResolver(ArtifactStore artifacts) {
    this.storeRoot = artifacts.localPath("").toAbsolutePath().normalize();
  }

  /**
   * @param modelStorage resolves a {@code models:/} source to its version's storage location
   * @throws MlflowException INVALID_PARAMETER_VALUE for sources outside the store,
   *     RESOURCE_DOES_NOT_EXIST for unknown runs
   */
  public Resolved resolve(Handle handle, String source, Function<String, String> modelStorage) {
    if (source.startsWith("runs:/")) {
      String rest = source.substring("runs:/".length());
      int slash = rest.indexOf('/');
      String runId = slash < 0 ? rest : rest.substring(0, slash);
      String path = slash < 0 ? "" : rest.substring(slash + 1);
      if (runId.isEmpty()) {
        throw MlflowException.invalid("Invalid source '" + source + "': expected"
            + " runs:/<run_id>/<artifact path>");
      }
      String artifactUri = handle.createQuery("SELECT artifact_uri FROM runs WHERE run_uuid ="
              + " :runId").bind("runId", runId).mapTo(String.class).findOne()
          .orElseThrow(() -> MlflowException.notFound("Run with id=" + runId + " not found"));
      return new Resolved(join(storePath(artifactUri, "the artifact URI of run " + runId), path),
          runId);
    }
    if (source.startsWith(ModelUri.SCHEME)) {
      return new Resolved(modelStorage.apply(source), null);
    }
    return new Resolved(storePath(source, "source"), null);
  }

  /** Maps an artifact URI or path onto a relative path inside the store. */
  String storePath(String location, String what) {
    String lower = location.toLowerCase(Locale.ROOT);
    if (lower.startsWith(ARTIFACTS_SCHEME)) {
      String rest = location.substring(ARTIFACTS_SCHEME.length());
      if (rest.startsWith("//")) {
        int pathStart = rest.indexOf('/', 2);
        rest = pathStart < 0 ? "" : rest.substring(pathStart);
      }
      return trim(rest);
    }
    if (lower.startsWith("file:")) {
      try {
        return insideStore(Path.of(new URI(location)), location, what);
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw MlflowException.invalid("Invalid " + what + " '" + location + "': "
            + e.getMessage());
      }
    }
    if (location.startsWith("/")) {
      return insideStore(Path.of(location), location, what);
    }
    if (lower.matches("^[a-z][a-z0-9+.-]*:.*")) {
      throw MlflowException.invalid("Unsupported " + what + " '" + location + "': expected"
          + " runs:/, models:/, mlflow-artifacts:/ or a path inside the artifact store");
    }
    return trim(location);
  }

  private String insideStore(Path path, String location, String what) {
    Path absolute = path.toAbsolutePath().normalize();
    if (!absolute.startsWith(storeRoot)) {
      throw MlflowException.invalid("Invalid " + what + " '" + location + "': it is outside"
          + " the artifact store; upload the model through /api/2.0/mlflow-artifacts first");
    }
    return storeRoot.relativize(absolute).toString();
  }

  private static String join(String base, String path) {
    String trimmed = trim(path);
    if (base.isEmpty()) {
      return trimmed;
    }
    return trimmed.isEmpty() ? base : base + "/" + trimmed;
  }

  private static String trim(String path) {
    String trimmed = path;
    while (trimmed.startsWith("/") || trimmed.startsWith("./")) {
      trimmed = trimmed.substring(trimmed.startsWith("/") ? 1 : 2);
    }
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed;
  }
}
