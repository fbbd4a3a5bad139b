package dev.slipway.registry.models;

/** A named pointer to exactly one version of a registered model. */
public record ModelAlias(String alias, int version) {}
