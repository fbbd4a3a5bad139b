package dev.slipway.core.runtime.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.slipway.core.ModelLoadException;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelRuntime;
import dev.slipway.core.runtime.RuntimeOptions;
import java.nio.file.Path;

/** Loads {@code .onnx} artifacts into ONNX Runtime (CPU); natives ship inside its jar. */
public final class OnnxModelRuntime implements ModelRuntime {
  @Override
  public String name() {
    return "onnx";
  }

  @Override
  public boolean accepts(Path artifactFile) {
    return artifactFile.getFileName().toString().endsWith(".onnx");
  }

  @Override
  public Model load(Path artifactFile, RuntimeOptions options) {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
      sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
      sessionOptions.setInterOpNumThreads(options.interOpThreads());
      sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // The CPU arena is one lock that every concurrent call of the session takes: two event
      // loops scoring one row each spent twice a lone call's time (bc_mlp, BENCHMARKS.md).
      sessionOptions.setCPUArenaAllocator(false);
      OrtSession session = environment.createSession(artifactFile.toString(), sessionOptions);
      try {
        return new OnnxModel(environment, session);
      } catch (RuntimeException e) {
        session.close();
        throw e;
      }
    } catch (OrtException e) {
      throw new ModelLoadException(
          artifactFile + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
    }
  }
}
