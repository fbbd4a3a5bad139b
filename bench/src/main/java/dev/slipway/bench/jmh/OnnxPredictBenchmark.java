package dev.slipway.bench.jmh;

import dev.slipway.bench.Fixtures;
import dev.slipway.bench.InputRow;
import dev.slipway.core.Tensor;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.core.runtime.RuntimeOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One ONNX Runtime call through Slipway's {@link ModelLoader} and {@link Model#predict}, with the
 * serving default of one intra-op and one inter-op thread: the cost a request pays for scoring
 * alone, and for big_mlp how much a batch of 32 saves per row (what dynamic batching can win).
 * Rows per second = batch / (µs per op) * 1e6.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OnnxPredictBenchmark {
  /** Model fixture and batch size; each fixture's rows come from its own input CSV. */
  @Param({"bc_mlp:1", "big_mlp:1", "big_mlp:32"})
  public String modelAndBatch;

  private Model model;
  private List<Tensor> inputs;

  @Setup
  public void setUp() {
    String[] parts = modelAndBatch.split(":");
    String fixture = parts[0];
    int batch = Integer.parseInt(parts[1]);
    String csv = fixture.equals("bc_mlp") ? "breast_cancer.csv" : "big_inputs.csv";
    float[] first = InputRow.read(Fixtures.path(csv), 0).values();
    int width = first.length;
    float[] data = new float[batch * width];
    for (int i = 0; i < batch; i++) {
      // Distinct real rows, so the runtime does not see one row repeated.
      System.arraycopy(InputRow.read(Fixtures.path(csv), i).values(), 0, data, i * width, width);
    }
    model = ModelLoader.withInstalledRuntimes()
        .load(Fixtures.path(fixture + ".onnx"), RuntimeOptions.DEFAULT);
    inputs = model.signature().conform(List.of(
        Tensor.ofFloats(InputRow.INPUT_NAME, new long[] {batch, width}, data)));
  }

  @Benchmark
  public List<Tensor> predict() {
    return model.predict(inputs);
  }

  @TearDown
  public void tearDown() {
    model.close();
  }
}
