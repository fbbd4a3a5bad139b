package dev.slipway.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * The contract for one input or output: name, datatype and shape, where {@code -1} marks a
 * dimension of any size (usually the batch).
 */
public record TensorSpec(String name, DataType dataType, long[] shape) {
  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataType, "dataType");
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** True when the first dimension accepts any size, so requests can be batched together. */
  public boolean batchable() {
    return shape.length > 0 && shape[0] < 0;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TensorSpec that
        && name.equals(that.name)
        && dataType == that.dataType
        && Arrays.equals(shape, that.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dataType, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + ":" + dataType + Arrays.toString(shape);
  }
}
