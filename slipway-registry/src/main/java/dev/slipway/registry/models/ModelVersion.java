package dev.slipway.registry.models;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One registered version of a model, with MLflow's fields plus where its sealed artifacts live.
 *
 * @param storageLocation the artifact-store path of the sealed copy ({@code models/NAME/3})
 * @param tags in key order
 * @param aliases the aliases that point at this version, sorted
 */
public record ModelVersion(
    String name,
    int version,
    long creationTimestamp,
    long lastUpdatedTimestamp,
    String userId,
    ModelStage currentStage,
    String description,
    String source,
    String runId,
    String status,
    String statusMessage,
    String runLink,
    String storageLocation,
    Map<String, String> tags,
    List<String> aliases) {
  public ModelVersion {
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    aliases = List.copyOf(aliases);
  }
}
