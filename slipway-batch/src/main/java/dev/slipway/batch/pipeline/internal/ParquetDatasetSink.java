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

  /** Writes the workspace's scores as the window's partition; returns the partition folder. */
  public static Path write(ScoringWorkspace workspace, Path dataset, Window window) {
    Path partition = dataset.resolve("window=" + window.label());
    Path staging = dataset.resolve(".staging-" + UUID.randomUUID());
    Path retired = dataset.resolve(".retired-" + UUID.randomUUID());
    try {
      Files.createDirectories(staging);
      workspace.exportScores(staging.resolve("part-0.parquet"));
      if (Files.exists(partition)) {
        Files.move(partition, retired, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(staging, partition, StandardCopyOption.ATOMIC_MOVE);
      Folders.deleteRecursively(retired);
      return partition;
    } catch (IOException e) {
      Folders.deleteRecursively(staging);
      throw new BatchJobException("cannot write partition " + partition + ": " + e.getMessage(),
          e);
    }
  }
}
