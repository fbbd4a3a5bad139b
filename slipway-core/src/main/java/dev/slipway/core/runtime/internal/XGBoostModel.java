package dev.slipway.core.runtime.internal;

import dev.slipway.core.DataType;
import dev.slipway.core.SlipwayException;
import dev.slipway.core.Signature;
import dev.slipway.core.Tensor;
import dev.slipway.core.TensorSpec;
import dev.slipway.core.runtime.Model;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * An XGBoost booster behind MLServer's output names: {@code predict} (the label for classifiers,
 * the value otherwise) and, for probabilistic classifiers, {@code predict_proba} [batch,
 * n_classes]. Scoring uses in-place prediction, which XGBoost allows from many threads at once.
 */
final class XGBoostModel implements Model {
  static final String INPUT = "input";
  static final String PREDICT = "predict";
  static final String PREDICT_PROBA = "predict_proba";

  private enum Kind {
    BINARY_PROBABILITY,
    MULTI_PROBABILITY,
    VALUE
  }

  private final Booster booster;
  private final int numFeature;
  private final int numClass;
  private final Kind kind;
  private final Signature signature;

  XGBoostModel(Booster booster, String objective, int numFeature, int numClass) {
    this.booster = booster;
    this.numFeature = numFeature;
    this.numClass = numClass;
    this.kind = switch (objective) {
      case "binary:logistic" -> Kind.BINARY_PROBABILITY;
      case "multi:softprob" -> Kind.MULTI_PROBABILITY;
      default -> Kind.VALUE;
    };
    TensorSpec input = new TensorSpec(INPUT, DataType.FP32, new long[] {-1, numFeature});
    this.signature = switch (kind) {
      case BINARY_PROBABILITY -> new Signature(List.of(input), List.of(
          new TensorSpec(PREDICT, DataType.INT64, new long[] {-1}),
          new TensorSpec(PREDICT_PROBA, DataType.FP32, new long[] {-1, 2})), true);
      case MULTI_PROBABILITY -> new Signature(List.of(input), List.of(
          new TensorSpec(PREDICT, DataType.INT64, new long[] {-1}),
          new TensorSpec(PREDICT_PROBA, DataType.FP32, new long[] {-1, numClass})), true);
      case VALUE -> new Signature(List.of(input), List.of(
          new TensorSpec(PREDICT, DataType.FP32, new long[] {-1})), true);
    };
  }

  @Override
  public Signature signature() {
    return signature;
  }

  @Override
  public String platform() {
    return "xgboost";
  }

  @Override
  public List<Tensor> predict(List<Tensor> inputs) {
    Tensor input = inputs.get(0);
    int rows = (int) input.dimension(0);
    float[][] raw = rows == 0 ? new float[0][] : score(input.floats(), rows);
    switch (kind) {
      case BINARY_PROBABILITY: {
        long[] labels = new long[rows];
        float[] probabilities = new float[rows * 2];
        for (int row = 0; row < rows; row++) {
          float positive = raw[row][0];
          probabilities[row * 2] = 1f - positive;
          probabilities[row * 2 + 1] = positive;
          labels[row] = positive > 0.5f ? 1 : 0;
        }
        return List.of(
            Tensor.ofLongs(PREDICT, new long[] {rows}, labels),
            Tensor.ofFloats(PREDICT_PROBA, new long[] {rows, 2}, probabilities));
      }
      case MULTI_PROBABILITY: {
        long[] labels = new long[rows];
        float[] probabilities = new float[rows * numClass];
        for (int row = 0; row < rows; row++) {
          int best = 0;
          for (int k = 0; k < numClass; k++) {
            probabilities[row * numClass + k] = raw[row][k];
            if (raw[row][k] > raw[row][best]) {
              best = k;
            }
          }
          labels[row] = best;
        }
        return List.of(
            Tensor.ofLongs(PREDICT, new long[] {rows}, labels),
            Tensor.ofFloats(PREDICT_PROBA, new long[] {rows, numClass}, probabilities));
      }
      case VALUE: {
        float[] values = new float[rows];
        for (int row = 0; row < rows; row++) {
          values[row] = raw[row][0];
        }
        return List.of(Tensor.ofFloats(PREDICT, new long[] {rows}, values));
      }
      default:
        throw new AssertionError(kind);
    }
  }

  private float[][] score(float[] features, int rows) {
    try {
      return booster.inplace_predict(features, rows, numFeature, Float.NaN);
    } catch (XGBoostError e) {
      throw new SlipwayException("XGBoost failed to score: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    booster.dispose();
  }
}
