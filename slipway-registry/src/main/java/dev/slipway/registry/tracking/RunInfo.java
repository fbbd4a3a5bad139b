package dev.slipway.registry.tracking;

/**
 * A run's metadata.
 *
 * @param runId 32 lowercase hex digits
 * @param userId null when the client gave none
 * @param startTime epoch milliseconds
 * @param endTime epoch milliseconds, null until the run ends
 */
public record RunInfo(String runId, String experimentId, String runName, String userId,
    RunStatus status, Long startTime, Long endTime, String artifactUri,
    LifecycleStage lifecycleStage) {

  /** MLflow's deprecated name for {@link #runId()}, still sent by clients. */
  public String runUuid() {
    return runId;
  }
}
