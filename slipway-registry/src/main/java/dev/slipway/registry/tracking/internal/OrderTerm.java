package dev.slipway.registry.tracking.internal;

/** One parsed order_by clause: what to sort by, and which way. */
public record OrderTerm(EntityType type, String key, boolean ascending) {}
