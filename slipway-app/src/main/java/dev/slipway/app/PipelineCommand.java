package dev.slipway.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import dev.slipway.app.internal.FeatureStores;
import dev.slipway.app.internal.PipelineServices;
import dev.slipway.app.internal.RegistryLocation;
import dev.slipway.app.internal.ServerUrl;
import dev.slipway.batch.pipeline.PipelineRun;
import dev.slipway.batch.pipeline.PipelineRun.Status;
import dev.slipway.batch.pipeline.PipelineRun.Trigger;
import dev.slipway.batch.pipeline.PipelineScheduler;
import dev.slipway.batch.pipeline.PipelineSpec;
import dev.slipway.batch.pipeline.Window;
import dev.slipway.core.SlipwayException;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.registry.Registry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway pipeline ...}: batch pipelines from the command line. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = "Lists, runs and shows the history of the batch pipelines in pipelines.yaml.",
    subcommands = {PipelineCommand.ListPipelines.class, PipelineCommand.Run.class,
        PipelineCommand.History.class})
final class PipelineCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The definitions and stores every subcommand opens in this process. */
  static class Project extends RegistryLocation {
    @Option(names = "--file", defaultValue = "pipelines.yaml", paramLabel = "YAML",
        description = "Pipeline definitions (default: ${DEFAULT-VALUE}).")
    Path file;

    @Option(names = "--features", paramLabel = "YAML",
        description = "Feature definitions, for feature_view sources.")
    Path features;

    @Option(names = "--online-store", defaultValue = "rocksdb", paramLabel = "SPEC",
        description = "Where online sinks write: rocksdb (embedded, under --data-dir),"
            + " rocksdb:DIR or redis://host:port (default: ${DEFAULT-VALUE}).")
    String onlineStore;

    @Option(names = "--spark-submit", paramLabel = "COMMAND",
        defaultValue = "${env:SLIPWAY_SPARK_SUBMIT}",
        description = "How engine spark submits dev.slipway.spark.SparkScoringJob"
            + " (default: $SLIPWAY_SPARK_SUBMIT).")
    String sparkSubmit;

    /** Opens everything, runs {@code work}, closes everything. */
    <T> T with(PipelineWork<T> work) {
      FeatureDefinitions definitions = features == null ? null : FeatureDefinitions.load(features);
      try (Registry registry = Registry.open(registryConfig());
          OnlineStore online = FeatureStores.online(onlineStore, dataDir);
          PipelineServices services = PipelineServices.open(registry,
              registryConfig().jdbcUrl(), file, definitions, online, sparkSubmit, dataDir)) {
        return work.apply(services);
      }
    }
  }

  interface PipelineWork<T> {
    T apply(PipelineServices services);
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists pipelines with their schedule, next fire time and watermark.")
  static final class ListPipelines implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Project project;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      project.with(services -> {
        PipelineScheduler scheduler = services.scheduler();
        out.printf("%-24s %-14s %-6s %-30s %-22s %s%n", "PIPELINE", "SCHEDULE", "ENGINE",
            "MODEL", "NEXT RUN (UTC)", "WATERMARK");
        for (PipelineSpec pipeline : scheduler.pipelines().values()) {
          out.printf("%-24s %-14s %-6s %-30s %-22s %s%n", pipeline.name(),
              pipeline.schedule() == null ? "manual" : pipeline.schedule(),
              pipeline.engine().name().toLowerCase(java.util.Locale.ROOT), pipeline.model(),
              scheduler.nextFireTime(pipeline.name()).map(Instant::toString).orElse("-"),
              scheduler.runner().history().watermark(pipeline.name()).map(Instant::toString)
                  .orElse("-"));
        }
        return null;
      });
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Runs a pipeline now over the rows not scored yet (after its watermark),"
          + " or over --start/--end, replacing what an earlier run of that window wrote. Exits"
          + " non-zero when the run fails.")
  static final class Run implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Project project;

    @Parameters(paramLabel = "NAME", description = "The pipeline.")
    String name;

    @Option(names = "--start", paramLabel = "INSTANT",
        description = "Window start, exclusive (ISO-8601, e.g. 2026-11-01T00:00:00Z).")
    String start;

    @Option(names = "--end", paramLabel = "INSTANT", description = "Window end, inclusive.")
    String end;

    @Option(names = "--url", paramLabel = "URL", converter = ServerUrl.class,
        description = "Trigger the run on this running Slipway server instead of in this"
            + " process, and wait for it.")
    String url;

    @Override
    public Integer call() {
      Window window = window();
      PrintWriter out = spec.commandLine().getOut();
      if (url != null) {
        return remote(window, out);
      }
      PipelineRun run = project.with(services -> {
        PipelineScheduler scheduler = services.scheduler();
        PipelineSpec pipeline = scheduler.pipeline(name);
        return window == null ? scheduler.runner().run(pipeline, Trigger.MANUAL)
            : scheduler.runner().run(pipeline, Trigger.MANUAL, window);
      });
      print(out, run);
      return run.status() == Status.SUCCEEDED ? 0 : 1;
    }

    private Window window() {
      if (end == null) {
        if (start != null) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              "--start needs --end (the window's inclusive end)");
        }
        return null;
      }
      try {
        Instant endInstant = Instant.parse(end);
        Instant startInstant = start == null ? null : Instant.parse(start);
        if (startInstant != null && !startInstant.isBefore(endInstant)) {
          throw new IllegalArgumentException("start " + start + " is not before end " + end);
        }
        return new Window(startInstant, endInstant);
      } catch (DateTimeParseException | IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--start/--end: "
            + e.getMessage() + " (expected ISO-8601 instants such as 2026-11-01T00:00:00Z,"
            + " start before end)");
      }
    }

    private int remote(Window window, PrintWriter out) {
      ObjectMapper json = new ObjectMapper();
      WebClient client = WebClient.of(url);
      String body = window == null ? "" : json.createObjectNode()
          .put("start", window.start() == null ? null : window.start().toString())
          .put("end", window.end().toString()).toString();
      AggregatedHttpResponse started = call(() -> client.execute(
          com.linecorp.armeria.common.HttpRequest.of(HttpMethod.POST,
              "/v1/pipelines/" + name + "/runs", MediaType.JSON, body)).aggregate().join());
      JsonNode run = parse(json, started);
      if (started.status().code() != 202) {
        throw new SlipwayException(url + ": " + run.path("error").asText(started.contentUtf8()));
      }
      long id = run.path("id").asLong();
      Instant deadline = Instant.now().plus(Duration.ofHours(6));
      while (run.path("status").asText().equals("RUNNING") && Instant.now().isBefore(deadline)) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SlipwayException("interrupted while waiting for run " + id);
        }
        run = parse(json, call(() -> client.get("/v1/pipelines/" + name + "/runs/" + id)
            .aggregate().join()));
      }
      out.println(run.toPrettyString());
      return run.path("status").asText().equals("SUCCEEDED") ? 0 : 1;
    }

    /** The server's answer, or a message naming the server it could not reach. */
    private AggregatedHttpResponse call(Supplier<AggregatedHttpResponse> request) {
      try {
        return request.get();
      } catch (CompletionException e) {
        Throwable cause = e.getCause() instanceof UnprocessedRequestException unprocessed
            && unprocessed.getCause() != null ? unprocessed.getCause() : e.getCause();
        throw new SlipwayException(url + ": cannot reach a Slipway server there ("
            + cause.getMessage() + "); is 'slipway serve --pipelines' running?", e);
      }
    }

    private static JsonNode parse(ObjectMapper json, AggregatedHttpResponse response) {
      try {
        return json.readTree(response.contentUtf8());
      } catch (IOException e) {
        throw new SlipwayException("unexpected answer (" + response.status() + "): "
            + response.contentUtf8());
      }
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true,
      description = "Shows a pipeline's runs, newest first.")
  static final class History implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin Project project;

    @Parameters(paramLabel = "NAME", description = "The pipeline.")
    String name;

    @Option(names = "--limit", defaultValue = "20", description = "Runs to show"
        + " (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public void run() {
      PrintWriter out = spec.commandLine().getOut();
      project.with(services -> {
        services.scheduler().pipeline(name);
        services.scheduler().runner().history().runs(name, limit).forEach(run -> print(out, run));
        return null;
      });
    }
  }

  static void print(PrintWriter out, PipelineRun run) {
    out.printf("run %d of %s: %s (%s), window (%s, %s], %s scored, %s quarantined, model %s"
            + " version %s, %d attempt(s), %s -> %s%s%n",
        run.id(), run.pipeline(), run.status(), run.trigger().name().toLowerCase(
            java.util.Locale.ROOT), run.windowStart() == null ? "beginning" : run.windowStart(),
        run.windowEnd(), run.rowsScored() == null ? "-" : run.rowsScored(),
        run.rowsQuarantined() == null ? "-" : run.rowsQuarantined(), run.modelName(),
        run.modelVersion(), run.attempts(), run.startedAt(),
        run.endedAt() == null ? "..." : run.endedAt(),
        run.error() == null ? "" : "\n  error: " + run.error());
    out.flush();
  }
}
