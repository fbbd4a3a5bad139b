package dev.slipway.serving.internal;

import dev.slipway.core.DataType;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.Signature;
import dev.slipway.core.Tensor;
import dev.slipway.core.TensorSpec;
import dev.slipway.features.ValueType;
import dev.slipway.features.online.FeatureStatus;
import dev.slipway.serving.FeatureBinding;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a request that names entities into the model's input: entity columns in, the bound
 * feature service's features out as one [rows, features] tensor in service order.
 */
final class EntityInputAssembler {
  private final FeatureBinding binding;
  private final OnlineFeatureRetrieval retrieval;
  private final List<String> refs;

  EntityInputAssembler(FeatureBinding binding, OnlineFeatureRetrieval retrieval) {
    this.binding = binding;
    this.retrieval = retrieval;
    if (!retrieval.definitions().featureServices().containsKey(binding.featureService())) {
      throw new IllegalArgumentException("feature service '" + binding.featureService()
          + "' is not defined (known: " + retrieval.definitions().featureServices().keySet()
          + ")");
    }
    this.refs = retrieval.definitions().serviceFeatures(binding.featureService());
  }

  /** True when the request sends entity columns rather than the model's own input. */
  boolean appliesTo(List<Tensor> inputs, Signature signature) {
    return signature.inputs().size() == 1
        && inputs.stream().noneMatch(input -> input.name().equals(
            signature.inputs().get(0).name()))
        && inputs.stream().allMatch(input -> retrieval.entityColumnType(input.name()).isPresent());
  }

  List<Tensor> assemble(List<Tensor> inputs, Signature signature) {
    TensorSpec target = signature.inputs().get(0);
    long[] shape = target.shape();
    if (shape.length != 2 || (shape[1] >= 0 && shape[1] != refs.size())
        || (target.dataType() != DataType.FP32 && target.dataType() != DataType.FP64)) {
      throw new InvalidInputException("input '" + target.name() + "' is " + target
          + ": feature service '" + binding.featureService() + "' gives " + refs.size()
          + " features (expected a model input FP32 or FP64 [-1, " + refs.size() + "])");
    }
    int rows = -1;
    Map<String, List<Object>> entities = new LinkedHashMap<>();
    for (Tensor input : inputs) {
      String where = "input '" + input.name() + "'";
      if (input.rank() > 2 || (input.rank() == 2 && input.dimension(1) != 1)) {
        throw new InvalidInputException(where + ": shape " + java.util.Arrays.toString(
            input.shape()) + " (expected one value per row: [rows] or [rows, 1])");
      }
      int count = input.elementCount();
      if (rows >= 0 && count != rows) {
        throw new InvalidInputException(where + ": " + count + " rows (expected " + rows
            + ", as the other entity inputs)");
      }
      rows = count;
      ValueType type = retrieval.entityColumnType(input.name()).orElseThrow();
      List<Object> values = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        values.add(OnlineFeatureRetrieval.typed(element(input, i), type, where));
      }
      entities.put(input.name(), values);
    }
    List<OnlineFeatureRetrieval.Column> columns = retrieval.retrieve(refs, entities, rows);
    double[] matrix = new double[rows * refs.size()];
    for (int feature = 0; feature < refs.size(); feature++) {
      OnlineFeatureRetrieval.Column column = columns.get(feature);
      for (int row = 0; row < rows; row++) {
        Object value = column.values()[row];
        if (column.statuses()[row] != FeatureStatus.PRESENT || value == null) {
          Double fallback = binding.defaults().get(column.ref());
          if (fallback == null) {
            throw new InvalidInputException("row " + row + " " + describe(entities, row)
                + ": feature '" + column.ref() + "' is " + column.statuses()[row]
                + " and has no default (declare one, or send the model's input '"
                + target.name() + "' instead)");
          }
          value = fallback;
        }
        if (!(value instanceof Number number)) {
          throw new InvalidInputException("feature '" + column.ref() + "' is " + value
              + " (expected a number for the model's input '" + target.name() + "')");
        }
        matrix[row * refs.size() + feature] = number.doubleValue();
      }
    }
    long[] matrixShape = {rows, refs.size()};
    if (target.dataType() == DataType.FP64) {
      return List.of(Tensor.ofDoubles(target.name(), matrixShape, matrix));
    }
    float[] floats = new float[matrix.length];
    for (int i = 0; i < matrix.length; i++) {
      floats[i] = (float) matrix[i];
    }
    return List.of(Tensor.ofFloats(target.name(), matrixShape, floats));
  }

  private static Object element(Tensor tensor, int index) {
    Object value = Array.get(tensor.data(), index);
    return switch (tensor.dataType()) {
      case INT32, INT8 -> ((Number) value).longValue();
      case UINT8 -> (long) (((Byte) value) & 0xFF);
      case FP32 -> ((Number) value).doubleValue();
      default -> value;
    };
  }

  private static String describe(Map<String, List<Object>> entities, int row) {
    StringBuilder text = new StringBuilder("(");
    entities.forEach((name, values) -> text.append(text.length() > 1 ? ", " : "")
        .append(name).append('=').append(values.get(row)));
    return text.append(')').toString();
  }
}
