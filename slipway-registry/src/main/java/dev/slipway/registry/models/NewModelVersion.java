package dev.slipway.registry.models;

import java.util.Map;
import java.util.Objects;

/**
 * What a new model version is made from.
 *
 * @param source {@code runs:/RUN_ID/path}, {@code models:/...}, {@code mlflow-artifacts:/path}
 *     or a path inside the artifact store; its files are copied and sealed
 * @param runId optional; taken from a {@code runs:/} source when absent
 */
public record NewModelVersion(String name, String source, String runId, String description,
    String runLink, Map<String, String> tags) {
  public NewModelVersion {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public static NewModelVersion of(String name, String source) {
    return new NewModelVersion(name, source, null, null, null, Map.of());
  }

  public NewModelVersion withRunId(String newRunId) {
    return new NewModelVersion(name, source, newRunId, description, runLink, tags);
  }

  public NewModelVersion withDescription(String newDescription) {
    return new NewModelVersion(name, source, runId, newDescription, runLink, tags);
  }

  public NewModelVersion withTags(Map<String, String> newTags) {
    return new NewModelVersion(name, source, runId, description, runLink, newTags);
  }
}
