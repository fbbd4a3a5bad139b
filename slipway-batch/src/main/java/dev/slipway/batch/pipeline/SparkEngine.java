package dev.slipway.batch.pipeline;

import dev.slipway.batch.BatchJobException;
import dev.slipway.batch.ModelArtifact;
import dev.slipway.batch.ScoringRequest;
import dev.slipway.batch.ScoringSummary;
import dev.slipway.batch.ScoringWorkspace;
import dev.slipway.batch.internal.Folders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Scores a pipeline's window as a Spark job ({@code dev.slipway.spark.SparkScoringJob} of
 * slipway-spark), then takes the job's output back into the workspace, so the sinks run exactly
 * as for the local engine. The window's rows are handed to Spark as a Parquet file; the model as
 * its local folder, which every executor must be able to read (a shared file system in a
 * cluster).
 *
 * <p>The submit command is configurable: {@code spark-submit --master yarn --class
 * dev.slipway.spark.SparkScoringJob slipway-spark-job.jar} in production, or {@code java -cp
 * CLASSPATH dev.slipway.spark.SparkScoringJob --master local[2]} on one machine.
 */
public final class SparkEngine {
  private final List<String> submitCommand;
  private final Duration timeout;

  public SparkEngine(List<String> submitCommand, Duration timeout) {
    if (submitCommand.isEmpty()) {
      throw new IllegalArgumentException("submitCommand: empty (expected e.g. spark-submit"
          + " --class dev.slipway.spark.SparkScoringJob slipway-spark-job.jar)");
    }
    this.submitCommand = List.copyOf(submitCommand);
    this.timeout = timeout;
  }

  /** Splits a command line on whitespace (arguments with spaces are not supported). */
  public static SparkEngine of(String commandLine, Duration timeout) {
    return new SparkEngine(List.of(commandLine.trim().split("\\s+")), timeout);
  }

  ScoringSummary score(ScoringWorkspace workspace, ScoringRequest request, ModelArtifact model,
      Path workDir) {
    Path folder = workDir.resolve(".spark-" + UUID.randomUUID());
    try {
      Files.createDirectories(folder);
      Path input = folder.resolve("input.parquet");
      Path output = folder.resolve("scores.parquet");
      Path quarantine = folder.resolve("quarantine.parquet");
      workspace.exportInput(request.input(), input);
      List<String> command = new ArrayList<>(submitCommand);
      command.addAll(List.of("--model", model.path().toAbsolutePath().toString(),
          "--input", input.toString(), "--output", output.toString(),
          "--quarantine", quarantine.toString(), "--model-name", model.name(),
          "--batch-size", Integer.toString(request.batchSize())));
      if (model.version() != null) {
        command.addAll(List.of("--model-version", model.version().toString()));
      }
      for (String key : request.keys()) {
        command.addAll(List.of("--key", key));
      }
      if (!request.features().isEmpty()) {
        command.addAll(List.of("--features", String.join(",", request.features())));
      }
      run(command, folder.resolve("spark.log"));
      List<String> keys = request.keys();
      List<String> scoreNames = scoreColumns(workspace, output, keys);
      return workspace.adoptScores(output, Files.exists(quarantine) ? quarantine : null,
          request, keys, scoreNames);
    } catch (IOException e) {
      throw new BatchJobException("spark engine: " + e.getMessage(), e);
    } finally {
      Folders.deleteRecursively(folder);
    }
  }

  private void run(List<String> command, Path log) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new BatchJobException("spark job did not finish within " + timeout + ": "
            + String.join(" ", command));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BatchJobException("spark job interrupted", e);
    }
    if (process.exitValue() != 0) {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20),
          lines.size()));
      throw new BatchJobException("spark job failed (exit " + process.exitValue() + "): "
          + String.join(" ", command) + "\n" + tail);
    }
  }

  /** The output's columns between the keys and the model columns. */
  private static List<String> scoreColumns(ScoringWorkspace workspace, Path output,
      List<String> keys) {
    List<String> columns = new ArrayList<>(workspace.describe(
        dev.slipway.batch.BatchInput.file(output)).keySet());
    columns.removeAll(keys);
    columns.remove(ScoringWorkspace.MODEL_NAME_COLUMN);
    columns.remove(ScoringWorkspace.MODEL_VERSION_COLUMN);
    return columns;
  }
}
