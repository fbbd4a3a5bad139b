package dev.slipway.app.internal;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The command line's progress bars: on standard error, so output stays pipeable. */
public final class ProgressBars {
  /**
   * The bar's width when the command runs without a terminal (from a scheduler, a script, a
   * pipe): asking for the terminal's width makes JLine start shell commands, which cost a short
   * command 65 ms.
   */
  private static final int WIDTH_WITHOUT_TERMINAL = 100;

  private ProgressBars() {}

  /** A bar counting rows with their rate; its total is unknown until {@code maxHint}. */
  public static ProgressBar rows(String task) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(-1)
        .setStyle(ProgressBarStyle.ASCII).setUnit(" rows", 1).showSpeed()
        .setConsumer(System.console() != null ? new ConsoleProgressBarConsumer(System.err)
            : new ConsoleProgressBarConsumer(System.err, WIDTH_WITHOUT_TERMINAL))
        .build();
  }
}
