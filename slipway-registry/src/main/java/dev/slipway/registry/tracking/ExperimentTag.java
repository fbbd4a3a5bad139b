package dev.slipway.registry.tracking;

/** A key/value label on an experiment; setting a key again replaces its value. */
public record ExperimentTag(String key, String value) {}
