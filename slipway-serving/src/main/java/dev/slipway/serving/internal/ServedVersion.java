package dev.slipway.serving.internal;

import dev.slipway.core.Signature;
import dev.slipway.core.Tensor;
import dev.slipway.serving.ModelConfig;
import dev.slipway.core.TensorSpec;
import dev.slipway.core.runtime.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded, warmed model version. It is reference counted so that a reload never closes a
 * runtime under a request: the manager holds one reference while the version is published, every
 * request holds one until its answer is ready, and the runtime closes when the count reaches zero.
 */
final class ServedVersion {
  private final String modelName;
  private final long version;
  private final Model model;
  private final String fingerprint;
  private final InferenceMetrics.VersionMeters meters;
  private final DynamicBatcher batcher;
  private final AtomicInteger references = new AtomicInteger(1);
  private final AtomicBoolean retired = new AtomicBoolean();

  ServedVersion(String modelName, long version, Model model, ModelConfig config,
      String fingerprint, InferenceMetrics metrics) {
    this.modelName = modelName;
    this.version = version;
    this.model = model;
    this.fingerprint = fingerprint;
    this.meters = metrics.forVersion(modelName, version);
    boolean batchable = model.signature().inputs().stream().allMatch(TensorSpec::batchable);
    this.batcher = config.batching() && batchable
        ? new DynamicBatcher(model, config, meters, modelName + "-v" + version)
        : null;
  }

  String modelName() {
    return modelName;
  }

  long version() {
    return version;
  }

  Signature signature() {
    return model.signature();
  }

  String platform() {
    return model.platform();
  }

  String fingerprint() {
    return fingerprint;
  }

  boolean batching() {
    return batcher != null;
  }

  InferenceMetrics.VersionMeters meters() {
    return meters;
  }

  /**
   * Scores conformed inputs. Without batching the runtime runs on the calling thread: Armeria's
   * event loops are as many as the cores, and a hand-off to another pool costs more than a small
   * model's call.
   */
  CompletableFuture<List<Tensor>> predict(List<Tensor> conformed) {
    if (batcher != null) {
      return batcher.submit(conformed);
    }
    try {
      return CompletableFuture.completedFuture(model.predict(conformed));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Runs one request of one row of zeros so that the first real request finds a warm runtime. */
  void warmUp() {
    List<Tensor> inputs = new ArrayList<>();
    for (TensorSpec spec : model.signature().inputs()) {
      long[] shape = spec.shape();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      inputs.add(Tensor.of(spec.name(), spec.dataType(), shape,
          spec.dataType().newArray((int) Tensor.elementCount(shape))));
    }
    model.predict(inputs);
  }

  /** Takes a reference for one request; false once the version has been retired and drained. */
  boolean tryAcquire() {
    while (true) {
      int count = references.get();
      if (count == 0) {
        return false;
      }
      if (references.compareAndSet(count, count + 1)) {
        return true;
      }
    }
  }

  void release() {
    if (references.decrementAndGet() == 0) {
      if (batcher != null) {
        batcher.close();
      }
      model.close();
    }
  }

  /** Drops the manager's reference: the runtime closes after the last request in flight. */
  void retire() {
    if (retired.compareAndSet(false, true)) {
      release();
    }
  }
}
