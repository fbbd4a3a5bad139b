package dev.slipway.app;

import dev.slipway.app.internal.Platform;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs the command line as a user would, and builds server options for tests. */
final class AppTesting {
  private AppTesting() {}

  /** What one command printed and returned. */
  record Result(int exitCode, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SlipwayCli.newCommandLine(args);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return new Result(cli.execute(args), out.toString(), err.toString());
  }

  /** Embedded registry under {@code dataDir}, loopback, a free port, no polling. */
  static Platform.Options options(Path dataDir) {
    Platform.Options options = new Platform.Options();
    options.dataDir = dataDir;
    options.host = "127.0.0.1";
    options.port = 0;
    options.maxRequestBytes = 1 << 20;
    options.pollSeconds = 0;
    return options;
  }
}
