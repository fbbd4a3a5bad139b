package dev.slipway.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.app.internal.ServerUrl;
import dev.slipway.registry.client.RegistryClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway models ...}: the registry from the command line, through a running server. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = "Registers, lists, shows and promotes models in the registry of a running"
        + " Slipway server (see 'slipway serve').",
    subcommands = {
      ModelsCommand.Register.class,
      ModelsCommand.ListModels.class,
      ModelsCommand.Show.class,
      ModelsCommand.Promote.class,
      ModelsCommand.History.class
    })
final class ModelsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the server is and who is asking; shared by every subcommand. */
  static final class Connection {
    @Option(names = "--url", defaultValue = "${env:SLIPWAY_URL:-http://127.0.0.1:8080}",
        converter = ServerUrl.class,
        description = "The Slipway server (default: $SLIPWAY_URL or http://127.0.0.1:8080).")
    String url;

    @Option(names = "--user", defaultValue = "${env:USER:-unknown}",
        description = "Recorded as the actor in the audit trail (default: $USER).")
    String user;

    RegistryClient client() {
      return RegistryClient.of(url, user);
    }
  }

  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Uploads a model file or folder and registers it as a new version.")
  static final class Register implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Connection connection;

    @Parameters(paramLabel = "PATH", description = "model.onnx, model.json, or a folder.")
    Path path;

    @Option(names = "--name", required = true, description = "Registered model name.")
    String name;

    @Option(names = "--run-id", description = "Tracking run that produced the model.")
    String runId;

    @Override
    public void run() {
      JsonNode version = connection.client().register(path, name, runId);
      spec.commandLine().getOut().printf("Registered %s version %s (source %s)%n", name,
          version.path("version").asText(), version.path("source").asText());
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists registered models with their latest versions and aliases.")
  static final class ListModels implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Connection connection;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-30s %-10s %s%n", "NAME", "LATEST", "ALIASES");
      for (JsonNode model : connection.client().listModels()) {
        long latest = 0;
        for (JsonNode version : model.path("latest_versions")) {
          latest = Math.max(latest, version.path("version").asLong());
        }
        out.printf("%-30s %-10s %s%n", model.path("name").asText(),
            latest == 0 ? "-" : Long.toString(latest), aliases(model));
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Shows a model's versions with their stage, aliases, run and source.")
  static final class Show implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Connection connection;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public void run() {
      RegistryClient client = connection.client();
      JsonNode model = client.model(name);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%s%s%n", name, model.path("description").asText("").isEmpty() ? ""
          : ": " + model.path("description").asText());
      out.printf("aliases: %s%n", aliases(model));
      out.printf("%-8s %-11s %-20s %-34s %s%n", "VERSION", "STAGE", "ALIASES", "RUN", "SOURCE");
      for (JsonNode version : client.versions(name)) {
        out.printf("%-8s %-11s %-20s %-34s %s%n", version.path("version").asText(),
            version.path("current_stage").asText(), versionAliases(version),
            version.path("run_id").asText("-"), version.path("source").asText());
      }
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Points an alias at a version, or moves it to a stage. Promotions to"
          + " production pass the validation gate first.")
  static final class Promote implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Connection connection;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION")
    String version;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
      @Option(names = "--alias", description = "e.g. production, champion")
      String alias;

      @Option(names = "--stage", description = "None, Staging, Production or Archived")
      String stage;
    }

    @Option(names = "--archive-existing",
        description = "With --stage: archive the versions now in that stage.")
    boolean archiveExisting;

    @Override
    public void run() {
      RegistryClient client = connection.client();
      if (target.alias != null) {
        client.setAlias(name, version, target.alias);
        spec.commandLine().getOut().printf("%s@%s -> version %s%n", name, target.alias, version);
      } else {
        client.transitionStage(name, version, target.stage, archiveExisting);
        spec.commandLine().getOut().printf("%s version %s -> stage %s%n", name, version,
            target.stage);
      }
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true,
      description = "Every stage and alias change of a model: when, who, from, to.")
  static final class History implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Connection connection;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-24s %-12s %-6s %-18s %-18s %s%n", "WHEN", "WHO", "KIND", "SUBJECT", "FROM",
          "TO");
      for (JsonNode entry : connection.client().history(name)) {
        out.printf("%-24s %-12s %-6s %-18s %-18s %s%n",
            Instant.ofEpochMilli(entry.path("changed_at").asLong()),
            entry.path("actor").asText(), entry.path("kind").asText(),
            entry.path("subject").asText(), describe(entry, "from"), describe(entry, "to"));
      }
    }

    private static String describe(JsonNode entry, String side) {
      String value = entry.path(side + "_value").asText("");
      String version = entry.path(side + "_version").asText("");
      if (value.isEmpty() && version.isEmpty()) {
        return "-";
      }
      return (version.isEmpty() ? "" : "v" + version) + (value.isEmpty() ? "" : " " + value);
    }
  }

  private static String versionAliases(JsonNode version) {
    StringBuilder aliases = new StringBuilder();
    for (JsonNode alias : version.path("aliases")) {
      aliases.append(aliases.length() == 0 ? "" : ",").append(alias.asText());
    }
    return aliases.length() == 0 ? "-" : aliases.toString();
  }

  private static String aliases(JsonNode model) {
    StringBuilder aliases = new StringBuilder();
    for (JsonNode alias : model.path("aliases")) {
      aliases.append(aliases.length() == 0 ? "" : ", ").append(alias.path("alias").asText())
          .append("=v").append(alias.path("version").asText());
    }
    return aliases.length() == 0 ? "-" : aliases.toString();
  }
}
