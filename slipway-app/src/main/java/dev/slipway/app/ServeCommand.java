package dev.slipway.app;

import dev.slipway.serving.InferenceServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway serve}: serves a model repository until stopped. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves a model repository over the Open Inference Protocol (REST and gRPC on one port).",
      "Layout: DIR/<model>/<version>/model.onnx | model.json | model.ubj | MLmodel folder,",
      "with an optional DIR/<model>/config.yaml for dynamic batching and threads."
    })
final class ServeCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model-repository", required = true, paramLabel = "DIR",
      description = "Folder holding one sub-folder per model.")
  Path repository;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the server).")
  String host;

  @Option(names = "--port", defaultValue = "8080",
      description = "Port for REST and gRPC (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--max-request-bytes", defaultValue = "67108864",
      description = "Largest request body or gRPC message (default: ${DEFAULT-VALUE}).")
  long maxRequestBytes;

  @Option(names = "--repository-poll-seconds", defaultValue = "5",
      description = "How often to look for new or changed models; 0 turns it off"
          + " (default: ${DEFAULT-VALUE}).")
  int pollSeconds;

  @Override
  public void run() {
    if (!Files.isDirectory(repository)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--model-repository " + repository + ": no such folder");
    }
    InferenceServer server = InferenceServer.builder(repository)
        .host(host)
        .port(port)
        .maxRequestBytes(maxRequestBytes)
        .pollInterval(Duration.ofSeconds(pollSeconds))
        .build()
        .start();
    spec.commandLine().getOut().printf("Serving %s on http://%s:%d (REST and gRPC); Ctrl-C stops.%n",
        repository, server.host(), server.port());
    spec.commandLine().getOut().flush();
    waitUntilStopped(server);
  }

  /** Blocks until the JVM shuts down (Ctrl-C), closing the server gracefully on the way. */
  static void waitUntilStopped(InferenceServer server) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "slipway-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
