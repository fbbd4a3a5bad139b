package dev.slipway.app;

import static dev.slipway.app.AppTesting.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.app.AppTesting.Result;
import dev.slipway.app.internal.Platform;
import dev.slipway.core.examples.LogisticRegressionOnnx;
import dev.slipway.registry.Registry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway models ...} against a running server, as a user types it. */
class ModelsCommandTest {
  @TempDir Path dataDir;
  @TempDir Path staging;


  @Test
  void registerListShowPromoteHistory() throws Exception {
    Platform.Options options = AppTesting.options(dataDir);
    Path model = staging.resolve("model.onnx");
    LogisticRegressionOnnx.write(model, new float[] {1f, 2f}, 0f);
    try (Platform platform = Platform.serve(Registry.open(options.registryConfig()), options,
        null, Map.of())) {
      String url = platform.baseUrl();

      Result registered = run("models", "register", model.toString(), "--name", "fraud",
          "--url", url, "--user", "bob");
      assertThat(registered.exitCode()).as(registered.err()).isZero();
      assertThat(registered.out()).contains("Registered fraud version 1");

      Result refused = run("models", "promote", "fraud", "1", "--alias", "production",
          "--url", url, "--user", "bob");
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.err()).contains("error:").doesNotContain("Exception\n\tat");

      Result staged = run("models", "promote", "fraud", "1", "--stage", "Staging",
          "--url", url, "--user", "bob");
      assertThat(staged.exitCode()).as(staged.err()).isZero();
      Result aliased = run("models", "promote", "fraud", "1", "--alias", "challenger",
          "--url", url, "--user", "bob");
      assertThat(aliased.exitCode()).as(aliased.err()).isZero();

      assertThat(run("models", "list", "--url", url).out()).contains("fraud")
          .contains("challenger=v1");
      assertThat(run("models", "show", "fraud", "--url", url).out()).contains("Staging")
          .contains("challenger");
      Result history = run("models", "history", "fraud", "--url", url);
      assertThat(history.out()).contains("bob").contains("STAGE").contains("challenger");

      com.linecorp.armeria.common.AggregatedHttpResponse wrongEndpoint =
          com.linecorp.armeria.client.WebClient.of(url).get("/api/2.0/mlflow/no-such-call")
              .aggregate().join();
      assertThat(wrongEndpoint.status().code()).isEqualTo(404);
      assertThat(wrongEndpoint.contentUtf8()).contains("\"error_code\":\"ENDPOINT_NOT_FOUND\"");

      Result unknown = run("models", "show", "nope", "--url", url);
      assertThat(unknown.exitCode()).isEqualTo(1);
      assertThat(unknown.err()).contains("nope");
    }
  }

  @Test
  void urlWithoutScheme_isAUsageErrorNotAStackTrace() {
    for (String[] args : new String[][] {{"models", "list", "--url", "127.0.0.1:8080"},
        {"pipeline", "run", "nightly", "--url", "notaurl"}}) {
      Result result = run(args);
      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err()).contains("is not a server URL (expected http://HOST:PORT")
          .doesNotContain("Exception");
    }
  }

  @Test
  void promote_needsAliasOrStage() {
    Result result = run("models", "promote", "fraud", "1");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--alias").contains("--stage");
  }
}
