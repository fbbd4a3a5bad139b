package dev.slipway.registry.artifacts.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.registry.artifacts.ArtifactStore;
import dev.slipway.registry.internal.MlflowHttp;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/**
 * MLflow's artifact proxy ({@code /api/2.0/mlflow-artifacts/artifacts}): upload with PUT,
 * download with GET, list with GET and {@code ?path=}, delete with DELETE; clients log models
 * through it without access to the store itself.
 */
public final class ArtifactsApi {
  public static final String PREFIX = "/api/2.0/mlflow-artifacts/artifacts";
  /** Model files can be large: uploads get their own limit, above the inference one. */
  private static final long MAX_UPLOAD_BYTES = 1L << 30;

  private final ArtifactStore store;

  public ArtifactsApi(ArtifactStore store) {
    this.store = store;
  }

  public void registerOn(ServerBuilder server) {
    server.route().get(PREFIX).build((ctx, req) -> blocking(ctx, () -> list(
        ctx.queryParam("path"))));
    server.route().pathPrefix(PREFIX + "/").methods(com.linecorp.armeria.common.HttpMethod.GET)
        .build((ctx, req) -> blocking(ctx, () -> download(ctx.mappedPath().substring(1))));
    server.route().pathPrefix(PREFIX + "/").methods(com.linecorp.armeria.common.HttpMethod.PUT)
        .maxRequestLength(MAX_UPLOAD_BYTES)
        .build((ctx, req) -> HttpResponse.of(req.aggregate().thenComposeAsync(body -> {
          try {
            store.put(ctx.mappedPath().substring(1), new ByteArrayInputStream(
                body.content().array()));
            return CompletableFuture.completedFuture(MlflowHttp.json(HttpStatus.OK,
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()));
          } catch (Exception e) {
            return CompletableFuture.completedFuture(MlflowHttp.error(e));
          }
        }, ctx.blockingTaskExecutor())));
    server.route().pathPrefix(PREFIX + "/")
        .methods(com.linecorp.armeria.common.HttpMethod.DELETE)
        .build((ctx, req) -> blocking(ctx, () -> {
          store.delete(ctx.mappedPath().substring(1));
          return MlflowHttp.json(HttpStatus.OK,
              com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        }));
  }

  private HttpResponse list(String path) throws Exception {
    ObjectNode body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    ArrayNode files = body.putArray("files");
    String prefix = path == null || path.isEmpty() ? "" : path.replaceAll("/+$", "") + "/";
    for (ArtifactStore.FileInfo info : store.list(path == null ? "" : path)) {
      ObjectNode file = files.addObject()
          .put("path", info.path().substring(Math.min(prefix.length(), info.path().length())))
          .put("is_dir", info.directory());
      if (!info.directory()) {
        file.put("file_size", info.sizeBytes());
      }
    }
    return MlflowHttp.json(HttpStatus.OK, body);
  }

  private HttpResponse download(String path) throws Exception {
    try (InputStream content = store.open(path)) {
      return HttpResponse.of(HttpStatus.OK, MediaType.OCTET_STREAM, content.readAllBytes());
    }
  }

  @FunctionalInterface
  private interface Action {
    HttpResponse run() throws Exception;
  }

  private static HttpResponse blocking(ServiceRequestContext ctx, Action action) {
    return HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      try {
        return action.run();
      } catch (Exception e) {
        return MlflowHttp.error(e);
      }
    }, ctx.blockingTaskExecutor()));
  }
}
