package dev.slipway.serving.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.core.Signature;
import dev.slipway.core.TensorSpec;
import dev.slipway.serving.internal.InferenceMetrics.Protocol;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The Open Inference Protocol's REST binding, Triton's model repository extension, and {@code
 * /metrics}. Errors go through {@link ErrorMapping} and leave as {@code {"error": "..."}}.
 */
public final class RestApi {
  static final ObjectMapper JSON = new ObjectMapper(OipJson.factory());
  private static final MediaType PROMETHEUS_TEXT =
      MediaType.parse("text/plain; version=0.0.4; charset=utf-8");

  private final InferenceService inference;
  private final ModelManager models;
  private final ServerInfo serverInfo;
  private final PrometheusMeterRegistry prometheus;

  public RestApi(InferenceService inference, ServerInfo serverInfo,
      PrometheusMeterRegistry prometheus) {
    this.inference = inference;
    this.models = inference.models();
    this.serverInfo = serverInfo;
    this.prometheus = prometheus;
  }

  public void registerOn(ServerBuilder server) {
    server.route().get("/v2").build((ctx, req) -> json(HttpStatus.OK, serverMetadata()));
    server.route().get("/v2/health/live").build(
        (ctx, req) -> json(HttpStatus.OK, JSON.createObjectNode().put("live", true)));
    server.route().get("/v2/health/ready").build((ctx, req) -> json(
        models.ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE,
        JSON.createObjectNode().put("ready", models.ready())));
    server.route().get("/v2/models/{model}").build((ctx, req) -> modelMetadata(ctx));
    server.route().get("/v2/models/{model}/versions/{version}")
        .build((ctx, req) -> modelMetadata(ctx));
    server.route().get("/v2/models/{model}/ready").build((ctx, req) -> modelReady(ctx));
    server.route().get("/v2/models/{model}/versions/{version}/ready")
        .build((ctx, req) -> modelReady(ctx));
    server.route().post("/v2/models/{model}/infer").build((ctx, req) -> infer(ctx, req));
    server.route().post("/v2/models/{model}/versions/{version}/infer")
        .build((ctx, req) -> infer(ctx, req));
    server.route().post("/v2/repository/index").build((ctx, req) -> repositoryIndex());
    server.route().post("/v2/repository/models/{model}/load").build((ctx, req) ->
        blocking(ctx, () -> {
          models.load(ctx.pathParam("model"));
          return json(HttpStatus.OK, JSON.createObjectNode());
        }));
    server.route().post("/v2/repository/models/{model}/unload").build((ctx, req) ->
        blocking(ctx, () -> {
          models.unload(ctx.pathParam("model"));
          return json(HttpStatus.OK, JSON.createObjectNode());
        }));
    server.route().get("/metrics").build((ctx, req) ->
        HttpResponse.of(HttpStatus.OK, PROMETHEUS_TEXT, prometheus.scrape()));
  }

  private HttpResponse infer(ServiceRequestContext ctx, HttpRequest req) {
    String model = ctx.pathParam("model");
    String version = ctx.pathParam("version");
    return HttpResponse.of(req.aggregate().thenCompose(aggregated -> {
      long start = System.nanoTime();
      OipJson.InferRequest request;
      try {
        request = OipJson.readInferRequest(aggregated.content().array());
      } catch (IOException | RuntimeException e) {
        inference.rejected(Protocol.REST, model, version, e, start);
        return CompletableFuture.completedFuture(error(e));
      }
      return inference.infer(Protocol.REST, model, version, request.inputs(), request.outputs())
          .handle((result, failure) -> failure != null ? error(failure)
              : HttpResponse.of(HttpStatus.OK, MediaType.JSON,
                  OipJson.writeInferResponse(request.id(), result)));
    }));
  }

  private ObjectNode serverMetadata() {
    ObjectNode node = JSON.createObjectNode()
        .put("name", serverInfo.name())
        .put("version", serverInfo.version());
    node.putArray("extensions").add("model_repository").add("metrics");
    return node;
  }

  private HttpResponse modelMetadata(ServiceRequestContext ctx) {
    try {
      String model = ctx.pathParam("model");
      ServedVersion served = models.resolve(model, ctx.pathParam("version"));
      ObjectNode node = JSON.createObjectNode().put("name", model);
      ArrayNode versions = node.putArray("versions");
      models.versions(model).forEach(v -> versions.add(Long.toString(v.version())));
      node.put("platform", served.platform());
      Signature signature = served.signature();
      writeSpecs(node.putArray("inputs"), signature.inputs());
      writeSpecs(node.putArray("outputs"), signature.outputs());
      return json(HttpStatus.OK, node);
    } catch (RuntimeException e) {
      return error(e);
    }
  }

  private static void writeSpecs(ArrayNode array, List<TensorSpec> specs) {
    for (TensorSpec spec : specs) {
      ObjectNode entry = array.addObject()
          .put("name", spec.name())
          .put("datatype", spec.dataType().name());
      ArrayNode shape = entry.putArray("shape");
      for (long dim : spec.shape()) {
        shape.add(dim);
      }
    }
  }

  private HttpResponse modelReady(ServiceRequestContext ctx) {
    try {
      String model = ctx.pathParam("model");
      models.resolve(model, ctx.pathParam("version"));
      return json(HttpStatus.OK, JSON.createObjectNode().put("name", model).put("ready", true));
    } catch (RuntimeException e) {
      return error(e);
    }
  }

  private HttpResponse repositoryIndex() {
    ArrayNode index = JSON.createArrayNode();
    for (ModelManager.VersionState state : models.index()) {
      ObjectNode entry = index.addObject().put("name", state.model());
      if (!state.version().isEmpty()) {
        entry.put("version", state.version());
      }
      entry.put("state", state.state()).put("reason", state.reason());
    }
    return json(HttpStatus.OK, index);
  }

  /** Loads take seconds: run them off the event loop. */
  private static HttpResponse blocking(
      ServiceRequestContext ctx, Supplier<HttpResponse> action) {
    return HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      try {
        return action.get();
      } catch (RuntimeException e) {
        return error(e);
      }
    }, ctx.blockingTaskExecutor()));
  }

  static HttpResponse json(HttpStatus status, Object body) {
    try {
      return HttpResponse.of(status, MediaType.JSON, JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The response for any failure, through {@link ErrorMapping}. */
  public static HttpResponse error(Throwable failure) {
    ErrorMapping.Mapped mapped = ErrorMapping.map(failure);
    return json(mapped.httpStatus(), JSON.createObjectNode().put("error", mapped.message()));
  }

  /** MLflow's {@code {"error_code": code, "message": message}} as JSON text. */
  public static String mlflowErrorBody(String errorCode, String message) {
    return JSON.createObjectNode().put("error_code", errorCode).put("message", message)
        .toString();
  }

  /** {@code {"error": message}} as JSON text. */
  public static String errorBody(String message) {
    return JSON.createObjectNode().put("error", message).toString();
  }
}
