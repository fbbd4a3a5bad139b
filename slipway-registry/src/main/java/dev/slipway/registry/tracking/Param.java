package dev.slipway.registry.tracking;

/** A run's input setting; once logged, its value never changes. */
public record Param(String key, String value) {}
