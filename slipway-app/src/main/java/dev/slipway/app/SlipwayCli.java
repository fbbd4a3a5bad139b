package dev.slipway.app;

import dev.slipway.batch.OfflinePrediction;
import dev.slipway.core.SlipwayException;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code slipway} command line. */
@Command(
    name = "slipway",
    mixinStandardHelpOptions = true,
    versionProvider = SlipwayCli.Version.class,
    description = "Takes trained models into production: serve, score, deploy.")
public final class SlipwayCli implements Runnable {
  /**
   * The subcommands by name, in the order usage lists them. Picocli reads each one's
   * annotations, and loads the classes they name, when it is added: a cold JVM took about 60
   * ms for all of them, so a command line naming one gets that one only.
   */
  static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Building the command line takes a cold JVM about 100 ms: time enough to load a
    // prediction's native libraries beside it.
    if (args.length > 0 && args[0].equals("predict")) {
      OfflinePrediction.warmUpInBackground();
    }
    System.exit(newCommandLine(args).execute(args));
  }

  /**
   * The command line for {@code args}, with Slipway's error handling: a {@link
   * SlipwayException} (a problem the user can fix) prints its message only, anything else its
   * stack trace too. It holds the subcommand the first argument names, or every subcommand
   * when it names none (for usage, help and picocli's suggestions).
   */
  static CommandLine newCommandLine(String... args) {
    String first = args.length > 0 ? args[0] : "";
    Set<String> names = SUBCOMMANDS.containsKey(first) ? Set.of(first) : SUBCOMMANDS.keySet();
    CommandLine commandLine = new CommandLine(new SlipwayCli());
    SUBCOMMANDS.forEach((name, command) -> {
      if (names.contains(name)) {
        commandLine.addSubcommand(name, command.get());
      }
    });
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

  private static Map<String, Supplier<Object>> subcommands() {
    Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
    commands.put("serve", ServeCommand::new);
    commands.put("quickstart", QuickstartCommand::new);
    commands.put("models", ModelsCommand::new);
    commands.put("features", FeaturesCommand::new);
    commands.put("predict", PredictCommand::new);
    commands.put("pipeline", PipelineCommand::new);
    commands.put("scheduler", SchedulerCommand::new);
    return Collections.unmodifiableMap(commands);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SlipwayCli.class.getPackage().getImplementationVersion();
      return new String[] {"slipway " + (version == null ? "dev" : version)};
    }
  }
}
