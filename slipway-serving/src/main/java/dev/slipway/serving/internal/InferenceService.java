package dev.slipway.serving.internal;

import dev.slipway.core.InvalidInputException;
import dev.slipway.core.Tensor;
import dev.slipway.serving.ModelNotFoundException;
import dev.slipway.serving.internal.InferenceMetrics.Outcome;
import dev.slipway.serving.internal.InferenceMetrics.Protocol;
import java.util.ArrayList;
import dev.slipway.serving.FeatureBinding;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Transport-neutral inference: resolve the model version, check the request against its
 * signature, score (inline or through the dynamic batcher), keep the requested outputs, count it.
 * REST and gRPC both decode into this and encode its result.
 */
public final class InferenceService {
  /** A scored request: which version answered and its outputs, in signature order. */
  public record Result(String modelName, long version, List<Tensor> outputs) {}

  private final ModelManager models;
  private final InferenceMetrics metrics;
  private final Map<String, EntityInputAssembler> entityInputs;

  public InferenceService(ModelManager models, InferenceMetrics metrics) {
    this(models, metrics, Map.of());
  }

  /**
   * @param bindings models whose requests may name entities instead of sending the model's input
   */
  public InferenceService(ModelManager models, InferenceMetrics metrics,
      Map<String, FeatureBinding> bindings, OnlineFeatureRetrieval retrieval) {
    this(models, metrics, assemblers(bindings, retrieval));
  }

  private InferenceService(ModelManager models, InferenceMetrics metrics,
      Map<String, EntityInputAssembler> entityInputs) {
    this.models = models;
    this.metrics = metrics;
    this.entityInputs = Map.copyOf(entityInputs);
  }

  private static Map<String, EntityInputAssembler> assemblers(
      Map<String, FeatureBinding> bindings, OnlineFeatureRetrieval retrieval) {
    Map<String, EntityInputAssembler> assemblers = new HashMap<>();
    bindings.forEach((model, binding) ->
        assemblers.put(model, new EntityInputAssembler(binding, retrieval)));
    return assemblers;
  }

  public ModelManager models() {
    return models;
  }

  /**
   * Scores one request.
   *
   * @param version a version number, or null/empty for the highest loaded one
   * @param requestedOutputs output names to return; empty for all
   * @return a future that fails with {@link InvalidInputException} or {@link
   *     ModelNotFoundException} for a client's mistake
   */
  public CompletableFuture<Result> infer(Protocol protocol, String model, String version,
      List<Tensor> inputs, List<String> requestedOutputs) {
    long start = System.nanoTime();
    ServedVersion served;
    try {
      served = models.acquire(model, version);
    } catch (RuntimeException e) {
      metrics.unknownModel(protocol);
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<List<Tensor>> scored;
    try {
      List<Tensor> modelInputs = inputs;
      EntityInputAssembler assembler = entityInputs.get(model);
      if (assembler != null && assembler.appliesTo(inputs, served.signature())) {
        // Entity-reference scoring: the online store read is short (RocksDB in-process, one
        // Redis round trip), so it runs on the calling thread like the model itself.
        modelInputs = assembler.assemble(inputs, served.signature());
      }
      List<Tensor> conformed = served.signature().conform(modelInputs);
      served.signature().checkOutputNames(requestedOutputs);
      scored = served.predict(conformed);
    } catch (RuntimeException e) {
      scored = CompletableFuture.failedFuture(e);
    }
    return scored.handle((outputs, error) -> {
      served.release();
      Outcome outcome = error == null ? Outcome.SUCCESS
          : ErrorMapping.isClientError(error) ? Outcome.CLIENT_ERROR : Outcome.SERVER_ERROR;
      served.meters().request(protocol, outcome, System.nanoTime() - start);
      if (error != null) {
        throw ErrorMapping.asCompletionException(error);
      }
      return new Result(served.modelName(), served.version(), select(outputs, requestedOutputs));
    });
  }

  /**
   * Counts a request whose body could not be decoded into tensors against the version it named,
   * so that a malformed body shows in that version's outcome counts like any other mistake.
   */
  public void rejected(Protocol protocol, String model, String version, Throwable error,
      long startNanos) {
    ServedVersion served;
    try {
      served = models.resolve(model, version);
    } catch (RuntimeException e) {
      metrics.unknownModel(protocol);
      return;
    }
    Outcome outcome =
        ErrorMapping.isClientError(error) ? Outcome.CLIENT_ERROR : Outcome.SERVER_ERROR;
    served.meters().request(protocol, outcome, System.nanoTime() - startNanos);
  }

  private static List<Tensor> select(List<Tensor> outputs, List<String> requested) {
    if (requested.isEmpty()) {
      return outputs;
    }
    List<Tensor> selected = new ArrayList<>(requested.size());
    for (String name : requested) {
      for (Tensor output : outputs) {
        if (output.name().equals(name)) {
          selected.add(output);
        }
      }
    }
    return selected;
  }
}
