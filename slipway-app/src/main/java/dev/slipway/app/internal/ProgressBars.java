package dev.slipway.app.internal;

import java.text.DecimalFormat;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DefaultProgressBarRenderer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import me.tongfei.progressbar.ProgressState;

/** The command line's progress bars: on standard error, so output stays pipeable. */
public final class ProgressBars {
  /**
   * The bar's width when the command runs without a terminal (from a scheduler, a script, a
   * pipe): asking for the terminal's width makes JLine start shell commands, which cost a short
   * command 65 ms.
   */
  private static final int WIDTH_WITHOUT_TERMINAL = 100;
  private static final String UNIT = " rows";
  private static final String RATE_PATTERN = "#,##0";

  private ProgressBars() {}

  /** A bar counting rows with their rate; its total is unknown until {@code maxHint}. */
  public static ProgressBar rows(String task) {
    return rows(task, Duration.ZERO);
  }

  /**
   * The same, for a task that began {@code elapsed} ago: its rate counts that time too, as a
   * bar that appears with the first rows (already {@code stepTo}'d) must, or it would divide
   * them by almost nothing.
   */
  public static ProgressBar rows(String task, Duration elapsed) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(-1).startsFrom(0, elapsed)
        .setRenderer(new RowsRenderer())
        .setConsumer(System.console() != null ? new ConsoleProgressBarConsumer(System.err)
            : new ConsoleProgressBarConsumer(System.err, WIDTH_WITHOUT_TERMINAL))
        .build();
  }

  /** {@code rows} per second over {@code elapsed}, to the millisecond. */
  static String rate(long rows, Duration elapsed) {
    long millis = elapsed.toMillis();
    if (millis == 0) {
      return "?" + UNIT + "/s";
    }
    return new DecimalFormat(RATE_PATTERN).format(rows * 1000.0 / millis) + UNIT + "/s";
  }

  /**
   * The library's bar with the rate to the millisecond: its own divides by whole elapsed
   * seconds, so at 2.9 s a 10M-row job showed 5,000,000 rows/s where it ran at 3.4M, and under
   * a second "?". Rate and ETA count the time before the bar started too (see {@link #rows(String,
   * Duration)}); the library's ETA function is not public.
   */
  static final class RowsRenderer extends DefaultProgressBarRenderer {
    RowsRenderer() {
      super(ProgressBarStyle.ASCII, UNIT, 1, true, new DecimalFormat(RATE_PATTERN),
          ChronoUnit.SECONDS, true, RowsRenderer::eta);
    }

    @Override
    protected String speed(ProgressState state) {
      return rate(state.getCurrent() - state.getStart(), state.getTotalElapsed());
    }

    private static Optional<Duration> eta(ProgressState state) {
      long done = state.getCurrent() - state.getStart();
      if (state.isIndefinite() || state.getMax() <= 0 || done <= 0) {
        return Optional.empty();
      }
      return Optional.of(state.getTotalElapsed().dividedBy(done)
          .multipliedBy(state.getMax() - state.getCurrent()));
    }
  }
}
