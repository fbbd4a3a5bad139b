package dev.slipway.serving.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.core.DataType;
import dev.slipway.core.Tensor;
import dev.slipway.core.tabular.TabularScorer;
import dev.slipway.core.tabular.TabularScorer.OutputColumn;
import dev.slipway.features.ValueType;
import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.ScoreStore;
import dev.slipway.serving.ScoreDeployment;
import dev.slipway.serving.internal.InferenceMetrics.Protocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Pre-computed score look-up, {@code GET /v1/scores/{deployment}/{entity}}: the score a batch
 * run stored for the entity, else the deployment's fallback chain (inline scoring from online
 * features, then the baseline), else 404. The answer names its source; {@code /metrics} counts
 * look-ups by deployment and source.
 */
public final class ScoresApi {
  /** Which link of the chain answered. */
  enum Source {
    PRECOMPUTED,
    INLINE,
    BASELINE,
    NONE
  }

  private static final Set<ValueType> INTEGER_KEYS = Set.of(ValueType.INT64, ValueType.INT32);

  private final ScoreStore store;
  private final Map<String, ScoreDeployment> deployments;
  private final InferenceService inference;
  private final OnlineFeatureRetrieval retrieval;
  private final Clock clock;
  private final Map<String, Map<Source, Counter>> lookups = new HashMap<>();
  /** The deployments whose entity key is an integer, with its type (looked up once). */
  private final Map<String, ValueType> integerKeys = new HashMap<>();

  /**
   * @param retrieval the feature store's retrieval, for entity key types; null without features
   */
  public ScoresApi(ScoreStore store, List<ScoreDeployment> deployments,
      InferenceService inference, OnlineFeatureRetrieval retrieval, MeterRegistry meters,
      Clock clock) {
    this.store = store;
    this.deployments = new LinkedHashMap<>();
    deployments.forEach(deployment -> this.deployments.put(deployment.name(), deployment));
    this.inference = inference;
    this.retrieval = retrieval;
    this.clock = clock;
    for (ScoreDeployment deployment : deployments) {
      Map<Source, Counter> counters = new HashMap<>();
      for (Source source : Source.values()) {
        counters.put(source, Counter.builder("slipway.scores.lookups")
            .description("Pre-computed score look-ups, by the source that answered")
            .tag("deployment", deployment.name())
            .tag("source", source.name().toLowerCase(Locale.ROOT))
            .register(meters));
      }
      lookups.put(deployment.name(), counters);
      Optional<ValueType> keyType = retrieval == null ? Optional.empty()
          : retrieval.entityColumnType(deployment.entityColumn());
      keyType.filter(INTEGER_KEYS::contains)
          .ifPresent(type -> integerKeys.put(deployment.name(), type));
    }
  }

  public void registerOn(ServerBuilder server) {
    server.route().get("/v1/scores/{deployment}/{entity}").build((ctx, req) -> lookUp(ctx));
  }

  // Reads are asynchronous: RocksDB answers at once on the event loop, Redis when its reply
  // arrives, so one event loop keeps many look-ups in flight.
  private HttpResponse lookUp(ServiceRequestContext ctx) {
    String name = ctx.pathParam("deployment");
    String entity = ctx.pathParam("entity");
    ScoreDeployment deployment = deployments.get(name);
    if (deployment == null) {
      return error(HttpStatus.NOT_FOUND, "no score deployment '" + name + "' (deployments: "
          + deployments.keySet() + ")");
    }
    ValueType keyType = integerKeys.get(name);
    String key = entity;
    if (keyType != null) {
      // Stored as the key's value printed: 01 and 1 are one entity.
      try {
        key = Long.toString(Long.parseLong(entity));
      } catch (NumberFormatException e) {
        return error(HttpStatus.BAD_REQUEST, "entity '" + entity + "': expected an integer (the"
            + " key " + deployment.entityColumn() + " is " + keyType.name().toLowerCase(
                Locale.ROOT) + ")");
      }
    }
    return HttpResponse.of(store.readAsync(name, EntityKey.of(key)).thenCompose(stored -> {
      if (stored.isPresent()) {
        return CompletableFuture.completedFuture(
            answer(deployment, entity, Source.PRECOMPUTED, stored.get()));
      }
      return inline(deployment, entity).thenCompose(scores -> scores.isPresent()
          ? CompletableFuture.completedFuture(
              answer(deployment, entity, Source.INLINE, scores.get()))
          : baseline(deployment).thenApply(baseline -> {
            if (baseline.isPresent()) {
              return answer(deployment, entity, Source.BASELINE, baseline.get());
            }
            lookups.get(name).get(Source.NONE).increment();
            return error(HttpStatus.NOT_FOUND, "entity '" + entity + "': no pre-computed score"
                + " in deployment '" + name + "' and no fallback answered");
          }));
    }));
  }

  /** Scores the entity with the bound model from its online features; empty if it cannot. */
  private CompletableFuture<Optional<ScoreStore.Scores>> inline(ScoreDeployment deployment,
      String entity) {
    if (deployment.inlineModel() == null || retrieval == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Optional<Tensor> key = entityTensor(deployment.entityColumn(), entity);
    if (key.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return inference.infer(Protocol.REST, deployment.inlineModel(), null, List.of(key.get()),
            List.of())
        .handle((result, error) -> {
          if (error != null) {
            // A missing feature, an entity the feature store does not know: the next link of
            // the chain answers.
            return Optional.empty();
          }
          Map<String, Object> scores = new LinkedHashMap<>();
          List<OutputColumn> columns = TabularScorer.outputColumns(
              result.outputs().stream().map(ScoresApi::spec).toList());
          for (OutputColumn column : columns) {
            scores.put(column.name(), element(result.outputs().get(column.output()),
                column.index()));
          }
          Instant now = clock.instant();
          return Optional.of(new ScoreStore.Scores(scores, result.modelName(),
              result.version(), now, now));
        });
  }

  private CompletableFuture<Optional<ScoreStore.Scores>> baseline(ScoreDeployment deployment) {
    if (deployment.mostFrequentBaseline()) {
      return store.baselineAsync(deployment.name());
    }
    if (deployment.baseline().isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return CompletableFuture.completedFuture(Optional.of(new ScoreStore.Scores(
        new LinkedHashMap<>(deployment.baseline()), "baseline", null, Instant.EPOCH,
        Instant.EPOCH)));
  }

  private Optional<Tensor> entityTensor(String column, String entity) {
    Optional<ValueType> type = retrieval.entityColumnType(column);
    try {
      if (type.isPresent() && type.get() == ValueType.INT64) {
        return Optional.of(Tensor.ofLongs(column, new long[] {1},
            new long[] {Long.parseLong(entity)}));
      }
      if (type.isPresent() && type.get() == ValueType.INT32) {
        return Optional.of(Tensor.ofInts(column, new long[] {1},
            new int[] {Integer.parseInt(entity)}));
      }
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private HttpResponse answer(ScoreDeployment deployment, String entity, Source source,
      ScoreStore.Scores scores) {
    lookups.get(deployment.name()).get(source).increment();
    // Written straight to bytes: no tree of nodes per look-up.
    ByteArrayBuilder bytes = new ByteArrayBuilder(320);
    try (JsonGenerator json = RestApi.JSON.getFactory().createGenerator(bytes)) {
      json.writeStartObject();
      json.writeStringField("deployment", deployment.name());
      json.writeStringField("entity", entity);
      json.writeStringField("source", source.name().toLowerCase(java.util.Locale.ROOT));
      json.writeObjectFieldStart("scores");
      for (Map.Entry<String, Object> score : scores.scores().entrySet()) {
        json.writeFieldName(score.getKey());
        json.writeObject(score.getValue());
      }
      json.writeEndObject();
      json.writeStringField("model_name", scores.modelName());
      if (scores.modelVersion() == null) {
        json.writeNullField("model_version");
      } else {
        json.writeNumberField("model_version", scores.modelVersion());
      }
      if (source == Source.PRECOMPUTED) {
        json.writeStringField("scored_at", scores.scoredAt().toString());
        json.writeStringField("data_time", scores.dataTime().toString());
        json.writeNumberField("age_seconds",
            Duration.between(scores.scoredAt(), clock.instant()).toMillis() / 1000.0);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON, bytes.toByteArray());
  }

  private static dev.slipway.core.TensorSpec spec(Tensor tensor) {
    return new dev.slipway.core.TensorSpec(tensor.name(), tensor.dataType(), tensor.shape());
  }

  private static Object element(Tensor tensor, int index) {
    Object data = tensor.data();
    DataType type = tensor.dataType();
    return switch (type) {
      case FP32 -> ((float[]) data)[index];
      case FP64 -> ((double[]) data)[index];
      case INT64 -> ((long[]) data)[index];
      case INT32 -> ((int[]) data)[index];
      case BOOL -> ((boolean[]) data)[index];
      default -> null;
    };
  }

  private static HttpResponse error(HttpStatus status, String message) {
    return HttpResponse.of(status, MediaType.JSON, RestApi.errorBody(message));
  }
}
