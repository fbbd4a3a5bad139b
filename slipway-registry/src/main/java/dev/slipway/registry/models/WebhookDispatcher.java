package dev.slipway.registry.models;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.retry.Backoff;
import dev.slipway.registry.models.internal.EventMessage;
import dev.slipway.registry.models.internal.WebhookSender;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Jdbi;

/**
 * How a registry delivers webhooks: after each committing change, every subscribed webhook gets
 * a signed POST, retried with exponential backoff; attempts and outcomes land in
 * webhook_deliveries. Delivery never blocks or fails the registry operation.
 *
 * <p>Tests inject a short {@link Backoff} (and, if they like, a {@link Clock} and an executor)
 * so that they never wait on real backoff delays.
 */
public final class WebhookDispatcher {
  private final boolean enabled;
  private final Backoff backoff;
  private final int maxAttempts;
  private final Duration attemptTimeout;
  private final ClientFactory clientFactory;
  private final Clock clock;
  private final Executor executor;

  private WebhookDispatcher(Builder builder) {
    this.enabled = builder.enabled;
    this.backoff = builder.backoff;
    this.maxAttempts = builder.maxAttempts;
    this.attemptTimeout = builder.attemptTimeout;
    this.clientFactory = builder.clientFactory;
    this.clock = builder.clock;
    this.executor = builder.executor != null ? builder.executor : defaultExecutor();
  }

  /**
   * Six attempts with exponential backoff from 1 s to 60 s (jittered), 10 s per attempt, the
   * system clock and one daemon thread for bookkeeping.
   */
  public static WebhookDispatcher defaults() {
    return builder().build();
  }

  /** Records webhooks but never sends anything: for tools and tests without receivers. */
  public static WebhookDispatcher disabled() {
    Builder builder = builder();
    builder.enabled = false;
    builder.executor = Runnable::run;
    return builder.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the dispatcher to the registry database that holds webhooks and deliveries. */
  Publisher bind(Jdbi jdbi) {
    if (!enabled) {
      return events -> { };
    }
    WebhookSender sender = new WebhookSender(jdbi, new WebhookSender.Settings(backoff,
        maxAttempts, attemptTimeout, clientFactory, clock, executor));
    return sender::publish;
  }

  /** What the registry hands committed events to. */
  @FunctionalInterface
  interface Publisher {
    void publish(List<EventMessage> events);
  }

  private static ExecutorService defaultExecutor() {
    return Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "slipway-webhooks");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Settings for {@link WebhookDispatcher}; every one has a default. */
  public static final class Builder {
    private boolean enabled = true;
    private Backoff backoff = Backoff.exponential(1_000, 60_000).withJitter(0.2);
    private int maxAttempts = 6;
    private Duration attemptTimeout = Duration.ofSeconds(10);
    private ClientFactory clientFactory = ClientFactory.ofDefault();
    private Clock clock = Clock.systemUTC();
    private Executor executor;

    private Builder() {}

    /** The delay before each retry; tests use a few milliseconds. */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /** Attempts per delivery, the first included. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = Objects.requireNonNull(attemptTimeout, "attemptTimeout");
      return this;
    }

    public Builder clientFactory(ClientFactory clientFactory) {
      this.clientFactory = Objects.requireNonNull(clientFactory, "clientFactory");
      return this;
    }

    /** Stamps delivery and attempt times. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Runs fan-out and bookkeeping (database writes); HTTP runs on Armeria's event loops. It must
     * hand tasks to other threads: one that runs them on the caller's thread would make registry
     * operations wait for webhook bookkeeping.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    public WebhookDispatcher build() {
      return new WebhookDispatcher(this);
    }
  }
}
