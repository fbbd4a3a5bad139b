package dev.slipway.core;

import java.util.Locale;

/**
 * Tensor element types, named as in the Open Inference Protocol. Each maps to one primitive Java
 * array type holding the elements in row-major order.
 */
public enum DataType {
  BOOL(boolean[].class),
  UINT8(byte[].class),
  INT8(byte[].class),
  INT32(int[].class),
  INT64(long[].class),
  FP32(float[].class),
  FP64(double[].class);

  private final Class<?> arrayType;

  DataType(Class<?> arrayType) {
    this.arrayType = arrayType;
  }

  /** The primitive array class that holds this type's elements. */
  public Class<?> arrayType() {
    return arrayType;
  }

  /** Allocates a zeroed element array of this type. */
  public Object newArray(int length) {
    switch (this) {
      case BOOL:
        return new boolean[length];
      case UINT8:
      case INT8:
        return new byte[length];
      case INT32:
        return new int[length];
      case INT64:
        return new long[length];
      case FP32:
        return new float[length];
      case FP64:
        return new double[length];
      default:
        throw new AssertionError(this);
    }
  }

  /**
   * Parses an Open Inference Protocol datatype name.
   *
   * @throws InvalidInputException naming the value and the accepted ones
   */
  public static DataType parse(String name, String field) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidInputException(
          field + ": unsupported datatype '" + name + "' (expected one of BOOL, UINT8, INT8, INT32,"
              + " INT64, FP32, FP64)");
    }
  }
}
