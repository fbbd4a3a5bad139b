package dev.slipway.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import dev.slipway.app.internal.Platform;
import dev.slipway.core.examples.LogisticRegressionOnnx;
import dev.slipway.registry.MlflowException;
import dev.slipway.registry.Registry;
import dev.slipway.registry.client.RegistryClient;
import dev.slipway.serving.testing.ConcurrentInference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving follows the registry: a deployment of {@code models:/m@production} switches versions
 * when the alias moves, under concurrent REST and gRPC load, without a failed request; a version
 * that fails to load leaves the previous one serving.
 */
class RegistryServingTest {
  private static final float[] ROW = {1f, 2f};
  private static final float[][] WEIGHTS = {{0.5f, -0.25f}, {1f, 1f}};
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;
  @TempDir Path staging;

  private static double expected(long version) {
    float[] w = WEIGHTS[(int) version - 1];
    return 1 / (1 + Math.exp(-(ROW[0] * w[0] + ROW[1] * w[1])));
  }

  private Path modelFile(int index) throws Exception {
    Path file = staging.resolve("v" + index).resolve("model.onnx");
    LogisticRegressionOnnx.write(file, WEIGHTS[index], 0f);
    // Version 2 brings its own serving config: requests to it go through dynamic batching.
    if (index == 1) {
      Files.writeString(file.resolveSibling("config.yaml"),
          "max_batch_size: 8\nmax_queue_delay_microseconds: 100\n");
    }
    return file.getParent();
  }

  private static ObjectNode accuracyCheck(double value) {
    return JSON.createObjectNode().put("check_name", "accuracy-floor").put("kind", "threshold")
        .put("metric", "accuracy").put("value", value).put("comparator", ">=")
        .put("threshold", 0.8);
  }

  @Test
  void aliasMove_switchesServedVersionUnderLoad_andFailedLoadKeepsServing() throws Exception {
    Platform.Options options = AppTesting.options(dataDir);
    options.pollSeconds = 1;
    try (Platform platform = Platform.serve(Registry.open(options.registryConfig()), options,
        null, Map.of("m", "models:/m@production"))) {
      RegistryClient client = RegistryClient.of(platform.baseUrl(), "alice");
      client.register(modelFile(0), "m", null);
      client.register(modelFile(1), "m", null);

      // The gate: no passing validation, no production alias.
      client.recordValidation("m", "1", accuracyCheck(0.7));
      MlflowException refused = org.junit.jupiter.api.Assertions.assertThrows(
          MlflowException.class, () -> client.setAlias("m", "1", "production"));
      assertThat(refused.getMessage()).contains("accuracy");
      client.recordValidation("m", "1", accuracyCheck(0.9));
      client.setAlias("m", "1", "production");
      await().atMost(Duration.ofSeconds(15)).until(() -> ready(platform, "m"));

      try (ConcurrentInference load = new ConcurrentInference(platform.baseUrl(), "m",
          LogisticRegressionOnnx.INPUT, ROW, RegistryServingTest::expected).start()) {
        awaitAnswers(platform, load, 1, 50);
        client.recordValidation("m", "2", accuracyCheck(0.95));
        client.setAlias("m", "2", "production");
        awaitAnswers(platform, load, 2, 50);

        // Version 3's artifact is broken: serving records why and keeps version 2.
        Path broken = Files.createDirectories(staging.resolve("broken"));
        Files.writeString(broken.resolve("model.onnx"), "not a model");
        client.register(broken, "m", null);
        client.recordValidation("m", "3", accuracyCheck(0.99));
        client.setAlias("m", "3", "production");
        await().atMost(Duration.ofSeconds(15)).until(() -> index(platform).toString()
            .contains("\"version\":\"3\",\"state\":\"UNAVAILABLE\""));
        awaitAnswers(platform, load, 2, load.answersFrom(2) + 50);
        load.stop();

        assertThat(load.failures()).as("failed requests").isEmpty();
        assertThat(load.wrongValues()).isZero();
        assertThat(load.answers().keySet()).containsOnly("1", "2");
      }
      String metrics = WebClient.of(platform.baseUrl()).get("/metrics").aggregate().join()
          .contentUtf8();
      assertThat(metrics).containsPattern("slipway_batch_size_count\\{[^}]*model=\"m\""
          + "[^}]*version=\"2\"[^}]*\\} [1-9]");
      JsonNode history = JSON.valueToTree(client.history("m"));
      assertThat(history.toString()).contains("\"actor\":\"alice\"")
          .contains("\"subject\":\"production\"");
    }
  }

  /** Waits for answers from a version; on time-out, says what the server and clients saw. */
  private static void awaitAnswers(Platform platform, ConcurrentInference load, long version,
      long atLeast) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> load.answersFrom(version) >= atLeast);
    } catch (RuntimeException e) {
      throw new AssertionError("no " + atLeast + " answers from version " + version
          + ": answers " + load.answers() + ", failures " + load.failures().stream().limit(3)
          .toList() + ", index " + index(platform), e);
    }
  }

  private static boolean ready(Platform platform, String model) {
    return WebClient.of(platform.baseUrl()).get("/v2/models/" + model + "/ready").aggregate()
        .join().status().code() == 200;
  }

  private static JsonNode index(Platform platform) throws Exception {
    return JSON.readTree(WebClient.of(platform.baseUrl())
        .execute(RequestHeaders.of(HttpMethod.POST, "/v2/repository/index")).aggregate().join()
        .contentUtf8());
  }
}
