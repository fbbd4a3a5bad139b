package dev.slipway.registry.models.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.registry.models.RegistryEvent;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * One registry event, as webhooks receive it: {@code {"event", "event_id", "timestamp",
 * "data"}}. Built inside the transaction, sent only after it commits.
 */
public record EventMessage(RegistryEvent event, String eventId, long timestamp, ObjectNode data) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static EventMessage of(RegistryEvent event, long timestamp) {
    return new EventMessage(event, UUID.randomUUID().toString(), timestamp,
        JSON.createObjectNode());
  }

  /** The body POSTed to receivers; the signature covers exactly these bytes. */
  public String payload() {
    ObjectNode body = JSON.createObjectNode()
        .put("event", event.name())
        .put("event_id", eventId)
        .put("timestamp", timestamp);
    body.set("data", data);
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
