package dev.slipway.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The models and data in the repository's {@code fixtures/} folder, exported by real frameworks. */
public final class Fixtures {
  private Fixtures() {}

  public static Path path(String name) {
    String root = System.getProperty("slipway.fixtures", "fixtures");
    Path file = Path.of(root, name);
    if (!Files.exists(file)) {
      throw new IllegalStateException(file.toAbsolutePath() + " missing: run tests through Maven"
          + " from the repository root, which sets -Dslipway.fixtures");
    }
    return file;
  }

  /** breast_cancer.csv as 569 rows of 30 raw features, in CSV column order. */
  public static float[][] breastCancerFeatures() {
    List<String> lines = lines("breast_cancer.csv");
    float[][] rows = new float[lines.size() - 1][];
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",");
      rows[i - 1] = new float[30];
      for (int j = 0; j < 30; j++) {
        rows[i - 1][j] = Float.parseFloat(cells[j]);
      }
    }
    return rows;
  }

  /** breast_cancer.csv's labels (1 benign, 0 malignant). */
  public static float[] breastCancerLabels() {
    List<String> lines = lines("breast_cancer.csv");
    float[] labels = new float[lines.size() - 1];
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",");
      labels[i - 1] = Float.parseFloat(cells[30]);
    }
    return labels;
  }

  /** PyTorch's probability of class 1 for each breast-cancer row ({@code mlp_p1}). */
  public static double[] breastCancerReferenceP1() {
    List<String> lines = lines("bc_reference.csv");
    double[] p1 = new double[lines.size() - 1];
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",");
      p1[Integer.parseInt(cells[0])] = Double.parseDouble(cells[2]);
    }
    return p1;
  }

  /** Flattens rows into one row-major array. */
  public static float[] flatten(float[][] rows) {
    int width = rows[0].length;
    float[] flat = new float[rows.length * width];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * width, width);
    }
    return flat;
  }

  private static List<String> lines(String name) {
    try {
      return Files.readAllLines(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
