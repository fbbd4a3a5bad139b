package dev.slipway.app.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
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
  void renderer_countsTheTimeBeforeTheBarAppeared() {
    List<String> lines = new ArrayList<>();
    ProgressBarConsumer capture = new ProgressBarConsumer() {
      @Override
      public int getMaxRenderedLength() {
        return 120;
      }

      @Override
      public void accept(String rendered) {
        lines.add(rendered);
      }

      @Override
      public void close() {}
    };
    // A bar that appears with its first 1 000 rows, ten seconds into the task.
    try (ProgressBar bar = new ProgressBarBuilder().setInitialMax(2_000)
        .startsFrom(0, Duration.ofSeconds(10)).setRenderer(new ProgressBars.RowsRenderer())
        .setConsumer(capture).build()) {
      bar.stepTo(1_000);
    }

    // At most 100 rows/s: counting from the bar's own start would have said thousands.
    assertThat(lines).last().asString().matches(".* (100|[1-9]?[0-9]) rows/s$");
  }

  @Test
  void rate_beforeAMillisecondHasPassed_isUnknown() {
    assertThat(ProgressBars.rate(10, Duration.ofNanos(900_000))).isEqualTo("? rows/s");
  }
}
