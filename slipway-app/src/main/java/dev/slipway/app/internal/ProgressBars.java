package dev.slipway.app.internal;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The command line's progress bars: on standard error, so output stays pipeable. */
public final class ProgressBars {
  private ProgressBars() {}

  /** A bar counting rows with their rate; its total is unknown until {@code maxHint}. */
  public static ProgressBar rows(String task) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(-1)
        .setStyle(ProgressBarStyle.ASCII).setUnit(" rows", 1).showSpeed()
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .build();
  }
}
