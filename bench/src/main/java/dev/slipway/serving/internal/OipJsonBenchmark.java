package dev.slipway.serving.internal;

import dev.slipway.bench.Fixtures;
import dev.slipway.bench.InputRow;
import dev.slipway.core.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Slipway's REST binding spends on JSON for one bc_mlp row: decoding the request body into
 * tensors and encoding the answer. It lives in the serving package because {@link OipJson} is
 * package-private there; a class path (no module system) lets a benchmark join the package
 * without widening production visibility.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OipJsonBenchmark {
  private byte[] requestBody;
  private InferenceService.Result answer;

  @Setup
  public void setUp() {
    InputRow row = InputRow.read(Fixtures.path("breast_cancer.csv"), 0);
    requestBody = row.restJson().getBytes(StandardCharsets.UTF_8);
    // What bc_mlp answers for one row: two class probabilities.
    answer = new InferenceService.Result("bc", 1, List.of(Tensor.ofFloats(
        "probabilities", new long[] {1, 2}, new float[] {3.7252903E-9f, 1.0f})));
  }

  @Benchmark
  public OipJson.InferRequest decodeRequest() throws IOException {
    return OipJson.readInferRequest(requestBody);
  }

  @Benchmark
  public byte[] encodeResponse() {
    return OipJson.writeInferResponse(null, answer);
  }

  @Benchmark
  public byte[] decodeAndEncode() throws IOException {
    OipJson.InferRequest request = OipJson.readInferRequest(requestBody);
    return OipJson.writeInferResponse(request.id(), answer);
  }
}
