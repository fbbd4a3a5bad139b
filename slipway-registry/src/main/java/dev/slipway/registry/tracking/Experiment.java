package dev.slipway.registry.tracking;

import java.util.List;

/**
 * A named group of runs.
 *
 * @param experimentId a decimal number, as a string like MLflow's API has it
 * @param creationTime epoch milliseconds
 * @param lastUpdateTime epoch milliseconds of the last rename, delete or restore
 */
public record Experiment(String experimentId, String name, String artifactLocation,
    LifecycleStage lifecycleStage, long creationTime, long lastUpdateTime,
    List<ExperimentTag> tags) {
  public Experiment {
    tags = List.copyOf(tags);
  }
}
