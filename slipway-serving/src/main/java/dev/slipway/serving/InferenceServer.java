package dev.slipway.serving;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.online.OnlineFeatureReader;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.ScoreStore;
import dev.slipway.serving.internal.GrpcApi;
import dev.slipway.serving.internal.InferenceMetrics;
import dev.slipway.serving.internal.InferenceService;
import dev.slipway.serving.internal.ModelManager;
import dev.slipway.serving.internal.FeaturePushApi;
import dev.slipway.serving.internal.OnlineFeatureRetrieval;
import dev.slipway.serving.internal.OnlineFeaturesApi;
import dev.slipway.serving.internal.RepositoryModelSource;
import dev.slipway.serving.internal.RestApi;
import dev.slipway.serving.internal.ScoresApi;
import dev.slipway.serving.internal.ServerInfo;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Serves a model repository over the Open Inference Protocol, REST and gRPC on one port, with
 * Triton's repository API for loading and unloading, and Prometheus metrics at {@code /metrics}.
 *
 * <pre>{@code
 * try (InferenceServer server = InferenceServer.builder(Path.of("models")).port(8080).build()) {
 *   server.start();
 *   ...
 * }
 * }</pre>
 */
public final class InferenceServer implements AutoCloseable {
  /** The smallest request size limit a server takes: below it, no real request fits. */
  public static final long MIN_REQUEST_BYTES = 1024;

  private final Builder config;
  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ModelManager models;
  private final Server server;
  private ScheduledExecutorService poller;

  private InferenceServer(Builder config) {
    this.config = config;
    InferenceMetrics metrics = new InferenceMetrics(prometheus);
    this.models = new ModelManager(config.source, ModelLoader.withInstalledRuntimes(), metrics);
    OnlineFeatureRetrieval retrieval = config.featureDefinitions == null ? null
        : new OnlineFeatureRetrieval(config.featureDefinitions,
            new OnlineFeatureReader(config.onlineStore, Clock.systemUTC()), prometheus);
    InferenceService inference = retrieval == null
        ? new InferenceService(models, metrics)
        : new InferenceService(models, metrics, config.featureBindings, retrieval);
    ServerInfo info = ServerInfo.current();
    var builder = Server.builder()
        .http(new InetSocketAddress(config.host, config.port))
        .maxRequestLength(config.maxRequestBytes)
        .requestTimeout(Duration.ofSeconds(60))
        .meterRegistry(prometheus)
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(5))
        .errorHandler(new JsonErrorHandler());
    new RestApi(inference, info, prometheus).registerOn(builder);
    if (retrieval != null) {
      new OnlineFeaturesApi(retrieval, prometheus).registerOn(builder);
      new FeaturePushApi(config.featureDefinitions, config.onlineStore).registerOn(builder);
    }
    if (config.scoreStore != null) {
      new ScoresApi(config.scoreStore, config.scoreDeployments, inference, retrieval, prometheus,
          Clock.systemUTC()).registerOn(builder);
    }
    config.additionalRoutes.forEach(routes -> routes.accept(builder, prometheus));
    builder.service(GrpcService.builder()
        .addService(new GrpcApi(inference, info))
        .maxRequestMessageLength((int) Math.min(config.maxRequestBytes, Integer.MAX_VALUE))
        .maxResponseMessageLength(Integer.MAX_VALUE)
        .exceptionHandler((ctx, status, cause, metadata) -> GrpcApi.toStatus(cause).getStatus())
        .build());
    this.server = builder.build();
  }

  /** A builder serving the Triton-style model repository at {@code repository}. */
  public static Builder builder(Path repository) {
    return new Builder(new RepositoryModelSource(repository));
  }

  /** A builder serving the models another source offers (registry deployments, say). */
  public static Builder builder(ModelSource source) {
    return new Builder(source);
  }

  /**
   * Loads every model in the repository (a model that fails to load is reported in the index,
   * not fatal), then starts listening and, if enabled, polling the repository for changes.
   */
  public InferenceServer start() {
    models.loadAll();
    try {
      server.start().join();
    } catch (CompletionException e) {
      // Binding is the one step here that fails for the caller's reasons: a port another
      // process holds, an address that is not this machine's.
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof IOException) {
        // Netty words it "bind(..) failed with error(-98): Address already in use".
        String reason = String.valueOf(cause.getMessage())
            .replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        throw new ServerStartException("cannot listen on " + config.host + ":" + config.port
            + ": " + reason, cause);
      }
      throw e;
    }
    if (!config.pollInterval.isZero()) {
      poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "slipway-repository-poller");
        thread.setDaemon(true);
        return thread;
      });
      long millis = config.pollInterval.toMillis();
      poller.scheduleWithFixedDelay(models::poll, millis, millis, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** The port the server listens on (useful after binding port 0). */
  public int port() {
    return server.activeLocalPort();
  }

  public String host() {
    return config.host;
  }

  /** Model management: load, unload and index, as the repository API does. */
  public ModelManager models() {
    return models;
  }

  public PrometheusMeterRegistry meterRegistry() {
    return prometheus;
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
    server.stop().join();
    models.close();
    prometheus.close();
  }

  /** Answers HTTP errors that Armeria raises itself (no route, 405, 413) as JSON too. */
  private static final class JsonErrorHandler implements ServerErrorHandler {
    @Override
    public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
      return RestApi.error(cause);
    }

    @Override
    public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config,
        RequestHeaders headers, HttpStatus status, String description, Throwable cause) {
      if (headers != null && headers.contentType() != null
          && headers.contentType().subtype().startsWith("grpc")) {
        return null;
      }
      String message = status == HttpStatus.REQUEST_ENTITY_TOO_LARGE
          ? "request body larger than " + config.maxRequestLength()
              + " bytes (raise the limit with --max-request-bytes)"
          : status == HttpStatus.NOT_FOUND ? "no such endpoint: " + (headers == null ? ""
              : headers.method() + " " + headers.path())
          : description != null ? description : status.reasonPhrase();
      // MLflow clients read {"error_code", "message"}: answer the registry API's paths that way.
      String body = headers != null && headers.path().startsWith("/api/")
          ? RestApi.mlflowErrorBody(status == HttpStatus.NOT_FOUND ? "ENDPOINT_NOT_FOUND"
              : status.isClientError() ? "BAD_REQUEST" : "INTERNAL_ERROR", message)
          : RestApi.errorBody(message);
      return AggregatedHttpResponse.of(status, MediaType.JSON,
          body.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Options of an {@link InferenceServer}. */
  public static final class Builder {
    private final ModelSource source;
    private String host = "127.0.0.1";
    private int port = 8080;
    private long maxRequestBytes = 64L * 1024 * 1024;
    private Duration pollInterval = Duration.ofSeconds(5);
    private final List<BiConsumer<ServerBuilder, MeterRegistry>> additionalRoutes =
        new ArrayList<>();
    private FeatureDefinitions featureDefinitions;
    private OnlineStore onlineStore;
    private final Map<String, FeatureBinding> featureBindings = new LinkedHashMap<>();
    private ScoreStore scoreStore;
    private final List<ScoreDeployment> scoreDeployments = new ArrayList<>();

    private Builder(ModelSource source) {
      this.source = Objects.requireNonNull(source, "source");
    }

    /** Address to bind; 127.0.0.1 by default, so nothing is exposed unless asked. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Port to bind; 0 picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    /** Largest request body (REST) or message (gRPC) accepted; 64 MiB by default. */
    public Builder maxRequestBytes(long maxRequestBytes) {
      if (maxRequestBytes < MIN_REQUEST_BYTES) {
        throw new IllegalArgumentException(
            "maxRequestBytes: " + maxRequestBytes + " (expected: >= " + MIN_REQUEST_BYTES + ")");
      }
      this.maxRequestBytes = maxRequestBytes;
      return this;
    }

    /** How often the repository is checked for changes; {@link Duration#ZERO} turns it off. */
    public Builder pollInterval(Duration pollInterval) {
      if (pollInterval.isNegative()) {
        throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: >= 0)");
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * Adds routes served on the same port, such as the registry's MLflow API. They share the
     * server's limits and JSON error handling.
     */
    public Builder additionalRoutes(Consumer<ServerBuilder> routes) {
      Objects.requireNonNull(routes, "routes");
      additionalRoutes.add((server, meters) -> routes.accept(server));
      return this;
    }

    /** As {@link #additionalRoutes(Consumer)}, for routes that also report to {@code /metrics}. */
    public Builder additionalRoutes(BiConsumer<ServerBuilder, MeterRegistry> routes) {
      additionalRoutes.add(Objects.requireNonNull(routes, "routes"));
      return this;
    }

    /**
     * Serves online features at {@code POST /v1/features/online}, accepts pushes at {@code POST
     * /v1/features/push}, and enables entity-reference
     * scoring for models bound with {@link #bindFeatures}.
     */
    public Builder features(FeatureDefinitions definitions, OnlineStore store) {
      this.featureDefinitions = Objects.requireNonNull(definitions, "definitions");
      this.onlineStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Lets requests to {@code model} name entities; needs {@link #features}. */
    public Builder bindFeatures(String model, FeatureBinding binding) {
      featureBindings.put(Objects.requireNonNull(model, "model"),
          Objects.requireNonNull(binding, "binding"));
      return this;
    }

    /**
     * Serves the pre-computed scores of {@code deployments} from {@code store} at {@code GET
     * /v1/scores/{deployment}/{entity}}, with their fallback chains.
     */
    public Builder scores(ScoreStore store, List<ScoreDeployment> deployments) {
      this.scoreStore = Objects.requireNonNull(store, "store");
      scoreDeployments.addAll(deployments);
      return this;
    }

    public InferenceServer build() {
      if (!featureBindings.isEmpty() && featureDefinitions == null) {
        throw new IllegalStateException("bindFeatures " + featureBindings.keySet()
            + " needs feature definitions (call features(...))");
      }
      return new InferenceServer(this);
    }
  }
}
