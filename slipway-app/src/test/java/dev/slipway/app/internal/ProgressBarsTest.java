package dev.slipway.app.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressBarsTest {
  @Test
  void rate_countsTheElapsedMilliseconds() {
    // Whole seconds would have said 3,400,000 rows/s here.
    assertThat(ProgressBars.rate(3_400_000, Duration.ofMillis(1_500)))
        .isEqualTo("2,266,667 rows/s");
    assertThat(ProgressBars.rate(569, Duration.ofMillis(15))).isEqualTo("37,933 rows/s");
  }

  @Test
  void rate_beforeAMillisecondHasPassed_isUnknown() {
    assertThat(ProgressBars.rate(10, Duration.ofNanos(900_000))).isEqualTo("? rows/s");
  }
}
