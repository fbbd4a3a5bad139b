package dev.slipway.registry.models;

import java.util.Set;

/** A registered webhook; its secret is write-only and never returned. */
public record Webhook(long id, String url, Set<RegistryEvent> events, long createdAt) {
  public Webhook {
    events = Set.copyOf(events);
  }
}
