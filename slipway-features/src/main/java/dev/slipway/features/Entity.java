package dev.slipway.features;

import java.util.List;

/** What features describe (a customer, a driver), identified by its join keys. */
public record Entity(String name, List<JoinKey> joinKeys, String description) {
  /** One column of an entity's key. */
  public record JoinKey(String name, ValueType type) {}

  public Entity {
    joinKeys = List.copyOf(joinKeys);
  }
}
