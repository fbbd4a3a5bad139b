package dev.slipway.registry.models.internal;

import dev.slipway.registry.models.RegistryEvent;
import dev.slipway.registry.models.Webhook;
import dev.slipway.registry.models.WebhookDelivery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/** SQL for webhooks, their deliveries and delivery attempts. */
public final class WebhookRows {
  /** A webhook with its secret, for signing; never leaves the server. */
  public record Subscriber(long id, String url, String secret, Set<RegistryEvent> events) {}

  private WebhookRows() {}

  public static Webhook insert(Handle handle, String url, String secret,
      Set<RegistryEvent> events, long now) {
    long id = handle.createUpdate("INSERT INTO webhooks (url, secret, events, created_at) VALUES"
            + " (:url, :secret, :events, :now)")
        .bind("url", url).bind("secret", secret).bind("events", join(events)).bind("now", now)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    return new Webhook(id, url, events, now);
  }

  public static List<Webhook> list(Handle handle) {
    return handle.createQuery("SELECT id, url, events, created_at FROM webhooks ORDER BY id")
        .map((row, ctx) -> new Webhook(row.getLong("id"), row.getString("url"),
            split(row.getString("events")), row.getLong("created_at")))
        .list();
  }

  public static List<Subscriber> subscribers(Handle handle) {
    return handle.createQuery("SELECT id, url, secret, events FROM webhooks ORDER BY id")
        .map((row, ctx) -> new Subscriber(row.getLong("id"), row.getString("url"),
            row.getString("secret"), split(row.getString("events"))))
        .list();
  }

  public static boolean delete(Handle handle, long id) {
    return handle.createUpdate("DELETE FROM webhooks WHERE id = :id").bind("id", id)
        .execute() > 0;
  }

  public static long insertDelivery(Handle handle, long webhookId, RegistryEvent event,
      String eventId, String payload, long now) {
    return handle.createUpdate("INSERT INTO webhook_deliveries (webhook_id, event, event_id,"
            + " payload, status, attempts, created_at) VALUES (:webhookId, :event, :eventId,"
            + " :payload, :status, 0, :now)")
        .bind("webhookId", webhookId).bind("event", event.name()).bind("eventId", eventId)
        .bind("payload", payload).bind("status", WebhookDelivery.PENDING).bind("now", now)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
  }

  public static void insertAttempt(Handle handle, long deliveryId, int attempt, long at,
      Integer statusCode, String error) {
    handle.createUpdate("INSERT INTO webhook_delivery_attempts (delivery_id, attempt,"
            + " attempted_at, status_code, error) VALUES (:deliveryId, :attempt, :at,"
            + " :statusCode, :error)")
        .bind("deliveryId", deliveryId).bind("attempt", attempt).bind("at", at)
        .bind("statusCode", statusCode).bind("error", truncate(error)).execute();
  }

  public static void finish(Handle handle, long deliveryId, String status, int attempts,
      String lastError, long now) {
    handle.createUpdate("UPDATE webhook_deliveries SET status = :status, attempts = :attempts,"
            + " last_error = :lastError, delivered_at = :now WHERE id = :id")
        .bind("status", status).bind("attempts", attempts).bind("lastError", truncate(lastError))
        .bind("now", now).bind("id", deliveryId).execute();
  }

  /** The newest deliveries first, of one webhook or all, each with its attempts. */
  public static List<WebhookDelivery> deliveries(Handle handle, Long webhookId, int limit) {
    var query = handle.createQuery("SELECT id, webhook_id, event, event_id, status, attempts,"
        + " last_error, created_at, delivered_at, payload FROM webhook_deliveries"
        + (webhookId == null ? "" : " WHERE webhook_id = :webhookId")
        + " ORDER BY id DESC LIMIT :limit").bind("limit", limit);
    if (webhookId != null) {
      query.bind("webhookId", webhookId);
    }
    List<WebhookDelivery> rows = query.map((row, ctx) -> new WebhookDelivery(row.getLong("id"),
        row.getLong("webhook_id"), RegistryEvent.valueOf(row.getString("event")),
        row.getString("event_id"), row.getString("status"), row.getInt("attempts"),
        row.getString("last_error"), row.getLong("created_at"),
        row.getObject("delivered_at", Long.class), row.getString("payload"), List.of())).list();
    if (rows.isEmpty()) {
      return rows;
    }
    Map<Long, List<WebhookDelivery.Attempt>> attempts = new HashMap<>();
    handle.createQuery("SELECT delivery_id, attempt, attempted_at, status_code, error FROM"
            + " webhook_delivery_attempts WHERE delivery_id IN (<ids>) ORDER BY attempt")
        .bindList("ids", rows.stream().map(WebhookDelivery::id).toList())
        .map((row, ctx) -> Map.entry(row.getLong("delivery_id"), new WebhookDelivery.Attempt(
            row.getInt("attempt"), row.getLong("attempted_at"),
            row.getObject("status_code", Integer.class), row.getString("error"))))
        .forEach(entry -> attempts.computeIfAbsent(entry.getKey(), key -> new ArrayList<>())
            .add(entry.getValue()));
    return rows.stream().map(d -> new WebhookDelivery(d.id(), d.webhookId(), d.event(),
        d.eventId(), d.status(), d.attempts(), d.lastError(), d.createdAt(), d.deliveredAt(),
        d.payload(), attempts.getOrDefault(d.id(), List.of()))).toList();
  }

  private static String join(Set<RegistryEvent> events) {
    return events.stream().map(Enum::name).sorted().collect(Collectors.joining(","));
  }

  private static Set<RegistryEvent> split(String events) {
    Set<RegistryEvent> parsed = EnumSet.noneOf(RegistryEvent.class);
    Arrays.stream(events.split(",")).map(String::trim).filter(name -> !name.isEmpty())
        .forEach(name -> parsed.add(RegistryEvent.valueOf(name)));
    return parsed;
  }

  private static String truncate(String text) {
    return text != null && text.length() > 2000 ? text.substring(0, 2000) : text;
  }
}
