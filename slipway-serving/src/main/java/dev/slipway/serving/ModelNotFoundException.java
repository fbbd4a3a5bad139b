package dev.slipway.serving;

import dev.slipway.core.SlipwayException;

/** No loaded model (or version) answers to the name a request gave; servers answer 404. */
public class ModelNotFoundException extends SlipwayException {
  private static final long serialVersionUID = 1L;

  public ModelNotFoundException(String message) {
    super(message);
  }
}
