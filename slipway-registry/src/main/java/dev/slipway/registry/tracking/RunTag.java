package dev.slipway.registry.tracking;

/** A key/value label on a run; setting a key again replaces its value. */
public record RunTag(String key, String value) {}
