package dev.slipway.batch.pipeline;

import dev.slipway.core.SlipwayException;

/** A pipeline was asked to run while another run of it is still going: runs never overlap. */
public class PipelineBusyException extends SlipwayException {
  private static final long serialVersionUID = 1L;

  public PipelineBusyException(String pipeline, long runningRunId) {
    super("pipeline '" + pipeline + "' is already running (run " + runningRunId
        + "): runs of one pipeline never overlap; try again when it has finished");
  }
}
