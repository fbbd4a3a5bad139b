package dev.slipway.registry.tracking;

/** A run's metadata and logged data. */
public record Run(RunInfo info, RunData data) {}
