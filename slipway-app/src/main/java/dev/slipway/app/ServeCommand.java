package dev.slipway.app;

import dev.slipway.app.internal.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway serve}: serves models and the registry API until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves models, the registry and online features on one port.",
      "Inference speaks the Open Inference Protocol (REST and gRPC); the registry speaks",
      "MLflow's REST API (/api/2.0/mlflow); features are served at /v1/features/online.",
      "Models come from a repository folder (DIR/<model>/<version>/model.onnx | model.json |",
      "model.ubj | MLmodel folder, optional DIR/<model>/config.yaml) and/or from registry",
      "deployments (--deployment churn=models:/churn@production), which follow their alias or",
      "stage."
    })
final class ServeCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin Platform.Options platform;

  @Option(names = "--model-repository", paramLabel = "DIR",
      description = "Folder holding one sub-folder per model.")
  Path repository;

  @Option(names = "--deployment", paramLabel = "NAME=URI",
      description = "A deployment that serves a registry model: NAME=models:/MODEL@ALIAS,"
          + " NAME=models:/MODEL/STAGE or NAME=models:/MODEL/VERSION. Repeatable.")
  List<String> deployments = new ArrayList<>();

  @Override
  public void run() {
    if (repository != null && !Files.isDirectory(repository)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--model-repository " + repository + ": no such folder");
    }
    Platform running = Platform.start(platform, repository, deployments, spec.commandLine());
    spec.commandLine().getOut().printf("Serving on http://%s:%d: inference (REST and gRPC) and"
        + " the registry API; data in %s. Ctrl-C stops.%n", running.server().host(),
        running.server().port(), platform.describeStorage());
    spec.commandLine().getOut().flush();
    waitUntilStopped(running);
  }

  /** Blocks until the JVM shuts down (Ctrl-C), closing everything gracefully on the way. */
  static void waitUntilStopped(AutoCloseable running) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.close();
      } catch (Exception e) {
        e.printStackTrace();
      }
      stopped.countDown();
    }, "slipway-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
