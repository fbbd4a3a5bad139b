package dev.slipway.features.internal;

import dev.slipway.features.ValueType;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Fits values read from a data source to declared value types, the Java classes the online stores
 * keep: INT32 Integer, INT64 Long, FLOAT32 Float, FLOAT64 Double, STRING String, BOOL Boolean.
 */
public final class FeatureValues {
  /** Returned when a value does not fit its type; never stored. */
  public static final Object MISFIT = new Object();

  private FeatureValues() {}

  /**
   * The value as {@code type}, null for null, or {@link #MISFIT}. Integers fit wider integer and
   * floating types; floating values fit either floating type. Text fits other types only when
   * {@code parseText} is set (CSV columns that DuckDB read as text).
   */
  public static Object fit(Object value, ValueType type, boolean parseText) {
    if (value == null) {
      return null;
    }
    if (parseText && value instanceof String text && type != ValueType.STRING) {
      return parse(text.trim(), type);
    }
    switch (type) {
      case INT32:
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
          return ((Number) value).intValue();
        }
        if (value instanceof Long number && number == number.intValue()) {
          return number.intValue();
        }
        return MISFIT;
      case INT64:
        if (value instanceof Long || value instanceof Integer || value instanceof Short
            || value instanceof Byte) {
          return ((Number) value).longValue();
        }
        if (value instanceof BigInteger number && number.bitLength() < 64) {
          return number.longValue();
        }
        return MISFIT;
      case FLOAT32:
        return isNumber(value) ? (Object) ((Number) value).floatValue() : MISFIT;
      case FLOAT64:
        return isNumber(value) ? (Object) ((Number) value).doubleValue() : MISFIT;
      case STRING:
        return value instanceof String ? value : MISFIT;
      case BOOL:
        return value instanceof Boolean ? value : MISFIT;
      default:
        throw new IllegalStateException("value type " + type);
    }
  }

  private static boolean isNumber(Object value) {
    return value instanceof Double || value instanceof Float || value instanceof BigDecimal
        || value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger;
  }

  private static Object parse(String text, ValueType type) {
    if (text.isEmpty()) {
      return null;
    }
    try {
      switch (type) {
        case INT32:
          return Integer.parseInt(text);
        case INT64:
          return Long.parseLong(text);
        case FLOAT32:
          return Float.parseFloat(text);
        case FLOAT64:
          return Double.parseDouble(text);
        case BOOL:
          if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
          }
          return MISFIT;
        default:
          return text;
      }
    } catch (NumberFormatException e) {
      return MISFIT;
    }
  }
}
