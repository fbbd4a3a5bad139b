package dev.slipway.core.examples;

import java.util.SplittableRandom;

/**
 * The quickstart's example: customers described by four features, a churn label drawn from a
 * known logistic law, and a logistic regression fitted to them by gradient descent. Everything
 * comes from one seed, so the model is the same on every machine and needs no download.
 */
public final class ChurnExample {
  /** Feature names, in the model's input order. */
  public static final String[] FEATURES = {
    "tenure_years", "monthly_charges_100", "support_calls", "annual_contract"
  };
  private static final float[] TRUE_WEIGHTS = {-0.9f, 1.6f, 0.7f, -1.2f};
  private static final float TRUE_BIAS = -0.8f;

  private final float[][] rows;
  private final float[] labels;

  private ChurnExample(float[][] rows, float[] labels) {
    this.rows = rows;
    this.labels = labels;
  }

  /** Generates {@code count} customers from {@code seed}. */
  public static ChurnExample generate(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] rows = new float[count][];
    float[] labels = new float[count];
    for (int i = 0; i < count; i++) {
      rows[i] = customer(random);
      double p = sigmoid(dot(rows[i], TRUE_WEIGHTS) + TRUE_BIAS);
      labels[i] = random.nextDouble() < p ? 1f : 0f;
    }
    return new ChurnExample(rows, labels);
  }

  /** One customer's features drawn from plausible ranges. */
  public static float[] customer(SplittableRandom random) {
    return new float[] {
      (float) (random.nextDouble() * 6),
      (float) (0.2 + random.nextDouble() * 1.0),
      random.nextInt(6),
      random.nextBoolean() ? 1f : 0f
    };
  }

  /** The share of customers who churned: the answer to give when nothing better is known. */
  public double churnRate() {
    double churned = 0;
    for (float label : labels) {
      churned += label;
    }
    return churned / labels.length;
  }

  public float[][] rows() {
    return rows;
  }

  /**
   * Fits weights and bias by full-batch gradient descent on the log loss.
   *
   * @return the weights followed by the bias
   */
  public float[] fit(int iterations, double learningRate) {
    int width = FEATURES.length;
    double[] weights = new double[width + 1];
    for (int iteration = 0; iteration < iterations; iteration++) {
      double[] gradient = new double[width + 1];
      for (int i = 0; i < rows.length; i++) {
        double z = weights[width];
        for (int j = 0; j < width; j++) {
          z += weights[j] * rows[i][j];
        }
        double error = sigmoid(z) - labels[i];
        for (int j = 0; j < width; j++) {
          gradient[j] += error * rows[i][j];
        }
        gradient[width] += error;
      }
      for (int j = 0; j <= width; j++) {
        weights[j] -= learningRate * gradient[j] / rows.length;
      }
    }
    float[] fitted = new float[width + 1];
    for (int j = 0; j <= width; j++) {
      fitted[j] = (float) weights[j];
    }
    return fitted;
  }

  /** Share of customers whose label the fitted model (weights then bias) predicts at 0.5. */
  public double accuracy(float[] fitted) {
    int correct = 0;
    for (int i = 0; i < rows.length; i++) {
      boolean churns = probability(fitted, rows[i]) >= 0.5;
      correct += churns == (labels[i] == 1f) ? 1 : 0;
    }
    return (double) correct / rows.length;
  }

  /** Mean log loss of the fitted model (weights then bias). */
  public double logLoss(float[] fitted) {
    double loss = 0;
    for (int i = 0; i < rows.length; i++) {
      double p = Math.min(Math.max(probability(fitted, rows[i]), 1e-12), 1 - 1e-12);
      loss -= labels[i] == 1f ? Math.log(p) : Math.log(1 - p);
    }
    return loss / rows.length;
  }

  private static double probability(float[] fitted, float[] row) {
    double z = fitted[row.length];
    for (int j = 0; j < row.length; j++) {
      z += fitted[j] * row[j];
    }
    return sigmoid(z);
  }

  private static double dot(float[] row, float[] weights) {
    double sum = 0;
    for (int j = 0; j < row.length; j++) {
      sum += row[j] * weights[j];
    }
    return sum;
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }
}
