package dev.slipway.batch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.core.InvalidInputException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.function.Supplier;

/**
 * Pipelines over HTTP: {@code GET /v1/pipelines} (definitions, next fire times, watermarks),
 * {@code POST /v1/pipelines/{name}/runs} (a manual run: 202 with the run, then poll it), {@code
 * GET /v1/pipelines/{name}/runs} (history, newest first) and {@code .../runs/{id}}.
 */
public final class PipelineApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PipelineScheduler scheduler;

  public PipelineApi(PipelineScheduler scheduler) {
    this.scheduler = scheduler;
  }

  public void registerOn(ServerBuilder server) {
    server.route().get("/v1/pipelines").build((ctx, req) -> blocking(ctx, this::list));
    server.route().get("/v1/pipelines/{name}/runs").build((ctx, req) -> blocking(ctx, () ->
        runs(ctx.pathParam("name"), ctx.queryParam("limit"))));
    server.route().get("/v1/pipelines/{name}/runs/{id}").build((ctx, req) -> blocking(ctx, () ->
        run(ctx.pathParam("name"), ctx.pathParam("id"))));
    server.route().post("/v1/pipelines/{name}/runs").build((ctx, req) -> HttpResponse.of(
        req.aggregate().thenApplyAsync(body -> trigger(ctx.pathParam("name"), body),
            ctx.blockingTaskExecutor())));
  }

  private HttpResponse list() {
    ArrayNode pipelines = JSON.createArrayNode();
    RunHistory history = scheduler.runner().history();
    for (PipelineSpec spec : scheduler.pipelines().values()) {
      ObjectNode node = pipelines.addObject();
      node.put("name", spec.name());
      node.put("schedule", spec.schedule());
      node.put("engine", spec.engine().name().toLowerCase(java.util.Locale.ROOT));
      node.put("model", spec.model());
      node.put("next_fire_time",
          scheduler.nextFireTime(spec.name()).map(Instant::toString).orElse(null));
      node.put("watermark",
          history.watermark(spec.name()).map(Instant::toString).orElse(null));
      history.runs(spec.name(), 1).stream().findFirst()
          .ifPresent(run -> node.set("last_run", toJson(run)));
    }
    return json(HttpStatus.OK, JSON.createObjectNode().set("pipelines", pipelines));
  }

  private HttpResponse runs(String name, String limitText) {
    scheduler.pipeline(name);
    int limit;
    try {
      limit = limitText == null ? 20 : Integer.parseInt(limitText);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("limit: '" + limitText + "' (expected a number 1-1000)");
    }
    if (limit < 1 || limit > 1000) {
      throw new InvalidInputException("limit: " + limit + " (expected 1-1000)");
    }
    ArrayNode runs = JSON.createArrayNode();
    scheduler.runner().history().runs(name, limit).forEach(run -> runs.add(toJson(run)));
    return json(HttpStatus.OK, JSON.createObjectNode().set("runs", runs));
  }

  private HttpResponse run(String name, String idText) {
    scheduler.pipeline(name);
    long id;
    try {
      id = Long.parseLong(idText);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("run id: '" + idText + "' (expected a number)");
    }
    return scheduler.runner().history().run(id).filter(run -> run.pipeline().equals(name))
        .map(run -> json(HttpStatus.OK, toJson(run)))
        .orElseGet(() -> error(HttpStatus.NOT_FOUND, "pipeline '" + name + "' has no run " + id));
  }

  private HttpResponse trigger(String name, AggregatedHttpRequest body) {
    try {
      Window window = window(body.contentUtf8());
      PipelineRun run = scheduler.trigger(name, window);
      return json(HttpStatus.ACCEPTED, toJson(run));
    } catch (RuntimeException e) {
      return mapped(e);
    }
  }

  private static Window window(String body) {
    if (body.isBlank()) {
      return null;
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException("request body: not JSON (" + e.getOriginalMessage() + ")");
    }
    if (!node.isObject()) {
      throw new InvalidInputException("request body: expected {\"start\": ..., \"end\": ...}"
          + " or nothing");
    }
    node.fieldNames().forEachRemaining(field -> {
      if (!field.equals("start") && !field.equals("end")) {
        throw new InvalidInputException("request body: unknown field '" + field
            + "' (expected start, end)");
      }
    });
    if (!node.has("end")) {
      if (node.has("start")) {
        throw new InvalidInputException("end: required with start");
      }
      return null;
    }
    Instant end = instant(node, "end");
    Instant start = node.has("start") && !node.get("start").isNull() ? instant(node, "start")
        : null;
    if (start != null && !start.isBefore(end)) {
      throw new InvalidInputException("start: " + start + " is not before end " + end);
    }
    return new Window(start, end);
  }

  private static Instant instant(JsonNode node, String field) {
    try {
      return Instant.parse(node.get(field).asText());
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field + ": '" + node.get(field).asText()
          + "' (expected an ISO-8601 instant such as 2026-11-01T00:00:00Z)");
    }
  }

  static ObjectNode toJson(PipelineRun run) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", run.id());
    node.put("pipeline", run.pipeline());
    node.put("trigger", run.trigger().name().toLowerCase(java.util.Locale.ROOT));
    node.put("status", run.status().name());
    node.put("window_start", run.windowStart() == null ? null : run.windowStart().toString());
    node.put("window_end", run.windowEnd().toString());
    node.put("started_at", run.startedAt().toString());
    node.put("ended_at", run.endedAt() == null ? null : run.endedAt().toString());
    node.put("rows_scored", run.rowsScored());
    node.put("rows_quarantined", run.rowsQuarantined());
    node.put("model_name", run.modelName());
    node.put("model_version", run.modelVersion());
    node.put("attempts", run.attempts());
    node.put("error", run.error());
    return node;
  }

  private static HttpResponse blocking(ServiceRequestContext ctx, Supplier<HttpResponse> work) {
    return HttpResponse.of(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return work.get();
      } catch (RuntimeException e) {
        return mapped(e);
      }
    }, ctx.blockingTaskExecutor()));
  }

  private static HttpResponse mapped(RuntimeException e) {
    if (e instanceof PipelineBusyException) {
      return error(HttpStatus.CONFLICT, e.getMessage());
    }
    if (e instanceof UnknownPipelineException) {
      return error(HttpStatus.NOT_FOUND, e.getMessage());
    }
    if (e instanceof InvalidInputException) {
      return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    throw e;
  }

  private static HttpResponse error(HttpStatus status, String message) {
    return json(status, JSON.createObjectNode().put("error", message));
  }

  private static HttpResponse json(HttpStatus status, JsonNode body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
