package dev.slipway.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.core.InvalidInputException;
import dev.slipway.registry.MlflowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes MLflow API calls to handlers and answers in MLflow's shapes: the handler's JSON object
 * with 200, or {@code {"error_code", "message"}} with the status MLflow uses for that code.
 * Handlers do database work, so they run on Armeria's blocking task executor.
 */
public final class MlflowHttp {
  public static final String API = "/api/2.0/mlflow";
  private static final Logger log = LoggerFactory.getLogger(MlflowHttp.class);

  /** One API call: reads the request, returns the response body (an empty object for none). */
  @FunctionalInterface
  public interface Handler {
    JsonNode handle(MlflowRequest request) throws Exception;
  }

  private MlflowHttp() {}

  /** Registers {@code handler} for {@code method} at {@code /api/2.0/mlflow + path}. */
  public static void route(ServerBuilder server, HttpMethod method, String path, Handler handler) {
    routeAt(server, method, API + path, handler);
  }

  /** Registers {@code handler} at a full path, for APIs beside MLflow's that answer alike. */
  public static void routeAt(ServerBuilder server, HttpMethod method, String fullPath,
      Handler handler) {
    server.route().methods(method).path(fullPath)
        .build((ctx, req) -> HttpResponse.of(req.aggregate().thenComposeAsync(aggregated -> {
          try {
            MlflowRequest request = MlflowRequest.of(aggregated.content().array(), query(ctx));
            JsonNode body = handler.handle(request);
            return CompletableFuture.completedFuture(json(HttpStatus.OK,
                body == null ? MlflowRequest.JSON.createObjectNode() : body));
          } catch (Exception e) {
            return CompletableFuture.completedFuture(error(e));
          }
        }, ctx.blockingTaskExecutor())));
  }

  private static Map<String, List<String>> query(ServiceRequestContext ctx) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    ctx.queryParams().forEach((name, value) ->
        query.computeIfAbsent(name, key -> new ArrayList<>()).add(value));
    return query;
  }

  public static HttpResponse json(HttpStatus status, JsonNode body) {
    try {
      return HttpResponse.of(status, MediaType.JSON, MlflowRequest.JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** MLflow's error shape for any failure; internal ones are logged with their stack trace. */
  public static HttpResponse error(Throwable failure) {
    MlflowException.ErrorCode code;
    String message;
    if (failure instanceof MlflowException mlflow) {
      code = mlflow.errorCode();
      message = mlflow.getMessage();
    } else if (failure instanceof InvalidInputException) {
      code = MlflowException.ErrorCode.INVALID_PARAMETER_VALUE;
      message = failure.getMessage();
    } else {
      log.error("Internal error in the MLflow API", failure);
      code = MlflowException.ErrorCode.INTERNAL_ERROR;
      message = "internal error: " + failure;
    }
    ObjectNode body = MlflowRequest.JSON.createObjectNode()
        .put("error_code", code.name())
        .put("message", message);
    return json(HttpStatus.valueOf(code.httpStatus()), body);
  }
}
