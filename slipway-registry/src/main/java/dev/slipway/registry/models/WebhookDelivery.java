package dev.slipway.registry.models;

import java.util.List;

/**
 * One event sent to one webhook, with every HTTP attempt.
 *
 * @param status PENDING while attempts go on, then DELIVERED or FAILED
 * @param deliveredAt when the final status was reached; null while pending
 */
public record WebhookDelivery(
    long id,
    long webhookId,
    RegistryEvent event,
    String eventId,
    String status,
    int attempts,
    String lastError,
    long createdAt,
    Long deliveredAt,
    String payload,
    List<Attempt> attemptLog) {
  public static final String PENDING = "PENDING";
  public static final String DELIVERED = "DELIVERED";
  public static final String FAILED = "FAILED";

  public WebhookDelivery {
    attemptLog = List.copyOf(attemptLog);
  }

  /**
   * One HTTP attempt.
   *
   * @param statusCode the receiver's HTTP status; null when no response came
   * @param error why the attempt failed; null on success
   */
  public record Attempt(int attempt, long attemptedAt, Integer statusCode, String error) {}
}
