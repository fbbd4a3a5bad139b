package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.slipway.core.examples.LogisticRegressionOnnx;
import dev.slipway.serving.testing.ConcurrentInference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new version takes traffic only once loaded and warmed, the old one retires after its last
 * request, and nothing fails on the way, over REST and gRPC at once.
 */
class HotReloadTest {
  private static final float[] FEATURES = {1f, 2f};
  // sigmoid(1*w0 + 2*w1 + b) differs per version, so answers show which version scored them.
  private static final float[][] WEIGHTS = {{0.5f, -0.25f}, {1f, 1f}, {-1f, 0.5f}};

  @TempDir Path repository;

  private void writeVersion(int version) throws Exception {
    LogisticRegressionOnnx.write(repository.resolve("m").resolve(Integer.toString(version))
        .resolve("model.onnx"), WEIGHTS[version - 1], 0f);
  }

  private static ConcurrentInference startLoad(ServingFixture fixture) {
    return new ConcurrentInference("http://127.0.0.1:" + fixture.server.port(), "m", "features",
        FEATURES, HotReloadTest::expected).start();
  }

  private static double expected(long version) {
    float[] w = WEIGHTS[(int) version - 1];
    return 1 / (1 + Math.exp(-(FEATURES[0] * w[0] + FEATURES[1] * w[1])));
  }

  @Test
  void reloadUnderConcurrentLoad_failsNoRequest_andSwitchesVersion() throws Exception {
    writeVersion(1);
    try (ServingFixture fixture = ServingFixture.start(repository)) {
      ConcurrentInference load = startLoad(fixture);
      await().atMost(Duration.ofSeconds(10)).until(() -> load.answersFrom(1) > 50);

      writeVersion(2);
      AggregatedHttpResponse loaded = fixture.post("/v2/repository/models/m/load", "");
      assertThat(loaded.status().code()).as(loaded.contentUtf8()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> load.answersFrom(2) > 50);

      deleteVersion(1);
      assertThat(fixture.post("/v2/repository/models/m/load", "").status().code())
          .isEqualTo(200);
      long afterUnload = load.answersFrom(2);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> load.answersFrom(2) > afterUnload + 50);
      load.stop();

      assertThat(load.failures()).as("failed requests").isEmpty();
      assertThat(load.wrongValues()).as("answers not matching their version").isZero();
      JsonNode metadata = ServingFixture.json(fixture.get("/v2/models/m"));
      assertThat(metadata.path("versions").toString()).isEqualTo("[\"2\"]");
      assertThat(fixture.get("/v2/models/m/versions/1/ready").status().code()).isEqualTo(404);
    }
  }

  @Test
  void failedLoad_keepsServingPreviousVersion_andReportsWhy() throws Exception {
    writeVersion(1);
    try (ServingFixture fixture = ServingFixture.start(repository)) {
      ConcurrentInference load = startLoad(fixture);
      await().atMost(Duration.ofSeconds(10)).until(() -> load.answersFrom(1) > 50);

      Path broken = Files.createDirectories(repository.resolve("m").resolve("3"));
      Files.writeString(broken.resolve("model.onnx"), "truncated upload");
      AggregatedHttpResponse loaded = fixture.post("/v2/repository/models/m/load", "");
      long before = load.answersFrom(1);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> load.answersFrom(1) > before + 50);
      load.stop();

      RestInferenceTest.assertError(loaded, 400, "version 3");
      assertThat(load.failures()).isEmpty();
      assertThat(load.answers().keySet()).containsExactly("1");
      JsonNode index = ServingFixture.json(fixture.post("/v2/repository/index", ""));
      assertThat(index.toString()).contains("\"version\":\"3\",\"state\":\"UNAVAILABLE\"")
          .contains(broken.resolve("model.onnx").toString());
    }
  }

  @Test
  void onlyOfferedVersionBroken_keepsPreviousVersionServing() throws Exception {
    writeVersion(1);
    try (ServingFixture fixture = ServingFixture.start(repository)) {
      Path broken = Files.createDirectories(repository.resolve("m").resolve("2"));
      Files.writeString(broken.resolve("model.onnx"), "truncated upload");
      deleteVersion(1);

      RestInferenceTest.assertError(fixture.post("/v2/repository/models/m/load", ""), 400,
          "kept version(s) [1] serving");
      AggregatedHttpResponse answer = fixture.post("/v2/models/m/infer", restBody());
      assertThat(answer.status().code()).isEqualTo(200);
      assertThat(ServingFixture.json(answer).path("model_version").asText()).isEqualTo("1");
    }
  }

  @Test
  void polling_picksUpNewVersionAndRemovedModel() throws Exception {
    writeVersion(1);
    try (ServingFixture fixture = ServingFixture.start(repository, Duration.ofMillis(100))) {
      writeVersion(2);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          ServingFixture.json(fixture.get("/v2/models/m")).path("versions").size() == 2);
      deleteVersion(1);
      deleteVersion(2);
      Files.delete(repository.resolve("m"));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> fixture.get("/v2/models/m").status().code() == 404);
    }
  }

  @Test
  void unload_stopsServing_untilLoadedAgain() throws Exception {
    writeVersion(1);
    try (ServingFixture fixture = ServingFixture.start(repository, Duration.ofMillis(100))) {
      assertThat(fixture.post("/v2/repository/models/m/unload", "").status().code())
          .isEqualTo(200);
      RestInferenceTest.assertError(fixture.post("/v2/models/m/infer", restBody()), 404,
          "model 'm' is not loaded");
      // Polling must not bring an explicitly unloaded model back.
      fixture.server.models().poll();
      assertThat(fixture.get("/v2/models/m").status().code()).isEqualTo(404);
      assertThat(fixture.post("/v2/repository/models/m/load", "").status().code())
          .isEqualTo(200);
      assertThat(fixture.post("/v2/models/m/infer", restBody()).status().code()).isEqualTo(200);
      RestInferenceTest.assertError(fixture.post("/v2/repository/models/.hidden/load", ""),
          400, "model name");
      RestInferenceTest.assertError(fixture.post("/v2/repository/models/absent/load", ""),
          404, "is not in the repository");
    }
  }

  private void deleteVersion(int version) throws Exception {
    Path folder = repository.resolve("m").resolve(Integer.toString(version));
    try (var files = Files.walk(folder)) {
      for (Path path : files.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.delete(path);
      }
    }
  }

  private static String restBody() {
    return "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,2],"
        + "\"data\":[" + FEATURES[0] + "," + FEATURES[1] + "]}]}";
  }
}
