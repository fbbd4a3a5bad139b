package dev.slipway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServeCommandTest {
  @TempDir Path dataDir;

  @ParameterizedTest
  @CsvSource({
      "--port, 99999, --port 99999: expected 0-65535",
      "--port, -1, --port -1: expected 0-65535",
      "--max-request-bytes, -1, --max-request-bytes -1: expected at least 1024",
      "--poll-seconds, -5, --poll-seconds -5: expected 0 (no polling) or more",
      "--host, 999.1.1.1, --host 999.1.1.1: cannot be resolved"})
  void badServerOption_isAUsageErrorNamingIt(String option, String value, String message) {
    AppTesting.Result result = AppTesting.run("serve", "--data-dir", dataDir.toString(),
        option, value);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).startsWith(message).doesNotContain("Exception", "\tat ");
  }
}
