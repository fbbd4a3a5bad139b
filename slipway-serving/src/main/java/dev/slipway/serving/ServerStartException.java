package dev.slipway.serving;

import dev.slipway.core.SlipwayException;

/** The server could not listen where it was asked to (a port in use, an address not local). */
public class ServerStartException extends SlipwayException {
  private static final long serialVersionUID = 1L;

  public ServerStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
