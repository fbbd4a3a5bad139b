package dev.slipway.features.online;

import java.util.List;

/**
 * One entity's key: its join-key values in the entity's join-key order. {@link #encoded()} is the
 * canonical text form online stores use as (part of) their storage key.
 */
public record EntityKey(List<Object> values) {
  public EntityKey {
    values = List.copyOf(values);
  }

  public static EntityKey of(Object... values) {
    return new EntityKey(List.of(values));
  }

  /** Values joined by the unit separator, which join-key values cannot contain. */
  public String encoded() {
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        key.append('\u001f');
      }
      key.append(values.get(i));
    }
    return key.toString();
  }
}
