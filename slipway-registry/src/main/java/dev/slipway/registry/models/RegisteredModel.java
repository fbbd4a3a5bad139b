package dev.slipway.registry.models;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A registered model with MLflow's fields.
 *
 * @param latestVersions the highest version in each stage that has one, in stage order
 * @param tags in key order
 * @param aliases sorted by alias
 */
public record RegisteredModel(
    String name,
    long creationTimestamp,
    long lastUpdatedTimestamp,
    String description,
    List<ModelVersion> latestVersions,
    Map<String, String> tags,
    List<ModelAlias> aliases) {
  public RegisteredModel {
    latestVersions = List.copyOf(latestVersions);
    tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    aliases = List.copyOf(aliases);
  }
}
