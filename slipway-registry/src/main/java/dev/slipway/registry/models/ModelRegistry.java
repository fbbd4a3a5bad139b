package dev.slipway.registry.models;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.artifacts.ArtifactStore;
import dev.slipway.registry.Database;
import dev.slipway.registry.models.internal.AliasService;
import dev.slipway.registry.models.internal.AuditService;
import dev.slipway.registry.models.internal.ModelUri;
import dev.slipway.registry.models.internal.ModelVersionService;
import dev.slipway.registry.models.internal.PromotionGate;
import dev.slipway.registry.models.internal.RegisteredModelService;
import dev.slipway.registry.models.internal.Resolver;
import dev.slipway.registry.models.internal.Transactions;
import dev.slipway.registry.models.internal.ValidationService;
import dev.slipway.registry.models.internal.WebhookService;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The model registry: MLflow's registered models, versions, stages and aliases, plus a
 * validation gate on promotion, an audit trail of every stage and alias change, and webhooks.
 *
 * <p>Each operation runs in one transaction. Operations that change stages or aliases lock the
 * model's row first, so concurrent changes to one model happen one after another. Versions are
 * given as numbers; MLflow's string form is parsed by the HTTP layer. {@code actor} names who
 * made a change for the audit trail and webhook payloads; null or blank means "unknown".
 *
 * @see dev.slipway.registry.models.internal.ModelRegistryApi for the HTTP API
 */
public final class ModelRegistry {
  /** The actor recorded when a change names nobody. */
  public static final String UNKNOWN_ACTOR = "unknown";

  private final ArtifactStore artifacts;
  private final Transactions transactions;
  private final RegisteredModelService models;
  private final ModelVersionService versions;
  private final AliasService aliases;
  private final ValidationService validations;
  private final AuditService audit;
  private final WebhookService webhooks;

  public ModelRegistry(Database database, ArtifactStore artifacts, Clock clock,
      PromotionPolicy policy, WebhookDispatcher webhooks) {
    Objects.requireNonNull(database, "database");
    this.artifacts = Objects.requireNonNull(artifacts, "artifacts");
    Objects.requireNonNull(clock, "clock");
    PromotionGate gate = new PromotionGate(Objects.requireNonNull(policy, "policy"));
    WebhookDispatcher.Publisher publisher = Objects.requireNonNull(webhooks, "webhooks")
        .bind(database.jdbi());
    this.transactions = new Transactions(database.jdbi(), clock, !database.postgres(),
        publisher::publish);
    this.models = new RegisteredModelService(transactions);
    this.versions = new ModelVersionService(transactions, artifacts, gate);
    this.aliases = new AliasService(transactions, gate);
    this.validations = new ValidationService(transactions);
    this.audit = new AuditService(transactions);
    this.webhooks = new WebhookService(transactions);
  }

  // Registered models

  /** @throws MlflowException RESOURCE_ALREADY_EXISTS when the name is taken */
  public RegisteredModel createRegisteredModel(String name, String description,
      Map<String, String> tags, String actor) {
    return models.create(name, description, tags == null ? Map.of() : tags, actor(actor));
  }

  public RegisteredModel getRegisteredModel(String name) {
    return models.get(name);
  }

  /**
   * @param filter e.g. {@code name LIKE 'fraud%' AND tags.team = 'risk'}; null for all
   * @param maxResults 1 to 1000
   * @param orderBy e.g. {@code ["last_updated_timestamp DESC"]}; name ASC by default
   * @param pageToken from the previous page, or null
   */
  public SearchPage<RegisteredModel> searchRegisteredModels(String filter, int maxResults,
      List<String> orderBy, String pageToken) {
    return models.search(filter, maxResults, orderBy == null ? List.of() : orderBy, pageToken);
  }

  /** Renames; versions, tags, aliases, validations and audit history follow. */
  public RegisteredModel renameRegisteredModel(String name, String newName, String actor) {
    return models.rename(name, newName, actor(actor));
  }

  public RegisteredModel updateRegisteredModel(String name, String description) {
    return models.update(name, description);
  }

  /** Deletes the model and its versions; the audit trail keeps its history. */
  public void deleteRegisteredModel(String name, String actor) {
    models.delete(name, actor(actor));
  }

  public void setRegisteredModelTag(String name, String key, String value) {
    models.setTag(name, key, value);
  }

  public void deleteRegisteredModelTag(String name, String key) {
    models.deleteTag(name, key);
  }

  /** The highest version in each of {@code stages} (any letter case), or in every stage. */
  public List<ModelVersion> getLatestVersions(String name, List<String> stages) {
    return models.latestVersions(name, stages == null ? List.of() : stages);
  }

  // Model versions

  /**
   * Registers a new version: the source's files are copied to {@code models/NAME/VERSION} in
   * the artifact store and sealed there, so what is validated is what gets served.
   */
  public ModelVersion createModelVersion(NewModelVersion version, String actor) {
    return versions.create(version, actor(actor));
  }

  public ModelVersion getModelVersion(String name, int version) {
    return versions.get(name, version);
  }

  /**
   * @param filter e.g. {@code name = 'fraud' AND run_id IN ('a', 'b')}, {@code source_path
   *     LIKE '...'}, {@code version_number > 2}, {@code tags.k = 'v'}; null for all
   * @param maxResults 1 to 200000
   */
  public SearchPage<ModelVersion> searchModelVersions(String filter, int maxResults,
      List<String> orderBy, String pageToken) {
    return versions.search(filter, maxResults, orderBy == null ? List.of() : orderBy,
        pageToken);
  }

  public ModelVersion updateModelVersion(String name, int version, String description) {
    return versions.update(name, version, description);
  }

  /** Deletes the version and the aliases pointing at it; its number is never reused. */
  public void deleteModelVersion(String name, int version, String actor) {
    versions.delete(name, version, actor(actor));
  }

  /**
   * Moves a version to {@code stage} (None, Staging, Production, Archived; any letter case).
   *
   * @throws MlflowException INVALID_STATE when the promotion policy gates the stage and the
   *     version's checks fail, naming them with their values
   */
  public ModelVersion transitionModelVersionStage(String name, int version, String stage,
      boolean archiveExistingVersions, String actor) {
    return versions.transition(name, version, stage, archiveExistingVersions, actor(actor));
  }

  /** {@code mlflow-artifacts:/models/NAME/VERSION}, served by the artifact proxy. */
  public String getModelVersionDownloadUri(String name, int version) {
    return versions.downloadUri(name, version);
  }

  public void setModelVersionTag(String name, int version, String key, String value) {
    versions.setTag(name, version, key, value);
  }

  public void deleteModelVersionTag(String name, int version, String key) {
    versions.deleteTag(name, version, key);
  }

  // Aliases

  /**
   * Points {@code alias} at {@code version}, moving it from any other version.
   *
   * @throws MlflowException INVALID_STATE when the alias is gated and the checks fail
   */
  public void setRegisteredModelAlias(String name, String alias, int version, String actor) {
    aliases.set(name, alias, version, actor(actor));
  }

  public void deleteRegisteredModelAlias(String name, String alias, String actor) {
    aliases.delete(name, alias, actor(actor));
  }

  public ModelVersion getModelVersionByAlias(String name, String alias) {
    return aliases.get(name, alias);
  }

  /**
   * Checks the form of a {@code models:/} URI (what {@link #resolve} accepts) without a
   * registry: for specs read before one is open.
   *
   * @throws MlflowException INVALID_PARAMETER_VALUE saying which forms are accepted
   */
  public static void checkUri(String modelUri) {
    ModelUri.parse(modelUri);
  }

  /**
   * What {@code models:/NAME/3}, {@code models:/NAME@alias}, {@code models:/NAME/Production}
   * (any letter case; the highest version in that stage) or {@code models:/NAME/latest} points
   * at now, with the local folder of its sealed artifacts. One indexed query: cheap enough to
   * poll every few seconds.
   *
   * @throws MlflowException INVALID_PARAMETER_VALUE for a malformed URI, RESOURCE_DOES_NOT_EXIST
   *     when the model, version, stage or alias has nothing behind it
   */
  public ResolvedModel resolve(String modelUri) {
    ModelUri uri = ModelUri.parse(modelUri);
    ModelVersion version = transactions.jdbi().withHandle(handle ->
        Resolver.require(handle, uri));
    return new ResolvedModel(version.name(), version.version(), version.currentStage(),
        version.storageLocation(), artifacts.localPath(version.storageLocation()));
  }

  // Validation gate

  /** Records a check (replacing one of the same name); the registry computes whether it passed. */
  public ValidationResult recordValidation(String name, int version, ValidationCheck check) {
    return validations.record(name, version, check);
  }

  public List<ValidationResult> listValidations(String name, int version) {
    return validations.list(name, version);
  }

  // Audit trail

  /** Stage, alias and name changes of the model, oldest first; kept after deletion. */
  public SearchPage<AuditEntry> getHistory(String name, int maxResults, String pageToken) {
    return audit.history(name, maxResults, pageToken);
  }

  /** The version {@code alias} pointed to at {@code epochMillis}; empty when none. */
  public OptionalInt versionWithAliasAt(String name, String alias, long epochMillis) {
    return audit.aliasAt(name, alias, epochMillis);
  }

  /** The highest version in {@code stage} at {@code epochMillis}; empty when none. */
  public OptionalInt versionInStageAt(String name, String stage, long epochMillis) {
    return audit.stageAt(name, stage, epochMillis);
  }

  // Webhooks

  public Webhook createWebhook(String url, Set<RegistryEvent> events, String secret) {
    return webhooks.create(url, events, secret);
  }

  public List<Webhook> listWebhooks() {
    return webhooks.list();
  }

  public void deleteWebhook(long id) {
    webhooks.delete(id);
  }

  /** The newest deliveries first, of one webhook or (webhookId null) of all. */
  public List<WebhookDelivery> listWebhookDeliveries(Long webhookId, int maxResults) {
    return webhooks.deliveries(webhookId, maxResults);
  }

  private static String actor(String actor) {
    return actor == null || actor.isBlank() ? UNKNOWN_ACTOR : actor;
  }
}
