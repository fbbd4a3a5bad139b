package dev.slipway.registry.tracking;

import java.util.Locale;

/** Whether an experiment or run is live or in MLflow's soft-deleted state ("trash"). */
public enum LifecycleStage {
  ACTIVE,
  DELETED;

  /** MLflow's spelling on the wire and in the database: {@code active}, {@code deleted}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static LifecycleStage fromLabel(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
