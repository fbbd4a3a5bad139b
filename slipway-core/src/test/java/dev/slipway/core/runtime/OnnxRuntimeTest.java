package dev.slipway.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.core.DataType;
import dev.slipway.core.ModelLoadException;
import dev.slipway.core.Tensor;
import dev.slipway.core.TensorSpec;
import dev.slipway.core.examples.LogisticRegressionOnnx;
import dev.slipway.core.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeTest {
  private final ModelLoader loader = ModelLoader.withInstalledRuntimes();

  @Test
  void load_pytorchExport_describesSignatureFromGraph() {
    try (Model model = loader.load(Fixtures.path("bc_mlp.onnx"), RuntimeOptions.DEFAULT)) {
      assertThat(model.signature().inputs())
          .containsExactly(new TensorSpec("input", DataType.FP32, new long[] {-1, 30}));
      assertThat(model.signature().outputs())
          .containsExactly(new TensorSpec("probabilities", DataType.FP32, new long[] {-1, 2}));
    }
  }

  @Test
  void predict_allRowsInOneBatch_matchesPytorchReference() {
    float[][] rows = Fixtures.breastCancerFeatures();
    double[] reference = Fixtures.breastCancerReferenceP1();
    try (Model model = loader.load(Fixtures.path("bc_mlp.onnx"), RuntimeOptions.DEFAULT)) {
      Tensor input = Tensor.ofFloats("input", new long[] {rows.length, 30}, Fixtures.flatten(rows));
      float[] probabilities = model.predict(List.of(input)).get(0).floats();
      assertThat(probabilities).hasSize(rows.length * 2);
      for (int row = 0; row < rows.length; row++) {
        assertThat((double) probabilities[row * 2 + 1]).as("row %d", row)
            .isCloseTo(reference[row], within(1e-5));
      }
    }
  }

  @Test
  void load_folderWithOneArtifact_picksIt(@TempDir Path folder) throws Exception {
    LogisticRegressionOnnx.write(folder.resolve("model.onnx"), new float[] {1f, -1f}, 0.5f);
    try (Model model = loader.load(folder, RuntimeOptions.DEFAULT)) {
      Tensor input = Tensor.ofFloats("features", new long[] {1, 2}, new float[] {2f, 1f});
      float probability = model.predict(List.of(input)).get(0).floats()[0];
      assertThat((double) probability).isCloseTo(1 / (1 + Math.exp(-1.5)), within(1e-6));
    }
  }

  @Test
  void load_folderWithoutArtifact_namesFolderAndExpectation(@TempDir Path folder) {
    assertThatThrownBy(() -> loader.load(folder, RuntimeOptions.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(folder.toString())
        .hasMessageContaining("expected exactly one of model.onnx");
  }

  @Test
  void load_corruptOnnx_namesFile(@TempDir Path folder) throws Exception {
    Path file = Files.writeString(folder.resolve("model.onnx"), "not a model");
    assertThatThrownBy(() -> loader.load(file, RuntimeOptions.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(file.toString());
  }
}
