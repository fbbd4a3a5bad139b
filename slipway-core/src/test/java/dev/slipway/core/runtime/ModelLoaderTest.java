package dev.slipway.core.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.ModelLoadException;
import dev.slipway.core.runtime.internal.XGBoostModelRuntime;
import dev.slipway.core.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {
  @TempDir
  Path temp;

  @Test
  void withRuntimesFrom_runtimeLibraryMissing_skipsThatRuntimeAndLoadsOnnx() {
    ModelLoader loader = ModelLoader.withRuntimesFrom(new WithoutXGBoost());

    try (Model model = loader.load(Fixtures.path("bc_mlp.onnx"), RuntimeOptions.DEFAULT)) {
      assertThat(model.signature().inputNames()).containsExactly("input");
    }
  }

  @Test
  void load_modelOfSkippedRuntime_namesTheMissingClass() throws IOException {
    Path model = Files.write(temp.resolve("model.ubj"), new byte[] {'{', '}'});
    ModelLoader loader = ModelLoader.withRuntimesFrom(new WithoutXGBoost());

    assertThatThrownBy(() -> loader.load(model, RuntimeOptions.DEFAULT))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("no runtime reads this file")
        .hasMessageContaining(XGBoostModelRuntime.class.getName())
        .hasMessageContaining("ml/dmlc/xgboost4j");
  }

  /**
   * Sees core's classes and service files but not XGBoost's library, like the Spark module's
   * class path. The XGBoost runtime is defined here, so linking it looks for XGBoost in here.
   */
  private static final class WithoutXGBoost extends ClassLoader {
    private static final String RUNTIME = XGBoostModelRuntime.class.getName();

    WithoutXGBoost() {
      super(ModelLoader.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        if (name.startsWith("ml.dmlc.")) {
          throw new ClassNotFoundException(name);
        }
        if (!name.equals(RUNTIME)) {
          return super.loadClass(name, resolve);
        }
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          byte[] bytes = classFile(name);
          loaded = defineClass(name, bytes, 0, bytes.length);
        }
        return loaded;
      }
    }

    private byte[] classFile(String name) {
      try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
