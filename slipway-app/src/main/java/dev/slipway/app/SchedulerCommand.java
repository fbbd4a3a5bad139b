package dev.slipway.app;

import dev.slipway.app.internal.FeatureStores;
import dev.slipway.app.internal.PipelineServices;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.registry.Registry;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code slipway scheduler}: runs the pipelines' schedules without a server. */
@Command(
    name = "scheduler",
    mixinStandardHelpOptions = true,
    description = "Runs batch pipelines on their cron schedules (UTC) until stopped, without"
        + " serving anything. 'slipway serve --pipelines' runs the same scheduler inside the"
        + " server.")
final class SchedulerCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin PipelineCommand.Project project;

  @Override
  public void run() {
    FeatureDefinitions definitions = project.features == null ? null
        : FeatureDefinitions.load(project.features);
    Registry registry = Registry.open(project.registryConfig());
    OnlineStore online = FeatureStores.online(project.onlineStore, project.dataDir);
    PipelineServices services = PipelineServices.open(registry,
        project.registryConfig().jdbcUrl(), project.file, definitions, online,
        project.sparkSubmit, project.dataDir);
    services.scheduler().start();
    spec.commandLine().getOut().printf("Scheduling %d pipeline(s) from %s. Ctrl-C stops.%n",
        services.scheduler().pipelines().size(), project.file);
    spec.commandLine().getOut().flush();
    ServeCommand.waitUntilStopped(() -> {
      services.close();
      online.close();
      registry.close();
    });
  }
}
