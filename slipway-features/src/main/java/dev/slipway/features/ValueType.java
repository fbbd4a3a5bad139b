package dev.slipway.features;

import dev.slipway.core.InvalidInputException;
import java.util.Locale;

/** The types a feature or join key may have. */
public enum ValueType {
  INT32,
  INT64,
  FLOAT32,
  FLOAT64,
  STRING,
  BOOL;

  /** Parses a type name as written in definitions ({@code int64}, {@code FLOAT32}, ...). */
  public static ValueType parse(String name, String where) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidInputException(where + ": type '" + name
          + "' (expected one of int32, int64, float32, float64, string, bool)");
    }
  }
}
