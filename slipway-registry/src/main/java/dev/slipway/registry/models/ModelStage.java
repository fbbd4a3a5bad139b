package dev.slipway.registry.models;

import dev.slipway.registry.MlflowException;
import java.util.Locale;

/** MLflow's model version stages; names are matched case-insensitively, as MLflow does. */
public enum ModelStage {
  NONE("None"),
  STAGING("Staging"),
  PRODUCTION("Production"),
  ARCHIVED("Archived");

  private final String displayName;

  ModelStage(String displayName) {
    this.displayName = displayName;
  }

  /** The canonical spelling stored and returned by the API ("Production"). */
  public String displayName() {
    return displayName;
  }

  /** Staging and Production, the stages that archive_existing_versions applies to. */
  public boolean active() {
    return this == STAGING || this == PRODUCTION;
  }

  /**
   * Parses a stage name in any letter case.
   *
   * @throws MlflowException INVALID_PARAMETER_VALUE naming the valid stages
   */
  public static ModelStage parse(String stage) {
    ModelStage found = find(stage);
    if (found == null) {
      throw MlflowException.invalid("Invalid Model Version stage: " + stage
          + ". Value must be one of None, Staging, Production, Archived.");
    }
    return found;
  }

  /** The stage named {@code stage} in any letter case, or null. */
  public static ModelStage find(String stage) {
    if (stage == null) {
      return null;
    }
    String lower = stage.trim().toLowerCase(Locale.ROOT);
    for (ModelStage candidate : values()) {
      if (candidate.displayName.toLowerCase(Locale.ROOT).equals(lower)) {
        return candidate;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return displayName;
  }
}
