package dev.slipway.app.internal;

import dev.slipway.core.examples.ChurnExample;
import dev.slipway.core.examples.LogisticRegressionOnnx;
import java.util.Arrays;

/**
 * The quickstart's example model: churn, fitted on generated customers (seeded, so the same
 * everywhere, no download) and written as a real ONNX graph, with its quality on held-out ones.
 */
public final class ExampleRepository {
  public static final String MODEL = "churn";
  public static final long SEED = 42;
  public static final int ITERATIONS = 400;
  public static final double LEARNING_RATE = 0.5;

  /**
   * A fitted example: weights then bias, the ONNX bytes, held-out quality, and the training
   * churn rate.
   */
  public record Example(float[] fitted, byte[] onnx, double accuracy, double logLoss,
      double churnRate) {}

  private ExampleRepository() {}

  public static Example train() {
    ChurnExample training = ChurnExample.generate(5_000, SEED);
    ChurnExample holdout = ChurnExample.generate(2_000, SEED + 1);
    float[] fitted = training.fit(ITERATIONS, LEARNING_RATE);
    int width = ChurnExample.FEATURES.length;
    byte[] onnx = LogisticRegressionOnnx.toBytes(Arrays.copyOf(fitted, width), fitted[width]);
    return new Example(fitted, onnx, holdout.accuracy(fitted), holdout.logLoss(fitted),
        training.churnRate());
  }
}
