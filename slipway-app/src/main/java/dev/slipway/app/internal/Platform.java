package dev.slipway.app.internal;

import com.linecorp.armeria.common.CommonPools;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.batch.pipeline.PipelineApi;
import dev.slipway.batch.pipeline.PipelineScheduler;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.ScoreStore;
import dev.slipway.core.SlipwayException;
import dev.slipway.registry.Registry;
import dev.slipway.registry.models.ResolvedModel;
import dev.slipway.serving.CompositeModelSource;
import dev.slipway.serving.FeatureBinding;
import dev.slipway.serving.InferenceServer;
import dev.slipway.serving.ModelSource;
import dev.slipway.serving.RegistryDeployments;
import dev.slipway.serving.internal.RepositoryModelSource;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * One running Slipway: the registry (embedded or PostgreSQL) and the inference server on one
 * port, serving a model repository and registry deployments.
 */
public final class Platform implements AutoCloseable {
  /** The options every command that runs a server shares. */
  public static final class Options extends RegistryLocation {
    @Option(names = "--host", defaultValue = "127.0.0.1",
        description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the server).")
    public String host;

    @Option(names = "--port", defaultValue = "8080",
        description = "Port for REST, gRPC and the registry API (default: ${DEFAULT-VALUE};"
            + " 0 picks a free one).")
    public int port;

    @Option(names = "--max-request-bytes", defaultValue = "67108864",
        description = "Largest inference request body or gRPC message"
            + " (default: ${DEFAULT-VALUE}).")
    public long maxRequestBytes;

    @Option(names = "--poll-seconds", defaultValue = "5",
        description = "How often to look for changed repository models and moved aliases or"
            + " stages; 0 turns it off (default: ${DEFAULT-VALUE}).")
    public int pollSeconds;

    @Option(names = "--features", paramLabel = "YAML",
        description = "Feature definitions to serve at POST /v1/features/online.")
    public Path features;

    @Option(names = "--online-store", defaultValue = "rocksdb", paramLabel = "SPEC",
        description = "Online feature store: rocksdb (embedded, under --data-dir), rocksdb:DIR"
            + " or redis://host:port (default: ${DEFAULT-VALUE}).")
    public String onlineStore = "rocksdb";

    @Option(names = "--bind-features", paramLabel = "MODEL=SERVICE",
        description = "Lets requests to MODEL send entity keys: its input is fetched from the"
            + " feature service SERVICE. Repeatable.")
    public List<String> bindFeatures = new ArrayList<>();

    @Option(names = "--feature-default", paramLabel = "VIEW:FEATURE=NUMBER",
        description = "Value used when a bound feature is missing for an entity; without one"
            + " such a request is refused with 400. Repeatable.")
    public List<String> featureDefaults = new ArrayList<>();

    @Option(names = "--pipelines", paramLabel = "YAML",
        description = "Batch pipelines to schedule (and run on demand at"
            + " POST /v1/pipelines/{name}/runs); their online sinks are served at"
            + " GET /v1/scores/{deployment}/{entity}.")
    public Path pipelines;

    @Option(names = "--spark-submit", paramLabel = "COMMAND",
        defaultValue = "${env:SLIPWAY_SPARK_SUBMIT}",
        description = "How pipelines with engine spark submit their job, e.g. 'spark-submit"
            + " --master yarn --class dev.slipway.spark.SparkScoringJob slipway-spark-job.jar'"
            + " (default: $SLIPWAY_SPARK_SUBMIT).")
    public String sparkSubmit;

    /**
     * Refuses, naming the option, a value the server would only reject once the registry is
     * open (as a stack trace, before).
     */
    void check(CommandLine commandLine) {
      if (port < 0 || port > 65_535) {
        throw new CommandLine.ParameterException(commandLine, "--port " + port
            + ": expected 0-65535 (0 picks a free port)");
      }
      if (maxRequestBytes < InferenceServer.MIN_REQUEST_BYTES) {
        throw new CommandLine.ParameterException(commandLine, "--max-request-bytes "
            + maxRequestBytes + ": expected at least " + InferenceServer.MIN_REQUEST_BYTES);
      }
      if (pollSeconds < 0) {
        throw new CommandLine.ParameterException(commandLine, "--poll-seconds " + pollSeconds
            + ": expected 0 (no polling) or more");
      }
      if (new InetSocketAddress(host, 0).isUnresolved()) {
        throw new CommandLine.ParameterException(commandLine, "--host " + host
            + ": cannot be resolved (expected an IP address such as 127.0.0.1 or 0.0.0.0, or a"
            + " name that resolves)");
      }
    }

    Map<String, String> bindings() {
      Map<String, String> bindings = new LinkedHashMap<>();
      for (String binding : bindFeatures) {
        int equals = binding.indexOf('=');
        if (equals <= 0) {
          throw new SlipwayException("--bind-features " + binding + ": expected MODEL=SERVICE");
        }
        bindings.put(binding.substring(0, equals), binding.substring(equals + 1));
      }
      return bindings;
    }

    Map<String, Double> featureDefaults() {
      Map<String, Double> defaults = new LinkedHashMap<>();
      for (String spec : featureDefaults) {
        int equals = spec.lastIndexOf('=');
        try {
          defaults.put(spec.substring(0, equals), Double.parseDouble(spec.substring(equals + 1)));
        } catch (RuntimeException e) {
          throw new SlipwayException("--feature-default " + spec
              + ": expected VIEW:FEATURE=NUMBER");
        }
      }
      return defaults;
    }

  }

  private final Registry registry;
  private final OnlineStore onlineStore;
  private final PipelineServices pipelines;
  private final InferenceServer server;

  private Platform(Registry registry, OnlineStore onlineStore, PipelineServices pipelines,
      InferenceServer server) {
    this.registry = registry;
    this.onlineStore = onlineStore;
    this.pipelines = pipelines;
    this.server = server;
  }

  /** Opens the registry and starts serving; closes the registry again if the server fails. */
  public static Platform start(Options options, Path repository, List<String> deploymentSpecs,
      CommandLine commandLine) {
    options.check(commandLine);
    Map<String, String> deployments = deployments(deploymentSpecs, commandLine);
    return serve(Registry.open(options.registryConfig()), options, repository, deployments);
  }

  /**
   * Starts serving over an already open registry, which the platform then owns (and closes,
   * also when the server fails to start).
   */
  public static Platform serve(Registry registry, Options options, Path repository,
      Map<String, String> deployments) {
    OnlineStore onlineStore = null;
    PipelineServices pipelines = null;
    try {
      FeatureDefinitions features = options.features == null ? null
          : FeatureDefinitions.load(options.features);
      onlineStore = features == null && options.pipelines == null ? null
          // The server runs on Armeria's shared event loops: Redis reads stay on them.
          : FeatureStores.online(options.onlineStore, options.dataDir, CommonPools.workerGroup());
      pipelines = options.pipelines == null ? null
          : PipelineServices.open(registry, options.registryConfig().jdbcUrl(),
              options.pipelines, features, onlineStore, options.sparkSubmit, options.dataDir);
      List<ModelSource> sources = new ArrayList<>();
      if (repository != null) {
        sources.add(new RepositoryModelSource(repository));
      }
      if (!deployments.isEmpty()) {
        sources.add(new RegistryDeployments(deployments, uri -> {
          ResolvedModel resolved = registry.models().resolve(uri);
          return new RegistryDeployments.Resolution(resolved.version(), resolved.localPath());
        }));
      }
      InferenceServer.Builder builder = InferenceServer.builder(new CompositeModelSource(sources))
          .host(options.host)
          .port(options.port)
          .maxRequestBytes(options.maxRequestBytes)
          .pollInterval(Duration.ofSeconds(options.pollSeconds))
          .additionalRoutes(registry::registerApi);
      if (features != null) {
        builder.features(features, onlineStore);
        Map<String, Double> defaults = options.featureDefaults();
        options.bindings().forEach((model, service) ->
            builder.bindFeatures(model, new FeatureBinding(service, defaults)));
      } else if (!options.bindFeatures.isEmpty()) {
        throw new SlipwayException("--bind-features needs --features (the definitions)");
      }
      if (pipelines != null) {
        PipelineScheduler scheduler = pipelines.scheduler();
        builder.additionalRoutes(server -> new PipelineApi(scheduler).registerOn(server));
        builder.scores(new ScoreStore(onlineStore), pipelines.scoreDeployments());
      }
      InferenceServer server = builder.build().start();
      if (pipelines != null) {
        pipelines.scheduler().start();
      }
      return new Platform(registry, onlineStore, pipelines, server);
    } catch (RuntimeException e) {
      if (pipelines != null) {
        pipelines.close();
      }
      if (onlineStore != null) {
        onlineStore.close();
      }
      registry.close();
      throw e;
    }
  }

  /** Parses {@code NAME=URI} deployments, reporting mistakes as a usage error. */
  public static Map<String, String> deployments(List<String> specs, CommandLine commandLine) {
    try {
      return RegistryDeployments.parse(specs);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, "--deployment " + e.getMessage());
    }
  }

  public Registry registry() {
    return registry;
  }

  public InferenceServer server() {
    return server;
  }

  /** The base URL clients use. */
  public String baseUrl() {
    return "http://" + server.host() + ":" + server.port();
  }

  /** The pipelines this platform schedules; null without {@code --pipelines}. */
  public PipelineServices pipelines() {
    return pipelines;
  }

  @Override
  public void close() {
    if (pipelines != null) {
      pipelines.close();
    }
    server.close();
    if (onlineStore != null) {
      onlineStore.close();
    }
    registry.close();
  }
}
