package dev.slipway.spark.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;

/**
 * The local engine: slipway-app's {@code slipway-app.jar}, run as its own process (it cannot
 * share a class path with Spark). The reactor builds slipway-app before slipway-spark; run alone,
 * this module's tests that need it are skipped loudly, or fail with SLIPWAY_REQUIRE_SERVICES=1.
 */
public final class LocalEngine {
  private static final long PROCESS_TIMEOUT_SECONDS = 180;
  private static final Pattern PREDICT_USAGE = Pattern.compile("(?m)^Usage: \\S+ predict\\b");

  /** What a process printed (stdout and stderr together) and returned. */
  public record Ran(int exitCode, String output) {}

  private final Path jar;
  private final String missing;

  private LocalEngine(Path jar, String missing) {
    this.jar = jar;
    this.missing = missing;
  }

  /** Finds the app jar beside this module and checks that it has the batch commands. */
  public static LocalEngine find() throws IOException, InterruptedException {
    Path root = Path.of(System.getProperty("slipway.fixtures", "fixtures")).toAbsolutePath()
        .getParent();
    Path jar = root.resolve("slipway-app/target/slipway-app.jar");
    if (!Files.isRegularFile(jar)) {
      return new LocalEngine(jar, jar + " does not exist (build slipway-app first: the reactor"
          + " builds it before slipway-spark)");
    }
    // The top-level --help also answers an unknown subcommand with exit 0: read the usage.
    Ran help = java("-jar", jar.toString(), "predict", "--help");
    if (help.exitCode() != 0 || !PREDICT_USAGE.matcher(help.output()).find()) {
      return new LocalEngine(jar, jar + " has no 'predict' command ('predict --help' exit "
          + help.exitCode() + ": " + help.output().strip().lines().findFirst().orElse("") + ")");
    }
    return new LocalEngine(jar, null);
  }

  public boolean available() {
    return missing == null;
  }

  /**
   * Skips the test loudly when the app jar is missing, or fails it under
   * SLIPWAY_REQUIRE_SERVICES=1. Call it per test: an abort in {@code @BeforeAll} would report
   * no test at all, not a skip.
   */
  public void require(TestInfo test) {
    if (missing == null) {
      return;
    }
    if ("1".equals(System.getenv("SLIPWAY_REQUIRE_SERVICES"))) {
      throw new AssertionError("this test needs the local engine: " + missing
          + " and SLIPWAY_REQUIRE_SERVICES=1");
    }
    System.err.println("!!!!! SKIPPING " + test.getDisplayName() + ": " + missing);
    Assumptions.abort(missing);
  }

  /** Runs {@code slipway ARGS...}. */
  public Ran slipway(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("-jar", jar.toString()));
    command.addAll(List.of(args));
    return java(command.toArray(String[]::new));
  }

  /** Runs this JVM's java with {@code args}, bounded by a timeout. */
  public static Ran java(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(args));
    // Output goes to a file, not a pipe, so a hung process cannot block us past the timeout.
    Path log = Files.createTempFile("slipway-process", ".log");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " still running after " + PROCESS_TIMEOUT_SECONDS
            + " s");
      }
      return new Ran(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
