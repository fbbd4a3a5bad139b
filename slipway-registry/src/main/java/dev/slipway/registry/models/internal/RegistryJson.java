package dev.slipway.registry.models.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.registry.models.AuditEntry;
import dev.slipway.registry.models.ModelAlias;
import dev.slipway.registry.models.ModelVersion;
import dev.slipway.registry.models.RegisteredModel;
import dev.slipway.registry.models.ValidationResult;
import dev.slipway.registry.models.Webhook;
import dev.slipway.registry.models.WebhookDelivery;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Registry values as JSON. MLflow's entities follow model_registry.proto as MLflow's server
 * prints them: proto field names, versions as strings, int64 as numbers, unset fields and empty
 * lists left out. Slipway's own entities always carry their lists.
 */
public final class RegistryJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private RegistryJson() {}

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  public static ObjectNode registeredModel(RegisteredModel model) {
    ObjectNode json = NODES.objectNode()
        .put("name", model.name())
        .put("creation_timestamp", model.creationTimestamp())
        .put("last_updated_timestamp", model.lastUpdatedTimestamp());
    putIfSet(json, "description", model.description());
    putList(json, "latest_versions", model.latestVersions(), RegistryJson::modelVersion);
    putTags(json, model.tags());
    putList(json, "aliases", model.aliases(), RegistryJson::alias);
    return json;
  }

  private static ObjectNode alias(ModelAlias alias) {
    return NODES.objectNode().put("alias", alias.alias())
        .put("version", Integer.toString(alias.version()));
  }

  public static ObjectNode modelVersion(ModelVersion version) {
    ObjectNode json = NODES.objectNode()
        .put("name", version.name())
        .put("version", Integer.toString(version.version()))
        .put("creation_timestamp", version.creationTimestamp())
        .put("last_updated_timestamp", version.lastUpdatedTimestamp());
    putIfSet(json, "user_id", version.userId());
    json.put("current_stage", version.currentStage().displayName());
    putIfSet(json, "description", version.description());
    putIfSet(json, "source", version.source());
    putIfSet(json, "run_id", version.runId());
    json.put("status", version.status());
    putIfSet(json, "status_message", version.statusMessage());
    putTags(json, version.tags());
    putIfSet(json, "run_link", version.runLink());
    if (!version.aliases().isEmpty()) {
      ArrayNode aliases = json.putArray("aliases");
      version.aliases().forEach(aliases::add);
    }
    putIfSet(json, "storage_location", version.storageLocation());
    return json;
  }

  public static ObjectNode validation(ValidationResult result) {
    ObjectNode json = NODES.objectNode()
        .put("name", result.name())
        .put("version", Integer.toString(result.version()))
        .put("check_name", result.checkName())
        .put("kind", result.kind().wireName())
        .put("metric", result.metric());
    putNumber(json, "value", result.value());
    json.put("comparator", result.comparator().symbol());
    if (result.threshold() != null) {
      putNumber(json, "threshold", result.threshold());
    }
    if (result.comparedVersion() != null) {
      json.put("compared_version", result.comparedVersion().toString());
    }
    json.put("passed", result.passed());
    putIfSet(json, "details", result.details());
    return json.put("recorded_at", result.recordedAt());
  }

  public static ObjectNode auditEntry(AuditEntry entry) {
    ObjectNode json = NODES.objectNode()
        .put("id", entry.id())
        .put("name", entry.name())
        .put("kind", entry.kind().name())
        .put("subject", entry.subject());
    if (entry.fromVersion() != null) {
      json.put("from_version", entry.fromVersion().toString());
    }
    if (entry.toVersion() != null) {
      json.put("to_version", entry.toVersion().toString());
    }
    putIfSet(json, "from_value", entry.fromValue());
    putIfSet(json, "to_value", entry.toValue());
    return json.put("actor", entry.actor()).put("changed_at", entry.changedAt());
  }

  public static ObjectNode webhook(Webhook webhook) {
    ObjectNode json = NODES.objectNode()
        .put("id", Long.toString(webhook.id()))
        .put("url", webhook.url());
    ArrayNode events = json.putArray("events");
    webhook.events().stream().map(Enum::name).sorted().forEach(events::add);
    return json.put("created_at", webhook.createdAt());
  }

  public static ObjectNode delivery(WebhookDelivery delivery) {
    ObjectNode json = NODES.objectNode()
        .put("id", Long.toString(delivery.id()))
        .put("webhook_id", Long.toString(delivery.webhookId()))
        .put("event", delivery.event().name())
        .put("event_id", delivery.eventId())
        .put("status", delivery.status())
        .put("attempts", delivery.attempts());
    putIfSet(json, "last_error", delivery.lastError());
    json.put("created_at", delivery.createdAt());
    if (delivery.deliveredAt() != null) {
      json.put("delivered_at", delivery.deliveredAt());
    }
    json.put("payload", delivery.payload());
    ArrayNode attempts = json.putArray("attempt_log");
    for (WebhookDelivery.Attempt attempt : delivery.attemptLog()) {
      ObjectNode row = attempts.addObject().put("attempt", attempt.attempt())
          .put("attempted_at", attempt.attemptedAt());
      if (attempt.statusCode() != null) {
        row.put("status_code", attempt.statusCode());
      }
      putIfSet(row, "error", attempt.error());
    }
    return json;
  }

  /** A list under {@code field}, always present (Slipway's shape). */
  public static <T> ArrayNode array(ObjectNode json, String field, List<T> items,
      Function<T, ObjectNode> toJson) {
    ArrayNode array = json.putArray(field);
    items.forEach(item -> array.add(toJson.apply(item)));
    return array;
  }

  /** A list under {@code field}, left out when empty (MLflow's shape). */
  public static <T> void putList(ObjectNode json, String field, List<T> items,
      Function<T, ObjectNode> toJson) {
    if (!items.isEmpty()) {
      array(json, field, items, toJson);
    }
  }

  private static void putTags(ObjectNode json, Map<String, String> tags) {
    if (tags.isEmpty()) {
      return;
    }
    ArrayNode array = json.putArray("tags");
    tags.forEach((key, value) -> {
      ObjectNode tag = array.addObject().put("key", key);
      putIfSet(tag, "value", value);
    });
  }

  public static void putIfSet(ObjectNode json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
  }

  /** JSON has no NaN or Infinity: those go as strings, as MLflow writes them. */
  private static void putNumber(ObjectNode json, String field, double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      json.put(field, Double.toString(value));
    } else {
      json.put(field, value);
    }
  }
}
