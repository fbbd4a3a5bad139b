package dev.slipway.core.runtime.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.ModelLoadException;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelRuntime;
import dev.slipway.core.runtime.RuntimeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Loads XGBoost models saved as JSON or UBJSON ({@code .json}, {@code .ubj}; MLflow's {@code .xgb}
 * through its MLmodel file). The format is read from the bytes, not the name.
 */
public final class XGBoostModelRuntime implements ModelRuntime {
  /**
   * Made on the first XGBoost load: every model load builds the runtimes, and Jackson's start
   * (50 ms) lay on the path of a short ONNX predict job.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  @Override
  public String name() {
    return "xgboost";
  }

  @Override
  public boolean accepts(Path artifactFile) {
    String fileName = artifactFile.getFileName().toString();
    return fileName.endsWith(".json") || fileName.endsWith(".ubj");
  }

  @Override
  public Model load(Path artifactFile, RuntimeOptions options) {
    Booster booster;
    try {
      booster = XGBoost.loadModel(Files.readAllBytes(artifactFile));
    } catch (XGBoostError | IOException e) {
      throw new ModelLoadException(
          artifactFile + ": XGBoost cannot load it (expected a model saved as JSON or UBJSON): "
              + e.getMessage(), e);
    }
    try {
      booster.setParam("nthread", options.intraOpThreads());
      JsonNode learner = Json.MAPPER.readTree(booster.toByteArray("json")).path("learner");
      String objective = learner.path("objective").path("name").asText("");
      JsonNode modelParams = learner.path("learner_model_param");
      int numClass = Integer.parseInt(modelParams.path("num_class").asText("0"));
      int numFeature = Math.toIntExact(booster.getNumFeature());
      return new XGBoostModel(booster, objective, numFeature, numClass);
    } catch (XGBoostError | IOException | RuntimeException e) {
      booster.dispose();
      throw new ModelLoadException(
          artifactFile + ": cannot read the model's objective and features: " + e.getMessage(), e);
    }
  }
}
