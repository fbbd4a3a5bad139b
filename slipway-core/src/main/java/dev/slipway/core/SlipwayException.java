package dev.slipway.core;

/** Root of every exception Slipway throws on purpose; subclasses are named after the failure. */
public class SlipwayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SlipwayException(String message) {
    super(message);
  }

  public SlipwayException(String message, Throwable cause) {
    super(message, cause);
  }
}
