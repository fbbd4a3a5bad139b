package dev.slipway.core;

/** A model artifact could not be read or loaded; the message names the path and the reason. */
public class ModelLoadException extends SlipwayException {
  private static final long serialVersionUID = 1L;

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
