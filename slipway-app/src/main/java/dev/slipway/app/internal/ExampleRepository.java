package dev.slipway.app.internal;

import dev.slipway.core.examples.ChurnExample;
import dev.slipway.core.examples.LogisticRegressionOnnx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The quickstart's model repository: a churn model fitted on generated customers (seeded, so the
 * same everywhere, no download) and written as a real ONNX graph, with dynamic batching on.
 */
public final class ExampleRepository {
  public static final String MODEL = "churn";
  private static final long SEED = 42;

  private ExampleRepository() {}

  /** Writes {@code repository/churn/1/model.onnx} and its config; returns the fitted weights. */
  public static float[] write(Path repository) throws IOException {
    ChurnExample customers = ChurnExample.generate(5_000, SEED);
    float[] fitted = customers.fit(400, 0.5);
    float[] weights = Arrays.copyOf(fitted, ChurnExample.FEATURES.length);
    float bias = fitted[ChurnExample.FEATURES.length];
    Path model = repository.resolve(MODEL);
    LogisticRegressionOnnx.write(model.resolve("1").resolve("model.onnx"), weights, bias);
    Files.writeString(model.resolve("config.yaml"), String.join("\n",
        "# Dynamic batching: concurrent requests share one ONNX Runtime call.",
        "max_batch_size: 32",
        "max_queue_delay_microseconds: 500",
        ""));
    return fitted;
  }
}
