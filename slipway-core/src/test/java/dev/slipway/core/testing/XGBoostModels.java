package dev.slipway.core.testing;

import java.nio.file.Path;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/** Trains small real XGBoost models on the breast-cancer data for tests. */
public final class XGBoostModels {
  private XGBoostModels() {}

  /** A binary classifier ({@code binary:logistic}), 20 rounds, deterministic. */
  public static Booster trainBreastCancerClassifier() throws Exception {
    return train(Map.of("objective", "binary:logistic", "max_depth", 3, "eta", 0.3,
        "nthread", 1, "seed", 7));
  }

  /** A regressor ({@code reg:squarederror}) on the same data. */
  public static Booster trainBreastCancerRegressor() throws Exception {
    return train(Map.of("objective", "reg:squarederror", "max_depth", 3, "eta", 0.3,
        "nthread", 1, "seed", 7));
  }

  private static Booster train(Map<String, Object> params) throws Exception {
    float[][] rows = Fixtures.breastCancerFeatures();
    DMatrix data = new DMatrix(Fixtures.flatten(rows), rows.length, 30, Float.NaN);
    try {
      data.setLabel(Fixtures.breastCancerLabels());
      return XGBoost.train(data, params, 20, Map.of(), null, null);
    } finally {
      data.dispose();
    }
  }

  /** Saves in the format the file extension names (.json or .ubj). */
  public static Path save(Booster booster, Path file) throws Exception {
    java.nio.file.Files.createDirectories(file.getParent());
    booster.saveModel(file.toString());
    return file;
  }
}
