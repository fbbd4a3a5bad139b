package dev.slipway.batch;

import dev.slipway.core.SlipwayException;

/** A batch job could not read, score or write; the message names the file, table or step. */
public class BatchJobException extends SlipwayException {
  private static final long serialVersionUID = 1L;

  public BatchJobException(String message) {
    super(message);
  }

  public BatchJobException(String message, Throwable cause) {
    super(message, cause);
  }
}
