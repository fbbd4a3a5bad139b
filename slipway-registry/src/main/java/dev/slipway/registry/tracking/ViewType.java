package dev.slipway.registry.tracking;

import dev.slipway.registry.MlflowException;
import java.util.List;
import java.util.Locale;

/** Which lifecycle stages a search sees; numbers are MLflow's proto enum values. */
public enum ViewType {
  ACTIVE_ONLY(1, List.of(LifecycleStage.ACTIVE)),
  DELETED_ONLY(2, List.of(LifecycleStage.DELETED)),
  ALL(3, List.of(LifecycleStage.ACTIVE, LifecycleStage.DELETED));

  private final int number;
  private final List<LifecycleStage> stages;

  ViewType(int number, List<LifecycleStage> stages) {
    this.number = number;
    this.stages = stages;
  }

  public int number() {
    return number;
  }

  public List<LifecycleStage> stages() {
    return stages;
  }

  /** Parses the enum name (any case) or its proto number, as proto JSON parsers accept both. */
  public static ViewType parse(String text) {
    for (ViewType type : values()) {
      if (type.name().equals(text.toUpperCase(Locale.ROOT))
          || String.valueOf(type.number).equals(text)) {
        return type;
      }
    }
    throw MlflowException.invalid("Invalid view type '" + text
        + "' (expected ACTIVE_ONLY, DELETED_ONLY or ALL)");
  }
}
