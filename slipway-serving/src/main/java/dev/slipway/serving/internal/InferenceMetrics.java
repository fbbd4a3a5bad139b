package dev.slipway.serving.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus meters for inference: requests by outcome, latency, batching queue time and batch
 * sizes, each per model and version. Meters are looked up once per loaded version, not per request.
 */
public final class InferenceMetrics {
  /** How a request reached the server. */
  public enum Protocol {
    REST,
    GRPC
  }

  /** What became of a request. */
  public enum Outcome {
    SUCCESS,
    CLIENT_ERROR,
    SERVER_ERROR
  }

  private static final Duration MIN_EXPECTED = Duration.ofNanos(1_000);
  private static final Duration MAX_EXPECTED = Duration.ofSeconds(30);

  private final MeterRegistry registry;

  public InferenceMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Counts a request naming a model or version that is not loaded. */
  public void unknownModel(Protocol protocol) {
    Counter.builder("slipway.inference.unknown.model")
        .description("Requests for a model or version that is not loaded")
        .tag("protocol", protocol.name().toLowerCase())
        .register(registry)
        .increment();
  }

  /** Counts a load attempt of one model version. */
  public void modelLoad(String model, long version, boolean success) {
    Counter.builder("slipway.model.loads")
        .description("Model version loads, by outcome")
        .tag("model", model)
        .tag("version", Long.toString(version))
        .tag("outcome", success ? "success" : "failure")
        .register(registry)
        .increment();
  }

  VersionMeters forVersion(String model, long version) {
    return new VersionMeters(model, Long.toString(version));
  }

  /** The meters of one loaded model version. */
  final class VersionMeters {
    private final Map<Protocol, Map<Outcome, Counter>> requests = new EnumMap<>(Protocol.class);
    private final Map<Protocol, Timer> latency = new EnumMap<>(Protocol.class);
    private final Timer queueTime;
    private final DistributionSummary batchSize;

    private VersionMeters(String model, String version) {
      for (Protocol protocol : Protocol.values()) {
        String protocolTag = protocol.name().toLowerCase();
        Map<Outcome, Counter> byOutcome = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
          byOutcome.put(outcome, Counter.builder("slipway.inference.requests")
              .description("Inference requests, by protocol and outcome")
              .tags("model", model, "version", version, "protocol", protocolTag,
                  "outcome", outcome.name().toLowerCase())
              .register(registry));
        }
        requests.put(protocol, byOutcome);
        latency.put(protocol, Timer.builder("slipway.inference.duration")
            .description("Time from a decoded request to its scored outputs")
            .tags("model", model, "version", version, "protocol", protocolTag)
            .publishPercentileHistogram()
            .minimumExpectedValue(MIN_EXPECTED)
            .maximumExpectedValue(MAX_EXPECTED)
            .register(registry));
      }
      queueTime = Timer.builder("slipway.batch.queue.duration")
          .description("Time a request waited for its dynamic batch to start")
          .tags("model", model, "version", version)
          .publishPercentileHistogram()
          .minimumExpectedValue(MIN_EXPECTED)
          .maximumExpectedValue(MAX_EXPECTED)
          .register(registry);
      batchSize = DistributionSummary.builder("slipway.batch.size")
          .description("Rows per runtime call")
          .tags("model", model, "version", version)
          .publishPercentileHistogram()
          .minimumExpectedValue(1.0)
          .maximumExpectedValue(4096.0)
          .register(registry);
    }

    void request(Protocol protocol, Outcome outcome, long nanos) {
      requests.get(protocol).get(outcome).increment();
      latency.get(protocol).record(nanos, TimeUnit.NANOSECONDS);
    }

    void queued(long nanos) {
      queueTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    void batch(int rows) {
      batchSize.record(rows);
    }
  }
}
