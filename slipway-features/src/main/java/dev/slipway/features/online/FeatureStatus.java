package dev.slipway.features.online;

/** Per value, as Feast reports it. */
public enum FeatureStatus {
  PRESENT,
  NULL_VALUE,
  NOT_FOUND,
  OUTSIDE_MAX_AGE
}
