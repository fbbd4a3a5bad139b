package dev.slipway.registry.models.internal;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.registry.internal.MlflowHttp;
import dev.slipway.registry.internal.MlflowRequest;

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
    MlflowHttp.routeAt(server, method, API + path, handler);
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
}
