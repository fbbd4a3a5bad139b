package dev.slipway.batch;

import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.core.runtime.RuntimeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Scores one file with one model (the offline pattern): input streamed in batches, scores
 * written to {@code output} and bad rows to {@code quarantine}, each atomically (a temporary
 * file renamed into place), so a failed job leaves nothing half-written.
 */
public final class OfflinePrediction {
  /** Observes a job's progress: the row total once known, then rows read so far. */
  public interface Progress {
    Progress NONE = new Progress() {};

    default void total(long rows) {}

    default void rowsRead(long rows) {}
  }

  /**
   * @param quarantine where bad rows go; null for {@code <output>.quarantine.csv}
   */
  public record Job(Path input, Path output, Path quarantine, List<String> keys,
      List<String> features, int batchSize) {
    public Job {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(output, "output");
      keys = List.copyOf(keys);
      features = List.copyOf(features);
    }

    public Path quarantineFile() {
      return quarantine != null ? quarantine
          : output.resolveSibling(output.getFileName() + ".quarantine.csv");
    }
  }

  /** What a job did, and where its files are. */
  public record Result(ScoringSummary summary, Path output, Path quarantine) {}

  private OfflinePrediction() {}

  /**
   * Runs {@code job} with {@code model}. The quarantine file is written only when a row was set
   * aside.
   */
  public static Result run(Job job, ModelArtifact model, Progress progress) {
    BatchInput.FileFormat.of(job.output(), "output");
    Path workParent = job.output().toAbsolutePath().getParent();
    // The model loads (its runtime's native library unpacked, the session built) while DuckDB
    // starts (its own native library unpacked) and types a CSV input's columns: each takes a few
    // hundred milliseconds.
    CompletableFuture<Model> loading = CompletableFuture.supplyAsync(
        () -> ModelLoader.withInstalledRuntimes().load(model.path(), RuntimeOptions.DEFAULT));
    BatchInput input;
    ScoringWorkspace workspace;
    try {
      input = BatchInput.file(job.input());
      workspace = ScoringWorkspace.create(workParent);
    } catch (RuntimeException e) {
      loading.thenAccept(Model::close);
      throw e;
    }
    try (workspace; Model loaded = await(loading)) {
      ScoringRequest request = new ScoringRequest(input, job.keys(), job.features(),
          model.name(), model.version(), job.batchSize());
      progress.total(workspace.count(input));
      ScoringSummary summary =
          workspace.scoreTo(job.output(), request, loaded, progress::rowsRead);
      Path quarantine = null;
      if (summary.quarantined() > 0) {
        quarantine = job.quarantineFile();
        workspace.exportQuarantine(quarantine);
      } else {
        // A quarantine left by an earlier run of this job would describe rows it no longer has.
        deleteStale(job.quarantineFile());
      }
      return new Result(summary, job.output(), quarantine);
    }
  }

  /** The loaded model, or the load's own exception. */
  private static Model await(CompletableFuture<Model> loading) {
    try {
      return loading.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static void deleteStale(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new BatchJobException("cannot remove the stale quarantine file " + file + ": "
          + e.getMessage(), e);
    }
  }
}
