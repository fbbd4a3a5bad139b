package dev.slipway.app;

import dev.slipway.app.internal.FeatureStores;
import dev.slipway.app.internal.ProgressBars;
import dev.slipway.features.DataSource;
import dev.slipway.features.Entity;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureRegistry;
import dev.slipway.features.FeatureView;
import dev.slipway.features.Materializer;
import dev.slipway.features.offline.EntityRows;
import dev.slipway.features.offline.OfflineStore;
import dev.slipway.features.online.OnlineStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway features ...}: the feature store from the command line. */
@Command(
    name = "features",
    mixinStandardHelpOptions = true,
    description = "Applies feature definitions, materializes them to the online store, and"
        + " builds point-in-time correct training sets.",
    subcommands = {
      FeaturesCommand.Apply.class,
      FeaturesCommand.Materialize.class,
      FeaturesCommand.MaterializeIncremental.class,
      FeaturesCommand.Historical.class
    })
final class FeaturesCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the definitions and stores are; shared by every subcommand. */
  static final class Project {
    @Option(names = "--file", defaultValue = "features.yaml", paramLabel = "YAML",
        description = "Feature definitions (default: ${DEFAULT-VALUE}).")
    Path file;

    @Option(names = "--data-dir", defaultValue = ".slipway", paramLabel = "DIR",
        description = "Holds the feature registry and the embedded online store"
            + " (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--online-store", defaultValue = "rocksdb", paramLabel = "SPEC",
        description = "rocksdb (embedded, under --data-dir) or redis://host:port"
            + " (default: ${DEFAULT-VALUE}).")
    String onlineStore;

    FeatureDefinitions definitions() {
      return FeatureDefinitions.load(file);
    }

    OnlineStore openOnlineStore() {
      return FeatureStores.online(onlineStore, dataDir);
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Shows what changes (added, changed, removed), validates references and"
          + " types, and records a new version of each changed definition.")
  static final class Apply implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Project project;

    @Option(names = "--dry-run", description = "Show the plan only.")
    boolean dryRun;

    @Override
    public void run() {
      FeatureDefinitions definitions = project.definitions();
      FeatureRegistry registry = FeatureRegistry.open(project.dataDir);
      FeatureRegistry.Plan plan = dryRun ? registry.plan(definitions) : registry.apply(definitions);
      PrintWriter out = spec.commandLine().getOut();
      if (plan.changes().isEmpty()) {
        out.println("No changes: the registry matches " + project.file);
        return;
      }
      for (FeatureRegistry.Change change : plan.changes()) {
        out.printf("%-8s %-20s %s%s%n", change.action(), change.kind(), change.name(),
            change.fieldChanges().isEmpty() ? "" : " " + change.fieldChanges());
      }
      out.println(dryRun ? "Dry run: nothing recorded." : "Applied.");
    }
  }

  @Command(name = "materialize", mixinStandardHelpOptions = true,
      description = "Loads the latest value per entity with event time in [start, end) into the"
          + " online store, for every online feature view (or --views).")
  static final class Materialize implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Project project;

    @Option(names = "--start", required = true, description = "ISO-8601 instant.")
    String start;

    @Option(names = "--end", required = true, description = "ISO-8601 instant.")
    String end;

    @Option(names = "--views", split = ",", description = "Only these feature views.")
    List<String> views = new ArrayList<>();

    @Override
    public void run() {
      materializeAll(spec, project, views, instant(spec, "--start", start),
          instant(spec, "--end", end));
    }
  }

  @Command(name = "materialize-incremental", mixinStandardHelpOptions = true,
      description = "Materializes from each view's last watermark up to --end.")
  static final class MaterializeIncremental implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Project project;

    @Option(names = "--end", description = "ISO-8601 instant (default: now).")
    String end;

    @Option(names = "--views", split = ",", description = "Only these feature views.")
    List<String> views = new ArrayList<>();

    @Override
    public void run() {
      materializeAll(spec, project, views, null,
          end == null ? Instant.now() : instant(spec, "--end", end));
    }
  }

  private static void materializeAll(CommandLine.Model.CommandSpec spec, Project project,
      List<String> only, Instant start, Instant end) {
    FeatureDefinitions definitions = project.definitions();
    PrintWriter out = spec.commandLine().getOut();
    try (OnlineStore store = project.openOnlineStore()) {
      Materializer materializer = new Materializer(store);
      for (FeatureView view : definitions.featureViews().values()) {
        if (!view.online() || (!only.isEmpty() && !only.contains(view.name()))) {
          continue;
        }
        DataSource source = definitions.sources().get(view.source());
        List<Entity> entities = view.entities().stream()
            .map(name -> definitions.entities().get(name)).toList();
        Materializer.Result result;
        try (ProgressBar bar = ProgressBars.rows("materialize " + view.name())) {
          result = start == null
              ? materializer.materializeIncremental(view, source, entities, end, bar::stepTo)
              : materializer.materialize(view, source, entities, start, end, bar::stepTo);
        }
        out.printf("%s: %d rows read, %d entities written, [%s, %s)%n", view.name(),
            result.rowsRead(), result.rowsWritten(), result.start(), result.end());
      }
    }
  }

  @Command(name = "historical", mixinStandardHelpOptions = true,
      description = "Joins features to entity rows as they were at each row's timestamp"
          + " (point-in-time correct) and writes a Parquet training set.")
  static final class Historical implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Project project;

    @Option(names = "--entities", required = true, paramLabel = "FILE",
        description = "Parquet or CSV entity rows: join keys and an event timestamp column.")
    Path entities;

    @Option(names = "--timestamp-column", defaultValue = "event_timestamp",
        description = "The entity rows' timestamp column (default: ${DEFAULT-VALUE}).")
    String timestampColumn;

    @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
    Selection selection;

    static final class Selection {
      @Option(names = "--features", split = ",", paramLabel = "VIEW:FEATURE",
          description = "Feature references.")
      List<String> features;

      @Option(names = "--service", description = "A feature service.")
      String service;
    }

    @Option(names = "--output", required = true, paramLabel = "FILE.parquet")
    Path output;

    @Override
    public void run() {
      FeatureDefinitions definitions = project.definitions();
      long rows;
      try (OfflineStore offline = OfflineStore.open(definitions,
              OfflineStore.Options.defaults(project.dataDir.resolve("offline-tmp")));
          ProgressBar bar = ProgressBars.rows("historical")) {
        EntityRows entityRows = EntityRows.file(entities, timestampColumn);
        rows = selection.service != null
            ? offline.getHistoricalFeatures(entityRows, selection.service, output, bar::stepTo)
            : offline.getHistoricalFeatures(entityRows, selection.features, output, bar::stepTo);
      }
      spec.commandLine().getOut().printf("Wrote %d rows to %s%n", rows, output);
    }
  }

  private static Instant instant(CommandLine.Model.CommandSpec spec, String option,
      String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value
          + ": expected an ISO-8601 instant such as 2026-11-01T00:00:00Z");
    }
  }
}
