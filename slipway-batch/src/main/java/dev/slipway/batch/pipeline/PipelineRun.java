package dev.slipway.batch.pipeline;

import java.time.Instant;

/**
 * One run of a pipeline, as the run history keeps it.
 *
 * @param windowStart exclusive lower bound of the rows' timestamps; null for "from the start"
 * @param windowEnd inclusive upper bound
 * @param modelVersion the registry version that scored, once resolved
 */
public record PipelineRun(long id, String pipeline, Trigger trigger, Status status,
    Instant windowStart, Instant windowEnd, Instant startedAt, Instant endedAt,
    Long rowsScored, Long rowsQuarantined, String modelName, Long modelVersion, int attempts,
    String error) {
  /** What started a run. */
  public enum Trigger {
    SCHEDULE,
    MANUAL
  }

  /** Where a run is. */
  public enum Status {
    RUNNING,
    SUCCEEDED,
    FAILED
  }
}
