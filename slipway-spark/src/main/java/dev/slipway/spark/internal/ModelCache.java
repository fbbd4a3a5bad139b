package dev.slipway.spark.internal;

import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.core.runtime.RuntimeOptions;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models this JVM (a driver or an executor) has loaded, by absolute model path. Every task of
 * every job on an executor shares one loaded model: loading an ONNX session costs far more than
 * scoring a partition, and a {@link Model} is safe for concurrent calls.
 *
 * <p>Models are never closed: they live as long as the executor, whose exit frees the natives.
 */
public final class ModelCache {
  // computeIfAbsent holds the entry's lock while loading, so tasks racing on a cold executor wait
  // for the first load instead of each loading the model.
  private static final ConcurrentHashMap<String, Model> MODELS = new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  private ModelCache() {}

  /**
   * The model at {@code absolutePath}, loaded on first use.
   *
   * @throws dev.slipway.core.ModelLoadException naming the path when it cannot be loaded (nothing
   *     is cached, so a later call tries again)
   */
  public static Model get(String absolutePath) {
    return MODELS.computeIfAbsent(absolutePath, path -> {
      LOADS.incrementAndGet();
      return ModelLoader.withInstalledRuntimes().load(Path.of(path), RuntimeOptions.DEFAULT);
    });
  }

  /** How many times this JVM has loaded a model, for tests that check the once-per-JVM rule. */
  public static int loads() {
    return LOADS.get();
  }
}
