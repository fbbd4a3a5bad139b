package dev.slipway.registry;

import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.registry.artifacts.ArtifactStore;
import dev.slipway.registry.artifacts.internal.ArtifactsApi;
import dev.slipway.registry.artifacts.internal.LocalArtifactStore;
import dev.slipway.registry.models.ModelRegistry;
import dev.slipway.registry.models.PromotionPolicy;
import dev.slipway.registry.models.WebhookDispatcher;
import dev.slipway.registry.models.internal.ModelRegistryApi;
import dev.slipway.registry.tracking.TrackingStore;
import dev.slipway.registry.tracking.internal.TrackingApi;
import java.time.Clock;

/**
 * Experiment tracking, the model registry and the artifact store over one metadata database,
 * with their MLflow-compatible HTTP API.
 *
 * <pre>{@code
 * try (Registry registry = Registry.open(RegistryConfig.embedded(Path.of(".slipway")))) {
 *   registry.models().resolve("models:/churn@production");
 * }
 * }</pre>
 */
public final class Registry implements AutoCloseable {
  /** Artifacts are served through the registry's own proxy, as MLflow's --serve-artifacts. */
  public static final String ARTIFACT_ROOT_URI = "mlflow-artifacts:/";

  private final Database database;
  private final ArtifactStore artifacts;
  private final TrackingStore tracking;
  private final ModelRegistry models;

  private Registry(Database database, ArtifactStore artifacts, TrackingStore tracking,
      ModelRegistry models) {
    this.database = database;
    this.artifacts = artifacts;
    this.tracking = tracking;
    this.models = models;
  }

  /** Opens the registry with the default promotion policy and webhooks on. */
  public static Registry open(RegistryConfig config) {
    return open(config, Clock.systemUTC(), PromotionPolicy.defaults(),
        WebhookDispatcher.defaults());
  }

  public static Registry open(RegistryConfig config, Clock clock, PromotionPolicy policy,
      WebhookDispatcher webhooks) {
    Database database = Database.open(config.jdbcUrl());
    try {
      ArtifactStore artifacts = new LocalArtifactStore(config.artifactsDir());
      TrackingStore tracking = new TrackingStore(database, ARTIFACT_ROOT_URI, clock);
      ModelRegistry models = new ModelRegistry(database, artifacts, clock, policy, webhooks);
      return new Registry(database, artifacts, tracking, models);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  public TrackingStore tracking() {
    return tracking;
  }

  public ModelRegistry models() {
    return models;
  }

  public ArtifactStore artifacts() {
    return artifacts;
  }

  /** Adds the MLflow REST API, Slipway's registry additions and the artifact proxy. */
  public void registerApi(ServerBuilder server) {
    TrackingApi.registerOn(server, tracking);
    ModelRegistryApi.registerOn(server, models);
    new ArtifactsApi(artifacts).registerOn(server);
  }

  @Override
  public void close() {
    database.close();
  }
}
