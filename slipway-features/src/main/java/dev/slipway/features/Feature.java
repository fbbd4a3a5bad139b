package dev.slipway.features;

/** One feature of a feature view: a column of its source. */
public record Feature(String name, ValueType type) {}
