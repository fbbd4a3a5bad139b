package dev.slipway.core.runtime;

import dev.slipway.core.ModelLoadException;
import dev.slipway.core.runtime.internal.MlflowModelFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Loads a model from what users hand us: a bare artifact file ({@code model.onnx}, XGBoost {@code
 * model.json}/{@code model.ubj}), a folder holding exactly one such file, or an MLflow model folder
 * (an {@code MLmodel} file naming an {@code onnx} or {@code xgboost} flavor).
 */
public final class ModelLoader {
  private final List<ModelRuntime> runtimes;
  private final List<String> skipped;

  private ModelLoader(List<ModelRuntime> runtimes, List<String> skipped) {
    this.runtimes = List.copyOf(runtimes);
    this.skipped = List.copyOf(skipped);
  }

  /**
   * A loader with every runtime on the class path. A runtime whose library is missing (the Spark
   * module leaves out XGBoost, whose Scala 2.12 clashes with Spark's) is skipped, so the others
   * still load; asking for its kind of model then names what is missing.
   */
  public static ModelLoader withInstalledRuntimes() {
    return withRuntimesFrom(ModelLoader.class.getClassLoader());
  }

  static ModelLoader withRuntimesFrom(ClassLoader classLoader) {
    List<ModelRuntime> runtimes = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Iterator<ModelRuntime> providers = ServiceLoader.load(ModelRuntime.class, classLoader)
        .iterator();
    while (true) {
      try {
        if (!providers.hasNext()) {
          break;
        }
        runtimes.add(providers.next());
      } catch (ServiceConfigurationError e) {
        // The iterator moves past a provider that failed, so the rest are still found.
        skipped.add(missingClass(e));
      }
    }
    return new ModelLoader(runtimes, skipped);
  }

  /** What a provider lacks, or the error itself when it failed for another reason. */
  private static String missingClass(ServiceConfigurationError error) {
    for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof NoClassDefFoundError || cause instanceof ClassNotFoundException) {
        return error.getMessage() + " (missing class " + cause.getMessage() + ")";
      }
    }
    throw error;
  }

  /**
   * Loads the model at {@code path}.
   *
   * @throws ModelLoadException naming the path and what was expected there
   */
  public Model load(Path path, RuntimeOptions options) {
    if (Files.isRegularFile(path)) {
      return runtimeFor(path).load(path, options);
    }
    if (!Files.isDirectory(path)) {
      throw new ModelLoadException(path + ": no such file or folder");
    }
    Path mlmodel = path.resolve(MlflowModelFolder.MLMODEL_FILE);
    if (Files.isRegularFile(mlmodel)) {
      MlflowModelFolder folder = MlflowModelFolder.read(path, runtimeNames());
      ModelRuntime runtime = runtimeNamed(folder.flavor());
      Model model = runtime.load(folder.artifact(), options);
      try {
        return folder.refine(model);
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    }
    List<Path> artifacts = artifactsIn(path);
    if (artifacts.size() != 1) {
      throw new ModelLoadException(
          path + ": found " + artifacts.size() + " model artifacts " + artifacts.stream()
              .map(p -> p.getFileName().toString()).toList()
              + " (expected exactly one of model.onnx, model.json, model.ubj, or an MLmodel file)");
    }
    return runtimeFor(artifacts.get(0)).load(artifacts.get(0), options);
  }

  private List<Path> artifactsIn(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(Files::isRegularFile)
          .filter(file -> runtimes.stream().anyMatch(runtime -> runtime.accepts(file)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new ModelLoadException(folder + ": cannot list the folder: " + e.getMessage(), e);
    }
  }

  private ModelRuntime runtimeFor(Path file) {
    return runtimes.stream()
        .filter(runtime -> runtime.accepts(file))
        .findFirst()
        .orElseThrow(
            () -> new ModelLoadException(
                file + ": no runtime reads this file (expected a .onnx, .json or .ubj model)"
                    + skippedNote()));
  }

  private ModelRuntime runtimeNamed(String name) {
    return runtimes.stream()
        .filter(runtime -> runtime.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new ModelLoadException("no runtime named '" + name + "' installed"
            + skippedNote()));
  }

  private String skippedNote() {
    return skipped.isEmpty() ? "" : "; runtimes left out because their library is not on the"
        + " class path: " + skipped;
  }

  private List<String> runtimeNames() {
    return runtimes.stream().map(ModelRuntime::name).toList();
  }
}
