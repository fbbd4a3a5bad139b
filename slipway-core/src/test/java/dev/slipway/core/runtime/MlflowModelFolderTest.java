package dev.slipway.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.DataType;
import dev.slipway.core.ModelLoadException;
import dev.slipway.core.TensorSpec;
import dev.slipway.core.testing.Fixtures;
import dev.slipway.core.testing.XGBoostModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowModelFolderTest {
  private final ModelLoader loader = ModelLoader.withInstalledRuntimes();

  @Test
  void onnxFlavor_loadsDataFileAndKeepsGraphSignature(@TempDir Path folder) throws Exception {
    Files.copy(Fixtures.path("bc_mlp.onnx"), folder.resolve("model.onnx"));
    Files.writeString(folder.resolve("MLmodel"), """
        artifact_path: model
        flavors:
          python_function:
            loader_module: mlflow.onnx
          onnx:
            data: model.onnx
            onnx_version: 1.12.0
        signature:
          inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 30]}}]'
          outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 2]}}]'
        """);
    try (Model model = loader.load(folder, RuntimeOptions.DEFAULT)) {
      assertThat(model.signature().inputs())
          .containsExactly(new TensorSpec("input", DataType.FP32, new long[] {-1, 30}));
    }
  }

  @Test
  void xgboostFlavor_takesInputNameFromSignature(@TempDir Path folder) throws Exception {
    XGBoostModels.save(XGBoostModels.trainBreastCancerClassifier(), folder.resolve("model.xgb"));
    Files.writeString(folder.resolve("MLmodel"), """
        flavors:
          xgboost:
            data: model.xgb
            model_format: xgb
        signature:
          inputs: '[{"type": "tensor", "name": "cells", "tensor-spec": {"dtype": "float32", "shape": [-1, 30]}}]'
        """);
    try (Model model = loader.load(folder, RuntimeOptions.DEFAULT)) {
      assertThat(model.signature().inputNames()).containsExactly("cells");
    }
  }

  @Test
  void signatureContradictingArtifact_isRefusedWithReason(@TempDir Path folder) throws Exception {
    Files.copy(Fixtures.path("bc_mlp.onnx"), folder.resolve("model.onnx"));
    Files.writeString(folder.resolve("MLmodel"), """
        flavors:
          onnx:
            data: model.onnx
        signature:
          inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 31]}}]'
        """);
    assertThatThrownBy(() -> loader.load(folder, RuntimeOptions.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("MLmodel")
        .hasMessageContaining("[-1, 31]");
  }

  @Test
  void dataOutsideFolder_isRefused(@TempDir Path folder) throws Exception {
    Files.writeString(folder.resolve("MLmodel"), """
        flavors:
          onnx:
            data: ../../etc/passwd
        """);
    assertThatThrownBy(() -> loader.load(folder, RuntimeOptions.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("inside the model folder");
  }
}
