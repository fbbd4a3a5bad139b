package dev.slipway.batch.pipeline;

import dev.slipway.core.InvalidInputException;
import java.util.Collection;

/** A pipeline was asked for by a name no definition has. */
public class UnknownPipelineException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  public UnknownPipelineException(String name, Collection<String> known) {
    super("pipeline '" + name + "': not defined (pipelines: " + known + ")");
  }
}
