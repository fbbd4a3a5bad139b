package dev.slipway.registry.models.internal;

import com.linecorp.armeria.client.ClientRequestContext;
import com.linecorp.armeria.client.ClientRequestContextCaptor;
import com.linecorp.armeria.client.Clients;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.HttpClient;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.retry.Backoff;
import com.linecorp.armeria.client.retry.RetryConfig;
import com.linecorp.armeria.client.retry.RetryRule;
import com.linecorp.armeria.client.retry.RetryingClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.logging.RequestLog;
import dev.slipway.registry.models.RegistryEvent;
import dev.slipway.registry.models.WebhookDelivery;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends committed registry events to the webhooks subscribed to them. Everything runs off the
 * caller's thread: bookkeeping on {@code executor}, HTTP on Armeria's event loops with retries
 * by a RetryingClient; failures are recorded and logged, never thrown back to the registry.
 */
public final class WebhookSender {
  public static final String SIGNATURE_HEADER = "X-Slipway-Signature";
  public static final String EVENT_HEADER = "X-Slipway-Event";
  public static final String EVENT_ID_HEADER = "X-Slipway-Event-Id";
  public static final String TIMESTAMP_HEADER = "X-Slipway-Timestamp";
  public static final String DELIVERY_HEADER = "X-Slipway-Delivery";
  /** Set by Armeria's RetryingClient on every attempt after the first. */
  private static final String RETRY_COUNT_HEADER = "armeria-retry-count";
  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

  private final Jdbi jdbi;
  private final WebClient client;
  private final Clock clock;
  private final Executor executor;

  /** How deliveries are made: retries, timeouts, time and threads. */
  public record Settings(Backoff backoff, int maxAttempts, Duration attemptTimeout,
      ClientFactory clientFactory, Clock clock, Executor executor) {}

  public WebhookSender(Jdbi jdbi, Settings settings) {
    this.jdbi = jdbi;
    this.clock = settings.clock();
    this.executor = settings.executor();
    RetryRule retryRule = RetryRule.builder(HttpMethod.POST)
        .onServerErrorStatus()
        .onStatus(HttpStatus.TOO_MANY_REQUESTS, HttpStatus.REQUEST_TIMEOUT)
        .onException()
        .thenBackoff(settings.backoff());
    RetryConfig<HttpResponse> retryConfig = RetryConfig.builder(retryRule)
        .maxTotalAttempts(settings.maxAttempts())
        .responseTimeoutForEachAttempt(settings.attemptTimeout())
        .build();
    // Decorators added first sit innermost: the recorder sees each attempt, retries included.
    this.client = WebClient.builder()
        .factory(settings.clientFactory())
        .responseTimeout(Duration.ZERO)
        .decorator(this::recordAttempt)
        .decorator(RetryingClient.newDecorator(retryConfig))
        .build();
  }

  /** Queues the events; returns at once. */
  public void publish(List<EventMessage> events) {
    if (events.isEmpty()) {
      return;
    }
    try {
      executor.execute(() -> events.forEach(this::fanOut));
    } catch (RejectedExecutionException e) {
      log.warn("Webhook events dropped, the webhook executor refused them: {}", events.stream()
          .map(EventMessage::eventId).toList());
    }
  }

  private void fanOut(EventMessage event) {
    try {
      String payload = event.payload();
      for (WebhookRows.Subscriber subscriber : jdbi.withHandle(WebhookRows::subscribers)) {
        if (subscriber.events().contains(event.event())) {
          send(subscriber, event, payload);
        }
      }
    } catch (RuntimeException e) {
      log.warn("Cannot deliver webhook event {} {}", event.event(), event.eventId(), e);
    }
  }

  private void send(WebhookRows.Subscriber subscriber, EventMessage event, String payload) {
    long deliveryId = jdbi.withHandle(handle -> WebhookRows.insertDelivery(handle,
        subscriber.id(), event.event(), event.eventId(), payload, clock.millis()));
    HttpResponse response;
    ClientRequestContext context;
    try (ClientRequestContextCaptor captor = Clients.newContextCaptor()) {
      response = client.execute(request(subscriber, event, payload, deliveryId));
      context = captor.getOrNull();
    } catch (RuntimeException e) {
      finish(deliveryId, null, null, e);
      return;
    }
    response.aggregate().handleAsync((aggregated, failure) -> {
      finish(deliveryId, context, aggregated, failure);
      return null;
    }, executor);
  }

  private static HttpRequest request(WebhookRows.Subscriber subscriber, EventMessage event,
      String payload, long deliveryId) {
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    RequestHeaders headers = RequestHeaders.builder(HttpMethod.POST, subscriber.url())
        .contentType(MediaType.JSON_UTF_8)
        .add(SIGNATURE_HEADER, "sha256=" + sign(subscriber.secret(), body))
        .add(EVENT_HEADER, event.event().name())
        .add(EVENT_ID_HEADER, event.eventId())
        .add(TIMESTAMP_HEADER, Long.toString(event.timestamp()))
        .add(DELIVERY_HEADER, Long.toString(deliveryId))
        .build();
    return HttpRequest.of(headers, HttpData.wrap(body));
  }

  /** Hex HMAC-SHA256 of {@code body} keyed with {@code secret}. */
  public static String sign(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private HttpResponse recordAttempt(HttpClient delegate, ClientRequestContext ctx,
      HttpRequest req) throws Exception {
    String delivery = req.headers().get(DELIVERY_HEADER);
    int attempt = 1 + req.headers().getInt(RETRY_COUNT_HEADER, 0);
    long attemptedAt = clock.millis();
    HttpResponse response = delegate.execute(ctx, req);
    if (delivery != null) {
      ctx.log().whenComplete().thenAcceptAsync(requestLog -> store(Long.parseLong(delivery),
          attempt, attemptedAt, requestLog), executor);
    }
    return response;
  }

  private void store(long deliveryId, int attempt, long attemptedAt, RequestLog requestLog) {
    int status = requestLog.responseHeaders().status().code();
    Integer statusCode = status > 0 ? status : null;
    // With a status, that is the story: the retrying client aborts the body of an attempt it
    // retries, which shows up as a cause but is no failure of the receiver.
    String error;
    if (statusCode != null) {
      error = statusCode >= 300 ? "HTTP " + status : null;
    } else {
      error = requestLog.responseCause() != null ? describe(requestLog.responseCause())
          : "no response";
    }
    try {
      jdbi.useHandle(handle -> WebhookRows.insertAttempt(handle, deliveryId, attempt,
          attemptedAt, statusCode, error));
    } catch (RuntimeException e) {
      // The webhook may have been deleted meanwhile, taking its deliveries with it.
      log.debug("Cannot record attempt {} of webhook delivery {}", attempt, deliveryId, e);
    }
  }

  private void finish(long deliveryId, ClientRequestContext context,
      AggregatedHttpResponse response, Throwable failure) {
    boolean delivered = failure == null && response != null
        && response.status().isSuccess();
    String error = delivered ? null : failure != null ? describe(failure)
        : "HTTP " + response.status().code();
    int attempts = context == null ? 1 : Math.max(1, context.log().children().size());
    try {
      jdbi.useHandle(handle -> WebhookRows.finish(handle, deliveryId,
          delivered ? WebhookDelivery.DELIVERED : WebhookDelivery.FAILED, attempts, error,
          clock.millis()));
    } catch (RuntimeException e) {
      log.debug("Cannot record the outcome of webhook delivery {}", deliveryId, e);
    }
    if (!delivered) {
      log.warn("Webhook delivery {} failed after {} attempt(s): {}", deliveryId, attempts, error);
    }
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** The events a webhook may subscribe to, for error messages. */
  public static String knownEvents() {
    return String.join(", ", java.util.Arrays.stream(RegistryEvent.values()).map(Enum::name)
        .toList());
  }
}
