package dev.slipway.core;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A named, typed, shaped block of elements held as one primitive array in row-major order. The
 * first dimension is the batch dimension wherever a signature says it is dynamic.
 *
 * <p>Tensors do not copy their arrays: callers hand over ownership and must not mutate them after.
 */
public final class Tensor {
  private final String name;
  private final DataType dataType;
  private final long[] shape;
  private final Object data;

  private Tensor(String name, DataType dataType, long[] shape, Object data) {
    this.name = Objects.requireNonNull(name, "name");
    this.dataType = Objects.requireNonNull(dataType, "dataType");
    this.shape = Objects.requireNonNull(shape, "shape");
    this.data = Objects.requireNonNull(data, "data");
    if (data.getClass() != dataType.arrayType()) {
      throw new IllegalArgumentException(
          "data: " + data.getClass().getSimpleName() + " (expected: "
              + dataType.arrayType().getSimpleName() + " for " + dataType + ")");
    }
    long expected = elementCount(shape);
    int actual = Array.getLength(data);
    if (expected != actual) {
      throw new IllegalArgumentException(
          "data: " + actual + " elements (expected: " + expected + " for shape "
              + Arrays.toString(shape) + ")");
    }
  }

  /** Creates a tensor; the array type must match the datatype and its length the shape. */
  public static Tensor of(String name, DataType dataType, long[] shape, Object data) {
    return new Tensor(name, dataType, shape.clone(), data);
  }

  public static Tensor ofFloats(String name, long[] shape, float[] data) {
    return of(name, DataType.FP32, shape, data);
  }

  public static Tensor ofDoubles(String name, long[] shape, double[] data) {
    return of(name, DataType.FP64, shape, data);
  }

  public static Tensor ofLongs(String name, long[] shape, long[] data) {
    return of(name, DataType.INT64, shape, data);
  }

  public static Tensor ofInts(String name, long[] shape, int[] data) {
    return of(name, DataType.INT32, shape, data);
  }

  public static Tensor ofBooleans(String name, long[] shape, boolean[] data) {
    return of(name, DataType.BOOL, shape, data);
  }

  /** Number of elements a shape holds; negative dimensions count as zero. */
  public static long elementCount(long[] shape) {
    long count = 1;
    for (long dimension : shape) {
      count *= Math.max(dimension, 0);
    }
    return count;
  }

  public String name() {
    return name;
  }

  public DataType dataType() {
    return dataType;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code index}. */
  public long dimension(int index) {
    return shape[index];
  }

  public int rank() {
    return shape.length;
  }

  /** The element array; its type is {@link DataType#arrayType()}. Do not mutate it. */
  public Object data() {
    return data;
  }

  public float[] floats() {
    return (float[]) data;
  }

  public int elementCount() {
    return Array.getLength(data);
  }

  /** The same data under another name. */
  public Tensor withName(String newName) {
    return new Tensor(newName, dataType, shape, data);
  }

  /** Rows {@code [from, to)} of the first dimension, copied. */
  public Tensor rows(int from, int to) {
    int rowSize = rowSize();
    long[] newShape = shape.clone();
    newShape[0] = to - from;
    Object slice = dataType.newArray((to - from) * rowSize);
    System.arraycopy(data, from * rowSize, slice, 0, (to - from) * rowSize);
    return new Tensor(name, dataType, newShape, slice);
  }

  /** Elements per row of the first dimension. */
  public int rowSize() {
    if (shape.length == 0) {
      throw new IllegalStateException(name + ": a scalar has no rows");
    }
    return shape[0] == 0 ? (int) elementCount(Arrays.copyOfRange(shape, 1, shape.length))
        : (int) (elementCount() / shape[0]);
  }

  /**
   * Stacks tensors of the same name, type and row shape along the first dimension, in order.
   * Dynamic batching uses it to turn many requests into one runtime call.
   */
  public static Tensor concatRows(List<Tensor> parts) {
    Tensor first = parts.get(0);
    if (parts.size() == 1) {
      return first;
    }
    long rows = 0;
    int elements = 0;
    for (Tensor part : parts) {
      rows += part.shape[0];
      elements += part.elementCount();
    }
    Object joined = first.dataType.newArray(elements);
    int offset = 0;
    for (Tensor part : parts) {
      int length = part.elementCount();
      System.arraycopy(part.data, 0, joined, offset, length);
      offset += length;
    }
    long[] newShape = first.shape.clone();
    newShape[0] = rows;
    return new Tensor(first.name, first.dataType, newShape, joined);
  }

  @Override
  public String toString() {
    return name + ":" + dataType + Arrays.toString(shape);
  }
}
