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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
  void predict_batchSizesChangingOnManyThreads_eachCallMatchesReference() throws Exception {
    // Each thread reuses its native input and output tensors while the shape stays and makes
    // new ones when it changes: interleaved sizes on four threads must never mix calls up.
    float[][] rows = Fixtures.breastCancerFeatures();
    double[] reference = Fixtures.breastCancerReferenceP1();
    int[] sizes = {1, 1, 7, 32, 1, 569, 32, 2};
    try (Model model = loader.load(Fixtures.path("bc_mlp.onnx"), RuntimeOptions.DEFAULT)) {
      ExecutorService threads = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> calls = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int offset = t * 13;
          calls.add(threads.submit(() -> {
            for (int round = 0; round < 50; round++) {
              int size = sizes[(round + offset) % sizes.length];
              int first = (round * 31 + offset) % (rows.length - size + 1);
              float[][] batch = Arrays.copyOfRange(rows, first, first + size);
              Tensor output = model.predict(List.of(Tensor.ofFloats("input",
                  new long[] {size, 30}, Fixtures.flatten(batch)))).get(0);
              assertThat(output.shape()).containsExactly(size, 2);
              for (int row = 0; row < size; row++) {
                assertThat((double) output.floats()[row * 2 + 1])
                    .as("row %d, batch of %d", first + row, size)
                    .isCloseTo(reference[first + row], within(1e-5));
              }
            }
          }));
        }
        for (Future<?> call : calls) {
          call.get(60, TimeUnit.SECONDS);
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void predict_outputNamedLikeBatchButLarger_stillScoresIt(@TempDir Path folder)
      throws Exception {
    // Concat of the input with itself along rows: the graph declares the output [batch, 2]
    // while it is [2 * batch, 2], so an output buffer sized by the request's batch is wrong.
    Path file = folder.resolve("doubled.onnx");
    Files.write(file, TestGraphs.concatWithItself("batch"));
    try (Model model = loader.load(file, RuntimeOptions.DEFAULT)) {
      for (int call = 0; call < 3; call++) {
        Tensor output = model.predict(List.of(Tensor.ofFloats(TestGraphs.INPUT,
            new long[] {2, 2}, new float[] {1, 2, 3, 4}))).get(0);
        assertThat(output.shape()).containsExactly(4, 2);
        assertThat(output.floats()).containsExactly(1, 2, 3, 4, 1, 2, 3, 4);
      }
    }
  }

  @Test
  void predict_outputWithUnnamedDimension_scoresIt(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("doubled.onnx");
    Files.write(file, TestGraphs.concatWithItself(""));
    try (Model model = loader.load(file, RuntimeOptions.DEFAULT)) {
      Tensor output = model.predict(List.of(Tensor.ofFloats(TestGraphs.INPUT,
          new long[] {1, 2}, new float[] {5, 6}))).get(0);
      assertThat(output.floats()).containsExactly(5, 6, 5, 6);
    }
  }

  @Test
  void predict_int64OutputSizedByBatch_returnsIndices(@TempDir Path folder) throws Exception {
    Path file = folder.resolve("argmax.onnx");
    Files.write(file, TestGraphs.argMaxOfRows());
    try (Model model = loader.load(file, RuntimeOptions.DEFAULT)) {
      for (int call = 0; call < 2; call++) {
        Tensor output = model.predict(List.of(Tensor.ofFloats(TestGraphs.INPUT,
            new long[] {3, 2}, new float[] {0, 1, 9, 2, call, 0.5f}))).get(0);
        assertThat(output.dataType()).isEqualTo(DataType.INT64);
        assertThat(output.shape()).containsExactly(3, 1);
        assertThat((long[]) output.data()).containsExactly(1L, 0L, call == 0 ? 1L : 0L);
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
