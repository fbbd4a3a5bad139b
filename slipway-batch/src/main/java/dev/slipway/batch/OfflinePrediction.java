package dev.slipway.batch;

import dev.slipway.batch.internal.NativeWarmUp;
import dev.slipway.core.InvalidInputException;
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
      ScoringRequest.checkBatchSize(batchSize);
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
   * Starts loading DuckDB's and Arrow's native parts on a daemon thread, so that a job begun
   * soon after (by a command still parsing its arguments, say) finds them loaded.
   */
  public static void warmUpInBackground() {
    NativeWarmUp.startInBackground();
  }

  /**
   * Runs {@code job} with {@code model}. The quarantine file is written only when a row was set
   * aside.
   */
  public static Result run(Job job, ModelArtifact model, Progress progress) {
    checkFiles(job);
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

  /**
   * Refuses, before anything is written, a job whose files would clobber each other or whose
   * output or quarantine cannot be written: else the scores may already have replaced the
   * output when a row goes to quarantine and its file fails.
   */
  private static void checkFiles(Job job) {
    Path quarantine = job.quarantineFile();
    BatchInput.FileFormat.of(job.output(), "output");
    BatchInput.FileFormat.of(quarantine, "quarantine");
    refuseSame("output", job.output(), "input", job.input());
    refuseSame("quarantine", quarantine, "input", job.input());
    refuseSame("quarantine", quarantine, "output", job.output());
    checkWritable("output", job.output(), job.input());
    checkWritable("quarantine", quarantine, job.input());
  }

  private static void checkWritable(String role, Path file, Path input) {
    if (Files.isDirectory(file)) {
      throw new InvalidInputException(role + " " + file + ": is a folder");
    }
    // A folder of Parquet files is read whole: a file written into it is read next time.
    if (Files.isDirectory(input) && file.toAbsolutePath().normalize()
        .startsWith(input.toAbsolutePath().normalize())) {
      throw new InvalidInputException(role + " " + file + ": inside the input folder " + input
          + ", where the next read would take it for input; choose another");
    }
    probeFolder(role, file);
  }

  /**
   * Creates and removes a file beside {@code file}, and any folders that took: what cannot be
   * written fails here, and a job that writes no quarantine leaves no trace of it.
   */
  private static void probeFolder(String role, Path file) {
    Path folder = file.toAbsolutePath().getParent();
    Path existing = folder;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      Files.createDirectories(folder);
      Files.delete(Files.createTempFile(folder, "." + file.getFileName(), ".probe"));
    } catch (IOException e) {
      throw new InvalidInputException(role + " " + file + ": cannot create a file in "
          + folder);
    } finally {
      for (Path created = folder; created != null && !created.equals(existing);
          created = created.getParent()) {
        try {
          Files.deleteIfExists(created);
        } catch (IOException e) {
          break;
        }
      }
    }
  }

  private static void refuseSame(String role, Path file, String otherRole, Path other) {
    Path absolute = file.toAbsolutePath().normalize();
    boolean same = absolute.equals(other.toAbsolutePath().normalize());
    try {
      same = same || Files.exists(file) && Files.exists(other) && Files.isSameFile(file, other);
    } catch (IOException e) {
      // Unreadable here means it is read or written later, and fails there with its reason.
    }
    if (same) {
      throw new InvalidInputException(role + " " + file + ": the same file as the " + otherRole
          + " (" + other + "); choose another");
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
