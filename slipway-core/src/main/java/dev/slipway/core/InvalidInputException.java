package dev.slipway.core;

/**
 * A request or file broke the model's data contract: the message names the input and what was
 * expected, so the caller can fix it. Servers answer it with HTTP 400 / gRPC INVALID_ARGUMENT.
 */
public class InvalidInputException extends SlipwayException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }
}
