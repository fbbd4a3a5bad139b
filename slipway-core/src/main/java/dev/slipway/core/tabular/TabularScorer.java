package dev.slipway.core.tabular;

import dev.slipway.core.DataType;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.Signature;
import dev.slipway.core.Tensor;
import dev.slipway.core.TensorSpec;
import dev.slipway.core.runtime.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * How a table's columns feed a model and how its outputs come back as columns. Every batch engine
 * (local, Spark) scores through this class, so they read the same columns and write the same
 * table.
 *
 * <p>Two layouts are understood. A model with one input {@code [-1, n]} (an MLP, XGBoost) takes
 * {@code n} numeric feature columns, in the order given. A model whose inputs are each {@code
 * [-1]} or {@code [-1, 1]} (a column-wise ONNX export) takes the column named like each input.
 *
 * <p>Outputs become columns: a {@code [-1]} or {@code [-1, 1]} output keeps its name, a {@code
 * [-1, k]} output becomes {@code name_0 .. name_(k-1)}.
 */
public final class TabularScorer {
  /** How many of an input's columns a message lists. */
  private static final int LISTED_COLUMNS = 40;

  /**
   * One column of scores: element {@code index} of each row of model output {@code output}.
   */
  public record OutputColumn(String name, DataType dataType, int output, int index) {}

  private final Model model;
  private final List<String> featureColumns;
  private final boolean matrixLayout;
  private final List<OutputColumn> outputColumns;

  private TabularScorer(Model model, List<String> featureColumns, boolean matrixLayout,
      List<OutputColumn> outputColumns) {
    this.model = model;
    this.featureColumns = List.copyOf(featureColumns);
    this.matrixLayout = matrixLayout;
    this.outputColumns = List.copyOf(outputColumns);
  }

  /**
   * Binds a model to a table.
   *
   * @param columns the table's columns, in table order
   * @param features the feature columns to use, in model order; empty to take every column not
   *     in {@code passThrough} (matrix layout) or the columns named like the inputs
   * @param passThrough columns that are never features (keys, timestamps)
   * @throws InvalidInputException naming the missing column or the count that was expected
   */
  public static TabularScorer bind(Model model, List<String> columns, List<String> features,
      Collection<String> passThrough) {
    Signature signature = model.signature();
    List<OutputColumn> outputs = outputColumns(signature.outputs());
    for (String feature : features) {
      if (!columns.contains(feature)) {
        throw new InvalidInputException("feature column '" + feature
            + "': not in the input (columns: " + columns + ")");
      }
    }
    if (isMatrix(signature)) {
      TensorSpec input = signature.inputs().get(0);
      long width = input.shape()[1];
      List<String> chosen = !features.isEmpty() ? features
          : columns.stream().filter(column -> !passThrough.contains(column)).toList();
      if (width >= 0 && chosen.size() != width) {
        throw new InvalidInputException("model input '" + input.name() + "' takes " + width
            + " feature columns, the input offers " + chosen.size() + " "
            + (chosen.size() <= LISTED_COLUMNS ? chosen.toString()
                : chosen.subList(0, LISTED_COLUMNS).toString().replaceFirst("]$", ", ...]"))
            + (features.isEmpty() ? " (name the features, or set the others apart as keys:"
                + " --features and --key of predict, features and key in pipelines.yaml)"
                : ""));
      }
      return new TabularScorer(model, chosen, true, outputs);
    }
    if (signature.inputs().stream().allMatch(TabularScorer::isColumn)) {
      List<String> names = signature.inputNames();
      for (String name : names) {
        if (!columns.contains(name)) {
          throw new InvalidInputException("model input '" + name
              + "': no column of that name in the input (columns: " + columns + ")");
        }
      }
      return new TabularScorer(model, names, false, outputs);
    }
    throw new InvalidInputException("model inputs " + signature.inputs()
        + ": tables score only models with one input [-1, n] or inputs of shape [-1] / [-1, 1]");
  }

  /** The feature columns, in the order {@link #score} expects their values. */
  public List<String> featureColumns() {
    return featureColumns;
  }

  /** The score columns {@link #score} returns, in order. */
  public List<OutputColumn> outputColumns() {
    return outputColumns;
  }

  /**
   * Scores {@code rows} rows whose feature values are given row-major in {@code values} ({@code
   * rows * featureColumns().size()} of them).
   *
   * @return one primitive array per {@link #outputColumns()} entry, {@code rows} long, of the
   *     column's datatype
   */
  public Object[] score(double[] values, int rows) {
    checkLength(values.length, rows);
    return columns(model.predict(inputs(values, rows)), rows);
  }

  /**
   * True when the model takes one FP32 matrix: {@link #scoreFloats} then scores values as they
   * are, without a conversion pass.
   */
  public boolean takesFloats() {
    return matrixLayout && model.signature().inputs().get(0).dataType() == DataType.FP32;
  }

  /**
   * As {@link #score}, for a model that {@link #takesFloats}: {@code values} become the model's
   * input as they are (exactly {@code rows * featureColumns().size()} of them; not kept after
   * the call).
   */
  public Object[] scoreFloats(float[] values, int rows) {
    if (!takesFloats()) {
      throw new IllegalStateException("model input " + model.signature().inputs()
          + " is not one FP32 matrix: use score(double[], int)");
    }
    checkLength(values.length, rows);
    TensorSpec spec = model.signature().inputs().get(0);
    int width = featureColumns.size();
    float[] exact = values.length == rows * width ? values : Arrays.copyOf(values, rows * width);
    return columns(model.predict(List.of(Tensor.ofFloats(spec.name(),
        new long[] {rows, width}, exact))), rows);
  }

  private void checkLength(int length, int rows) {
    int width = featureColumns.size();
    if (length < rows * width) {
      throw new IllegalArgumentException("values: " + length + " (expected: >= "
          + rows * width + " for " + rows + " rows)");
    }
  }

  private Object[] columns(List<Tensor> outputs, int rows) {
    Object[] columns = new Object[outputColumns.size()];
    for (int c = 0; c < columns.length; c++) {
      OutputColumn column = outputColumns.get(c);
      columns[c] = column(outputs.get(column.output()), column, rows);
    }
    return columns;
  }

  private List<Tensor> inputs(double[] values, int rows) {
    Signature signature = model.signature();
    int width = featureColumns.size();
    if (matrixLayout) {
      TensorSpec spec = signature.inputs().get(0);
      return List.of(Tensor.of(spec.name(), spec.dataType(), new long[] {rows, width},
          convert(values, 0, 1, rows * width, spec.dataType())));
    }
    List<Tensor> inputs = new ArrayList<>(width);
    for (int f = 0; f < width; f++) {
      TensorSpec spec = signature.inputs().get(f);
      long[] shape = spec.shape().length == 1 ? new long[] {rows} : new long[] {rows, 1};
      inputs.add(Tensor.of(spec.name(), spec.dataType(), shape,
          convert(values, f, width, rows, spec.dataType())));
    }
    return inputs;
  }

  /** {@code count} elements at {@code offset, offset + step, ...} as an array of {@code type}. */
  private static Object convert(double[] values, int offset, int step, int count,
      DataType type) {
    Object array = type.newArray(count);
    switch (type) {
      case FP32 -> {
        float[] out = (float[]) array;
        for (int i = 0, j = offset; i < count; i++, j += step) {
          out[i] = (float) values[j];
        }
      }
      case FP64 -> {
        double[] out = (double[]) array;
        for (int i = 0, j = offset; i < count; i++, j += step) {
          out[i] = values[j];
        }
      }
      case INT64 -> {
        long[] out = (long[]) array;
        for (int i = 0, j = offset; i < count; i++, j += step) {
          out[i] = (long) values[j];
        }
      }
      case INT32 -> {
        int[] out = (int[]) array;
        for (int i = 0, j = offset; i < count; i++, j += step) {
          out[i] = (int) values[j];
        }
      }
      case BOOL -> {
        boolean[] out = (boolean[]) array;
        for (int i = 0, j = offset; i < count; i++, j += step) {
          out[i] = values[j] != 0;
        }
      }
      case INT8, UINT8 -> {
        byte[] out = (byte[]) array;
        for (int i = 0, j = offset; i < count; i++, j += step) {
          out[i] = (byte) values[j];
        }
      }
      default -> throw new AssertionError(type);
    }
    return array;
  }

  private static Object column(Tensor output, OutputColumn column, int rows) {
    int stride = output.rank() == 1 ? 1 : output.rowSize();
    int at = column.index();
    switch (column.dataType()) {
      case FP32 -> {
        float[] source = (float[]) output.data();
        float[] target = new float[rows];
        for (int row = 0; row < rows; row++, at += stride) {
          target[row] = source[at];
        }
        return target;
      }
      case FP64 -> {
        double[] source = (double[]) output.data();
        double[] target = new double[rows];
        for (int row = 0; row < rows; row++, at += stride) {
          target[row] = source[at];
        }
        return target;
      }
      case INT64 -> {
        long[] source = (long[]) output.data();
        long[] target = new long[rows];
        for (int row = 0; row < rows; row++, at += stride) {
          target[row] = source[at];
        }
        return target;
      }
      case INT32 -> {
        int[] source = (int[]) output.data();
        int[] target = new int[rows];
        for (int row = 0; row < rows; row++, at += stride) {
          target[row] = source[at];
        }
        return target;
      }
      case BOOL -> {
        boolean[] source = (boolean[]) output.data();
        boolean[] target = new boolean[rows];
        for (int row = 0; row < rows; row++, at += stride) {
          target[row] = source[at];
        }
        return target;
      }
      default -> throw new AssertionError(column.dataType());
    }
  }

  private static boolean isMatrix(Signature signature) {
    if (signature.inputs().size() != 1) {
      return false;
    }
    long[] shape = signature.inputs().get(0).shape();
    return shape.length == 2 && shape[0] < 0 && (shape[1] != 1 || signature.anyInputName());
  }

  private static boolean isColumn(TensorSpec spec) {
    long[] shape = spec.shape();
    return shape.length >= 1 && shape.length <= 2 && shape[0] < 0
        && (shape.length == 1 || shape[1] == 1);
  }

  /**
   * The score columns of outputs shaped like {@code outputs} (dynamic or actual batch size
   * first): the naming every table of scores uses, also for one scored row.
   *
   * @throws InvalidInputException for an output that cannot become columns
   */
  public static List<OutputColumn> outputColumns(List<TensorSpec> outputs) {
    List<OutputColumn> columns = new ArrayList<>();
    Set<DataType> supported = Set.of(DataType.FP32, DataType.FP64, DataType.INT32,
        DataType.INT64, DataType.BOOL);
    for (int o = 0; o < outputs.size(); o++) {
      TensorSpec spec = outputs.get(o);
      long[] shape = spec.shape();
      if (!supported.contains(spec.dataType())) {
        throw new InvalidInputException("model output '" + spec.name() + "': datatype "
            + spec.dataType() + " cannot become a score column (expected one of " + supported
            + ")");
      }
      if (shape.length == 1 || shape.length == 2 && shape[1] == 1) {
        columns.add(new OutputColumn(spec.name(), spec.dataType(), o, 0));
      } else if (shape.length == 2 && shape[1] > 1) {
        for (int i = 0; i < shape[1]; i++) {
          columns.add(new OutputColumn(spec.name() + "_" + i, spec.dataType(), o, i));
        }
      } else {
        throw new InvalidInputException("model output '" + spec.name() + "': shape "
            + Arrays.toString(shape)
            + " cannot become score columns (expected [-1], [-1, 1] or [-1, k])");
      }
    }
    return columns;
  }
}
