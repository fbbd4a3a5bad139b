package dev.slipway.core.runtime;

import java.nio.file.Path;

/**
 * A plug-in that loads one kind of model artifact. Runtimes are found with {@link
 * java.util.ServiceLoader}; {@link ModelLoader} picks the one that claims an artifact.
 */
public interface ModelRuntime {
  /** Short name, also the MLflow flavor it reads ("onnx", "xgboost"). */
  String name();

  /** True when this runtime reads the given artifact file, judged by its name. */
  boolean accepts(Path artifactFile);

  /**
   * Loads an artifact file.
   *
   * @throws dev.slipway.core.ModelLoadException naming the file and the reason
   */
  Model load(Path artifactFile, RuntimeOptions options);
}
