package dev.slipway.registry.tracking;

import dev.slipway.registry.MlflowException;
import java.util.Locale;

/** A run's state; numbers are MLflow's proto enum values. */
public enum RunStatus {
  RUNNING(1),
  SCHEDULED(2),
  FINISHED(3),
  FAILED(4),
  KILLED(5);

  private final int number;

  RunStatus(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  /** Parses the enum name (any case) or its proto number, as proto JSON parsers accept both. */
  public static RunStatus parse(String text) {
    for (RunStatus status : values()) {
      if (status.name().equals(text.toUpperCase(Locale.ROOT))
          || String.valueOf(status.number).equals(text)) {
        return status;
      }
    }
    throw MlflowException.invalid("Invalid run status '" + text
        + "' (expected RUNNING, SCHEDULED, FINISHED, FAILED or KILLED)");
  }
}
