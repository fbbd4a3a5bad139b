package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.RegistryEvent;
import dev.slipway.registry.models.Webhook;
import dev.slipway.registry.models.WebhookDelivery;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Webhook registrations and their delivery records. */
public final class WebhookService {
  public static final int DEFAULT_MAX_RESULTS = 100;
  public static final int MAX_RESULTS = 1000;
  private static final int MAX_URL = 2000;
  private static final int MAX_SECRET = 500;

  private final Transactions transactions;

  public WebhookService(Transactions transactions) {
    this.transactions = transactions;
  }

  public Webhook create(String url, Set<RegistryEvent> events, String secret) {
    checkUrl(url);
    if (events == null || events.isEmpty()) {
      throw MlflowException.invalid("A webhook needs at least one event; valid events are "
          + WebhookSender.knownEvents());
    }
    if (secret == null || secret.isEmpty()) {
      throw MlflowException.invalid("Missing value for required parameter 'secret': payloads"
          + " are signed with it (HMAC-SHA256)");
    }
    RegistryNames.maxLength("secret", secret, MAX_SECRET);
    return transactions.write((handle, ignored) -> WebhookRows.insert(handle, url, secret,
        events, transactions.now()));
  }

  public List<Webhook> list() {
    return transactions.read(WebhookRows::list);
  }

  public void delete(long id) {
    transactions.write((handle, ignored) -> {
      if (!WebhookRows.delete(handle, id)) {
        throw MlflowException.notFound("Webhook with id=" + id + " not found");
      }
      return null;
    });
  }

  public List<WebhookDelivery> deliveries(Long webhookId, int maxResults) {
    PageToken.maxResults((long) maxResults, DEFAULT_MAX_RESULTS, MAX_RESULTS);
    return transactions.read(handle -> WebhookRows.deliveries(handle, webhookId, maxResults));
  }

  /** Parses an event name; INVALID_PARAMETER_VALUE listing the valid ones. */
  public static RegistryEvent event(String name) {
    try {
      return RegistryEvent.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw MlflowException.invalid("Unknown webhook event '" + name + "'; valid events are "
          + WebhookSender.knownEvents());
    }
  }

  private static void checkUrl(String url) {
    if (url == null || url.isEmpty()) {
      throw MlflowException.invalid("Missing value for required parameter 'url'.");
    }
    RegistryNames.maxLength("url", url, MAX_URL);
    try {
      URI parsed = new URI(url);
      String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || parsed.getHost() == null) {
        throw MlflowException.invalid("Invalid webhook url '" + url + "': expected an absolute"
            + " http:// or https:// URL");
      }
    } catch (URISyntaxException e) {
      throw MlflowException.invalid("Invalid webhook url '" + url + "': " + e.getMessage());
    }
  }
}
