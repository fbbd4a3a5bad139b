package dev.slipway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartCommandTest {
  @Test
  void quickstart_noWait_servesScoresAndExitsZero(@TempDir Path dir) {
    AppTesting.Result result =
        AppTesting.run("quickstart", "--no-wait", "--port", "0", "--dir", dir.toString());
    String out = result.out();

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(Files.isRegularFile(dir.resolve("artifacts/models/churn/1/model.onnx"))).isTrue();
    assertThat(out).contains("alias production -> version 1");
    Matcher rest = Pattern.compile("REST .* churn probability (0\\.\\d{4})").matcher(out);
    Matcher grpc = Pattern.compile("gRPC .* churn probability (0\\.\\d{4})").matcher(out);
    assertThat(rest.find()).as(out).isTrue();
    assertThat(grpc.find()).as(out).isTrue();
    assertThat(rest.group(1)).isEqualTo(grpc.group(1));
    // A customer with short tenure, high charges and many support calls is likely to churn.
    assertThat(Double.parseDouble(rest.group(1))).isGreaterThan(0.5);
    assertThat(out).contains("curl -s -X POST").contains("server stopped")
        .containsPattern("By entity: .* churn probability 0\\.\\d{4}")
        .contains("materialized the latest of 2 snapshots for 1000 customers")
        .contains("pipeline churn_nightly (cron 0 2 * * *) ran once: 1000 customers scored")
        .containsPattern("GET /v1/scores/churn/42 +-> precomputed")
        .containsPattern("GET /v1/scores/churn/5001 +-> inline")
        .containsPattern("GET /v1/scores/churn/999999 -> baseline");
  }

  @Test
  void serve_missingRepository_namesTheFolderAndExitsTwo(@TempDir Path dir) {
    AppTesting.Result result =
        AppTesting.run("serve", "--model-repository", dir.resolve("nope").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--model-repository").contains("nope: no such folder");
  }
}
