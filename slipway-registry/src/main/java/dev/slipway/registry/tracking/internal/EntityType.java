package dev.slipway.registry.tracking.internal;

import java.util.Locale;

/** What an identifier in a filter refers to: the part before the first dot. */
public enum EntityType {
  METRIC,
  PARAM,
  TAG,
  ATTRIBUTE;

  /** MLflow's accepted prefixes, singular and plural; null for an unknown prefix. */
  static EntityType fromPrefix(String prefix) {
    return switch (prefix.toLowerCase(Locale.ROOT)) {
      case "metric", "metrics" -> METRIC;
      case "param", "params", "parameter", "parameters" -> PARAM;
      case "tag", "tags" -> TAG;
      case "attribute", "attributes", "attr", "run" -> ATTRIBUTE;
      default -> null;
    };
  }

  String singular() {
    return name().toLowerCase(Locale.ROOT);
  }
}
