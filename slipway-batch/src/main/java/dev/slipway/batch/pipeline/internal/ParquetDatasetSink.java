package dev.slipway.batch.pipeline.internal;

import dev.slipway.batch.BatchJobException;
import dev.slipway.batch.ScoringWorkspace;
import dev.slipway.batch.internal.Folders;
import dev.slipway.batch.pipeline.Window;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * A Parquet dataset with one partition folder per run window ({@code window=START_END/}).
 * Re-running a window replaces its partition whole: the new one is written beside it and
 * renamed into place, so readers see the old or the new rows, never a mix or a duplicate.
 */
public final class ParquetDatasetSink {
  private ParquetDatasetSink() {}

  /**
   * A window's partition written beside the dataset's partitions, not yet one of them: a run
   * publishes it once its other sinks are written, or discards it.
   */
  public static final class Staged {
    private final Path staging;
    private final Path partition;

    private Staged(Path staging, Path partition) {
      this.staging = staging;
      this.partition = partition;
    }

    /** Makes the staged rows the window's partition; returns the partition folder. */
    public Path publish() {
      Path retired = partition.resolveSibling(".retired-" + UUID.randomUUID());
      try {
        if (Files.exists(partition)) {
          Files.move(partition, retired, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, partition, StandardCopyOption.ATOMIC_MOVE);
        Folders.deleteRecursively(retired);
        return partition;
      } catch (IOException e) {
        discard();
        throw new BatchJobException("cannot write partition " + partition + ": "
            + e.getMessage(), e);
      }
    }

    public void discard() {
      Folders.deleteRecursively(staging);
    }
  }

  /** Writes the workspace's scores as the window's partition, staged. */
  public static Staged stage(ScoringWorkspace workspace, Path dataset, Window window) {
    Path partition = dataset.resolve("window=" + window.label());
    Path staging = dataset.resolve(".staging-" + UUID.randomUUID());
    workspace.deleteIfStopped(staging);
    try {
      Files.createDirectories(staging);
      workspace.exportScores(staging.resolve("part-0.parquet"));
      return new Staged(staging, partition);
    } catch (IOException e) {
      Folders.deleteRecursively(staging);
      throw new BatchJobException("cannot write partition " + partition + ": " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      Folders.deleteRecursively(staging);
      throw e;
    }
  }
}
