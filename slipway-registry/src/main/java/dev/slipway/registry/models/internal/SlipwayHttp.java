package dev.slipway.registry.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.registry.internal.MlflowHttp;
import dev.slipway.registry.internal.MlflowRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes Slipway's own API ({@code /api/2.0/slipway/...}) exactly as MlflowHttp routes MLflow's:
 * same request parsing, same error shape, handlers on the blocking executor.
 */
public final class SlipwayHttp {
  public static final String API = "/api/2.0/slipway";
  /** Names the person or system making a change, for the audit trail. */
  public static final String USER_HEADER = "X-Slipway-User";

  private SlipwayHttp() {}

  public static void route(ServerBuilder server, HttpMethod method, String path,
      MlflowHttp.Handler handler) {
    server.route().methods(method).path(API + path)
        .build((ctx, req) -> HttpResponse.of(req.aggregate().thenApplyAsync(aggregated -> {
          try {
            MlflowRequest request = MlflowRequest.of(aggregated.content().array(), query(ctx));
            JsonNode body = handler.handle(request);
            return MlflowHttp.json(HttpStatus.OK,
                body == null ? JsonNodeFactory.instance.objectNode() : body);
          } catch (Exception e) {
            return MlflowHttp.error(e);
          }
        }, ctx.blockingTaskExecutor())));
  }

  /**
   * Who makes the change: the {@code X-Slipway-User} header, else the request's {@code user}
   * field, else "unknown". The header wins because a proxy in front of Slipway can set it from
   * its own authentication, while the body is whatever the client wrote.
   */
  public static String actor(MlflowRequest request) {
    ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
    if (ctx != null) {
      String header = ctx.request().headers().get(USER_HEADER);
      if (header != null && !header.isBlank()) {
        return header.trim();
      }
    }
    String user = request.string("user");
    return user == null || user.isBlank() ? "unknown" : user.trim();
  }

  private static Map<String, List<String>> query(ServiceRequestContext ctx) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    ctx.queryParams().forEach((name, value) ->
        query.computeIfAbsent(name, key -> new ArrayList<>()).add(value));
    return query;
  }
}
