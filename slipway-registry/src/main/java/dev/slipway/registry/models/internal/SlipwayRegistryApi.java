package dev.slipway.registry.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.registry.MlflowException;
import dev.slipway.registry.internal.MlflowRequest;
import dev.slipway.registry.models.MetricComparator;
import dev.slipway.registry.models.ModelRegistry;
import dev.slipway.registry.models.RegistryEvent;
import dev.slipway.registry.models.ResolvedModel;
import dev.slipway.registry.models.ValidationCheck;
import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Slipway's registry additions, in MLflow's style, under {@code /api/2.0/slipway}:
 *
 * <ul>
 *   <li>POST and GET {@code /model-versions/validations}: record and list validation results
 *   <li>GET {@code /registered-models/history}: the audit trail of a model
 *   <li>GET {@code /registered-models/version-at}: the version an alias or stage pointed to at
 *       a time
 *   <li>GET {@code /registered-models/resolve}: what a {@code models:/} URI points to now
 *   <li>POST, GET, DELETE {@code /webhooks}; GET {@code /webhooks/deliveries}
 * </ul>
 */
final class SlipwayRegistryApi {
  private final ModelRegistry registry;

  private SlipwayRegistryApi(ModelRegistry registry) {
    this.registry = registry;
  }

  static void registerOn(ServerBuilder server, ModelRegistry registry) {
    SlipwayRegistryApi api = new SlipwayRegistryApi(registry);
    SlipwayHttp.route(server, HttpMethod.POST, "/model-versions/validations",
        api::recordValidation);
    SlipwayHttp.route(server, HttpMethod.GET, "/model-versions/validations",
        api::listValidations);
    SlipwayHttp.route(server, HttpMethod.GET, "/registered-models/history", api::history);
    SlipwayHttp.route(server, HttpMethod.GET, "/registered-models/version-at", api::versionAt);
    SlipwayHttp.route(server, HttpMethod.GET, "/registered-models/resolve", api::resolve);
    SlipwayHttp.route(server, HttpMethod.POST, "/webhooks", api::createWebhook);
    SlipwayHttp.route(server, HttpMethod.GET, "/webhooks", api::listWebhooks);
    SlipwayHttp.route(server, HttpMethod.DELETE, "/webhooks", api::deleteWebhook);
    SlipwayHttp.route(server, HttpMethod.GET, "/webhooks/deliveries", api::listDeliveries);
  }

  /**
   * {@code {name, version, check_name, metric, value, kind?, comparator?, threshold?}}: kind
   * "threshold" (the default; needs threshold, comparator defaults to {@code >=}) or
   * "beats_production" (comparator defaults to {@code >}, higher is better).
   */
  private JsonNode recordValidation(MlflowRequest request) {
    String kindName = request.string("kind");
    ValidationCheck.Kind kind = kindName == null ? ValidationCheck.Kind.THRESHOLD
        : ValidationCheck.Kind.find(kindName);
    if (kind == null) {
      throw MlflowException.invalid("Invalid kind '" + kindName
          + "'; use threshold or beats_production");
    }
    String comparatorSymbol = request.string("comparator");
    MetricComparator comparator = comparatorSymbol != null
        ? MetricComparator.parse(comparatorSymbol)
        : kind == ValidationCheck.Kind.THRESHOLD ? MetricComparator.GREATER_OR_EQUAL
            : MetricComparator.GREATER;
    String checkName = request.requiredString("check_name");
    String metric = request.requiredString("metric");
    double value = request.requiredDouble("value");
    ValidationCheck check = kind == ValidationCheck.Kind.THRESHOLD
        ? ValidationCheck.threshold(checkName, metric, value, comparator,
            request.requiredDouble("threshold"))
        : ValidationCheck.beatsProduction(checkName, metric, value, comparator);
    ObjectNode body = RegistryJson.object();
    body.set("validation", RegistryJson.validation(registry.recordValidation(
        request.requiredString("name"), ModelRegistryApi.version(request), check)));
    return body;
  }

  private JsonNode listValidations(MlflowRequest request) {
    ObjectNode body = RegistryJson.object();
    RegistryJson.array(body, "validations", registry.listValidations(
        request.requiredString("name"), ModelRegistryApi.version(request)),
        RegistryJson::validation);
    return body;
  }

  private JsonNode history(MlflowRequest request) {
    int maxResults = PageToken.maxResults(request.optionalLong("max_results"),
        AuditService.DEFAULT_MAX_RESULTS, AuditService.MAX_RESULTS);
    var page = registry.getHistory(request.requiredString("name"), maxResults,
        request.string("page_token"));
    ObjectNode body = RegistryJson.object();
    RegistryJson.array(body, "entries", page.items(), RegistryJson::auditEntry);
    RegistryJson.putIfSet(body, "next_page_token", page.nextPageToken());
    return body;
  }

  /** {@code ?name=..&alias=..&time=<epoch ms>} or {@code &stage=..}; no version when none. */
  private JsonNode versionAt(MlflowRequest request) {
    String name = request.requiredString("name");
    String alias = request.string("alias");
    String stage = request.string("stage");
    long time = request.requiredLong("time");
    if ((alias == null) == (stage == null)) {
      throw MlflowException.invalid("Give exactly one of 'alias' and 'stage'");
    }
    OptionalInt version = alias != null ? registry.versionWithAliasAt(name, alias, time)
        : registry.versionInStageAt(name, stage, time);
    ObjectNode body = RegistryJson.object().put("name", name);
    if (alias != null) {
      body.put("alias", alias);
    } else {
      body.put("stage", stage);
    }
    body.put("time", time);
    if (version.isPresent()) {
      body.put("version", Integer.toString(version.getAsInt()));
    }
    return body;
  }

  private JsonNode resolve(MlflowRequest request) {
    ResolvedModel resolved = registry.resolve(request.requiredString("uri"));
    return RegistryJson.object()
        .put("name", resolved.name())
        .put("version", Integer.toString(resolved.version()))
        .put("current_stage", resolved.stage().displayName())
        .put("storage_location", resolved.storageLocation())
        .put("artifact_uri", "mlflow-artifacts:/" + resolved.storageLocation());
  }

  private JsonNode createWebhook(MlflowRequest request) {
    Set<RegistryEvent> events = EnumSet.noneOf(RegistryEvent.class);
    request.strings("events").forEach(event -> events.add(WebhookService.event(event)));
    ObjectNode body = RegistryJson.object();
    body.set("webhook", RegistryJson.webhook(registry.createWebhook(
        request.requiredString("url"), events, request.requiredString("secret"))));
    return body;
  }

  private JsonNode listWebhooks(MlflowRequest request) {
    ObjectNode body = RegistryJson.object();
    RegistryJson.array(body, "webhooks", registry.listWebhooks(), RegistryJson::webhook);
    return body;
  }

  private JsonNode deleteWebhook(MlflowRequest request) {
    registry.deleteWebhook(request.requiredLong("id"));
    return null;
  }

  private JsonNode listDeliveries(MlflowRequest request) {
    int maxResults = PageToken.maxResults(request.optionalLong("max_results"),
        WebhookService.DEFAULT_MAX_RESULTS, WebhookService.MAX_RESULTS);
    ObjectNode body = RegistryJson.object();
    RegistryJson.array(body, "deliveries", registry.listWebhookDeliveries(
        request.optionalLong("webhook_id"), maxResults), RegistryJson::delivery);
    return body;
  }
}
