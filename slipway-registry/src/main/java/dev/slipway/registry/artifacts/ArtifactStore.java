package dev.slipway.registry.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where run and model artifacts live, addressed by relative paths ({@code 1/abc123/artifacts/
 * model/model.onnx}). Paths are checked before any file is touched: no {@code ..}, no absolute
 * paths. A local folder by default; an object store can implement the same interface.
 */
public interface ArtifactStore {
  /** A file or folder directly under a listed folder. */
  record FileInfo(String path, boolean directory, long sizeBytes) {}

  /**
   * Writes {@code content} at {@code path}, atomically: readers see the old file or the new one.
   *
   * @throws dev.slipway.registry.MlflowException INVALID_PARAMETER_VALUE for a bad or sealed path
   */
  void put(String path, InputStream content) throws IOException;

  /** Opens the file at {@code path}; RESOURCE_DOES_NOT_EXIST when there is none. */
  InputStream open(String path) throws IOException;

  /** The entries directly under folder {@code path} ("" for the root), sorted by name. */
  List<FileInfo> list(String path) throws IOException;

  /** Deletes a file or folder tree; RESOURCE_DOES_NOT_EXIST when there is none. */
  void delete(String path) throws IOException;

  /** Copies a folder tree (or one file) to {@code target}, which must not exist yet. */
  void copy(String source, String target) throws IOException;

  /**
   * Makes everything under {@code prefix} immutable: later writes and deletes there are refused.
   * Registered model versions are sealed so that what was validated is what gets served.
   */
  void seal(String prefix) throws IOException;

  /** The local folder holding {@code path}, for runtimes that read files. */
  java.nio.file.Path localPath(String path);
}
