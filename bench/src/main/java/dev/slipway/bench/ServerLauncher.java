package dev.slipway.bench;

import dev.slipway.serving.InferenceServer;
import dev.slipway.serving.internal.ModelManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Runs Slipway's {@link InferenceServer} over a model repository in a JVM of its own, so that the
 * system under test does not share a heap, a JIT or GC pauses with the load generator. The
 * repository is not polled: a benchmark must not pay for file-system scans it does not ask for.
 */
public final class ServerLauncher {
  private static final String USAGE = """
      Usage: ServerLauncher --repository DIR --port PORT [--host 127.0.0.1]
      Serves the repository until killed; prints 'ready port=N' once every model is loaded,
      exits with status 1 if one failed to load.""";

  private ServerLauncher() {}

  public static void main(String[] args) {
    Options options = Options.parse(args, Set.of("repository", "port", "host"), USAGE);
    int port = options.integer("port", -1);
    if (port < 0) {
      throw options.fail("--port is required");
    }
    InferenceServer server = InferenceServer.builder(Path.of(options.required("repository")))
        .host(options.string("host", "127.0.0.1"))
        .port(port)
        .pollInterval(Duration.ZERO)
        .build()
        .start();
    // A model that failed to load is only reported in the index; a benchmark of it would measure
    // error answers, so refuse to start instead.
    List<ModelManager.VersionState> failed = server.models().index().stream()
        .filter(state -> !state.state().equals("READY") || !state.reason().isEmpty())
        .toList();
    if (!failed.isEmpty()) {
      System.err.println("models not ready: " + failed);
      server.close();
      System.exit(1);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("ready port=" + server.port() + " models=" + server.models().index().stream()
        .map(state -> state.model() + "/" + state.version()).toList());
  }
}
