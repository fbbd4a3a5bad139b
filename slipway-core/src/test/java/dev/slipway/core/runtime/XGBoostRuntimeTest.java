package dev.slipway.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.core.DataType;
import dev.slipway.core.Tensor;
import dev.slipway.core.TensorSpec;
import dev.slipway.core.testing.Fixtures;
import dev.slipway.core.testing.XGBoostModels;
import java.nio.file.Path;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class XGBoostRuntimeTest {
  private final ModelLoader loader = ModelLoader.withInstalledRuntimes();

  @ParameterizedTest
  @ValueSource(strings = {"model.json", "model.ubj"})
  void classifier_scoresAsXgboostDoes(String fileName, @TempDir Path folder) throws Exception {
    Booster booster = XGBoostModels.trainBreastCancerClassifier();
    XGBoostModels.save(booster, folder.resolve(fileName));
    float[][] rows = Fixtures.breastCancerFeatures();
    DMatrix matrix = new DMatrix(Fixtures.flatten(rows), rows.length, 30, Float.NaN);
    float[][] expected = booster.predict(matrix);
    matrix.dispose();

    try (Model model = loader.load(folder, RuntimeOptions.DEFAULT)) {
      assertThat(model.signature().anyInputName()).isTrue();
      assertThat(model.signature().outputs()).containsExactly(
          new TensorSpec("predict", DataType.INT64, new long[] {-1}),
          new TensorSpec("predict_proba", DataType.FP32, new long[] {-1, 2}));
      Tensor input = Tensor.ofFloats("input", new long[] {rows.length, 30}, Fixtures.flatten(rows));
      List<Tensor> outputs = model.predict(List.of(input));
      long[] labels = (long[]) outputs.get(0).data();
      float[] probabilities = outputs.get(1).floats();
      for (int row = 0; row < rows.length; row++) {
        assertThat(probabilities[row * 2 + 1]).isEqualTo(expected[row][0]);
        assertThat(probabilities[row * 2]).isCloseTo(1 - expected[row][0], within(1e-7f));
        assertThat(labels[row]).isEqualTo(expected[row][0] > 0.5f ? 1L : 0L);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"model.json", "model.ubj"})
  void regressor_outputsPredictOnly(String fileName, @TempDir Path folder) throws Exception {
    Booster booster = XGBoostModels.trainBreastCancerRegressor();
    Path file = XGBoostModels.save(booster, folder.resolve(fileName));
    float[][] rows = Fixtures.breastCancerFeatures();
    DMatrix matrix = new DMatrix(Fixtures.flatten(rows), rows.length, 30, Float.NaN);
    float[][] expected = booster.predict(matrix);
    matrix.dispose();

    try (Model model = loader.load(file, RuntimeOptions.DEFAULT)) {
      assertThat(model.signature().outputNames()).containsExactly("predict");
      Tensor input = Tensor.ofFloats("x", new long[] {rows.length, 30}, Fixtures.flatten(rows));
      float[] values = model.predict(List.of(input)).get(0).floats();
      for (int row = 0; row < rows.length; row++) {
        assertThat(values[row]).isEqualTo(expected[row][0]);
      }
    }
  }
}
