package dev.slipway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QuickstartCommandTest {
  @Test
  void quickstart_noWait_servesScoresAndExitsZero(@TempDir Path dir) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SlipwayCli.newCommandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));

    int exitCode = cli.execute("quickstart", "--no-wait", "--port", "0", "--dir", dir.toString());

    assertThat(exitCode).as(err.toString()).isZero();
    assertThat(Files.isRegularFile(dir.resolve("artifacts/models/churn/1/model.onnx"))).isTrue();
    assertThat(out.toString()).contains("alias production -> version 1");
    Matcher rest = Pattern.compile("REST .* churn probability (0\\.\\d{4})").matcher(out.toString());
    Matcher grpc = Pattern.compile("gRPC .* churn probability (0\\.\\d{4})").matcher(out.toString());
    assertThat(rest.find()).as(out.toString()).isTrue();
    assertThat(grpc.find()).as(out.toString()).isTrue();
    assertThat(rest.group(1)).isEqualTo(grpc.group(1));
    // A customer with short tenure, high charges and many support calls is likely to churn.
    assertThat(Double.parseDouble(rest.group(1))).isGreaterThan(0.5);
    assertThat(out.toString()).contains("curl -s -X POST").contains("server stopped")
        .containsPattern("By entity: .* churn probability 0\\.\\d{4}")
        .contains("materialized the latest of 2 snapshots for 1000 customers");
  }

  @Test
  void serve_missingRepository_namesTheFolderAndExitsTwo(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    CommandLine cli = SlipwayCli.newCommandLine();
    cli.setErr(new PrintWriter(err));

    int exitCode = cli.execute("serve", "--model-repository", dir.resolve("nope").toString());

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("--model-repository").contains("nope: no such folder");
  }
}
