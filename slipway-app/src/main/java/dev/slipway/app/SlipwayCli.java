package dev.slipway.app;

import dev.slipway.core.SlipwayException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code slipway} command line. */
@Command(
    name = "slipway",
    mixinStandardHelpOptions = true,
    versionProvider = SlipwayCli.Version.class,
    description = "Takes trained models into production: serve, score, deploy.",
    subcommands = {ServeCommand.class, QuickstartCommand.class, ModelsCommand.class,
        FeaturesCommand.class, PredictCommand.class, PipelineCommand.class,
        SchedulerCommand.class})
public final class SlipwayCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /**
   * The command line with Slipway's error handling: a {@link SlipwayException} (a problem the
   * user can fix) prints its message only, anything else its stack trace too.
   */
  public static CommandLine newCommandLine() {
    CommandLine commandLine = new CommandLine(new SlipwayCli());
    commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
      PrintWriter err = cmd.getErr();
      if (exception instanceof SlipwayException) {
        err.println(cmd.getColorScheme().errorText("error: " + exception.getMessage()));
      } else {
        exception.printStackTrace(err);
      }
      err.flush();
      return 1;
    });
    return commandLine;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SlipwayCli.class.getPackage().getImplementationVersion();
      return new String[] {"slipway " + (version == null ? "dev" : version)};
    }
  }
}
