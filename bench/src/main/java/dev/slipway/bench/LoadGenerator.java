package dev.slipway.bench;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.CommonPools;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import dev.slipway.serving.grpc.GRPCInferenceServiceGrpc;
import dev.slipway.serving.grpc.ModelInferRequest;
import dev.slipway.serving.grpc.ModelInferResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-loop load generator: exactly {@code c} requests are in flight, each user sending its
 * next request when the previous one is answered. Latencies of the requests answered inside the
 * measurement window go into an HdrHistogram; anything but HTTP 200 or gRPC OK is an error. Ends
 * with one line on standard output:
 *
 * <pre>
 * result protocol=rest model=bc c=8 connections=8 requests=81234 errors=0 rps=8123.4
 *     p50_ms=0.912 p90_ms=1.201 p99_ms=1.873 p999_ms=3.101 max_ms=9.8 ...
 * </pre>
 *
 * <p>Bounded twice, as load on a shared machine must be: no request starts after the window
 * closes, and no more than {@code --max-requests} are sent in all.
 */
public final class LoadGenerator {
  private static final String USAGE = """
      Usage: LoadGenerator --protocol rest|grpc|ceiling-rest|ceiling-grpc --url http://HOST:PORT
                           --concurrency C --warmup SECONDS --measure SECONDS
                           --max-requests N --input CSV [--row 0] [--model bc]
                           [--connections N] [--grpc-raw false] [--rest-http2 false]
                           [--timeout-ms 10000]
        rest          POST URL/v2/models/MODEL/infer, JSON, HTTP/1.1 (one connection per user)
        grpc          inference.GRPCInferenceService/ModelInfer, HTTP/2, --connections channels
                      (default 1, as one gRPC channel)
        ceiling-rest  POST URL/ceiling of CeilingServer, same body
        ceiling-grpc  ModelInfer on CeilingServer, same message
        --input       fixture CSV; data row --row (0-based, header excluded) is sent, less any
                      'label' column""";

  private static final Set<String> OPTIONS = Set.of("protocol", "url", "model", "concurrency",
      "warmup", "measure", "max-requests", "input", "row", "connections", "grpc-raw",
      "rest-http2", "timeout-ms");

  /** Latencies above this are clamped: nothing legitimate takes longer than the timeout. */
  private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(120);
  private static final int ERRORS_SHOWN = 5;

  private LoadGenerator() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args, OPTIONS, USAGE);
    String protocol = options.required("protocol");
    String url = options.required("url").replaceAll("/+$", "");
    String model = options.string("model", "bc");
    int concurrency = options.integer("concurrency", 1);
    double warmupSeconds = options.decimal("warmup", 5);
    double measureSeconds = options.decimal("measure", 10);
    long maxRequests = options.number("max-requests", 1_000_000);
    InputRow row = InputRow.read(Path.of(options.required("input")), options.integer("row", 0));
    boolean grpc = protocol.endsWith("grpc");
    boolean restHttp2 = options.flag("rest-http2");
    int connections = options.integer("connections",
        grpc || restHttp2 ? 1 : concurrency);
    Duration timeout = Duration.ofMillis(options.number("timeout-ms", 10_000));
    if (concurrency < 1 || connections < 1 || maxRequests < 1 || measureSeconds <= 0
        || warmupSeconds < 0) {
      throw options.fail("concurrency, connections, max-requests and measure must be positive");
    }

    List<ClientFactory> factories = new ArrayList<>();
    for (int i = 0; i < (grpc || restHttp2 ? connections : 1); i++) {
      // One factory per connection: a factory multiplexes all HTTP/2 streams on one connection,
      // so separate factories (sharing the event loops) are how to get several.
      factories.add(ClientFactory.builder()
          .workerGroup(CommonPools.workerGroup(), false)
          .connectTimeout(Duration.ofSeconds(5))
          .build());
    }
    Target target = switch (protocol) {
      case "rest" -> new RestTarget(factories, url + "/v2/models/" + model + "/infer",
          row.restJson(), restHttp2, timeout);
      case "ceiling-rest" -> new RestTarget(factories, url + "/ceiling", row.restJson(),
          restHttp2, timeout);
      case "grpc", "ceiling-grpc" -> new GrpcTarget(factories, url,
          row.grpcRequest(model, options.flag("grpc-raw")), timeout);
      default -> throw options.fail("unknown protocol '" + protocol + "'");
    };

    int status = 0;
    try {
      // One request first: a wrong URL or model must fail loudly, not produce a table of errors.
      try {
        target.send().get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        System.err.println("probe request failed: " + rootCause(e));
        status = 2;
        return;
      }
      ClosedLoop loop = new ClosedLoop(target, concurrency, maxRequests,
          seconds(warmupSeconds), seconds(measureSeconds));
      loop.run(timeout);
      System.out.println(loop.report(protocol, model, connections, grpc ? "h2c"
          : restHttp2 ? "h2c" : "h1c"));
    } finally {
      factories.forEach(ClientFactory::close);
      // Armeria's shared pools are not daemon threads: leave now, the result is printed.
      System.out.flush();
      System.exit(status);
    }
  }

  private static long seconds(double seconds) {
    return (long) (seconds * 1e9);
  }

  static String rootCause(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** Sends one request; the future fails unless the answer is HTTP 200 or gRPC OK. */
  interface Target {
    CompletableFuture<Void> send();
  }

  static final class RestTarget implements Target {
    private final List<WebClient> clients = new ArrayList<>();
    private final RequestHeaders headers;
    private final byte[] body;
    private final AtomicInteger nextClient = new AtomicInteger();

    RestTarget(List<ClientFactory> factories, String url, String json, boolean http2,
        Duration timeout) {
      URI uri = URI.create(url);
      // h1c: plain HTTP/1.1, one request per connection at a time, as wrk and most REST clients;
      // h2c: prior-knowledge HTTP/2, no upgrade round trip.
      String base = (http2 ? "h2c" : "h1c") + "://" + uri.getAuthority();
      for (ClientFactory factory : factories) {
        clients.add(WebClient.builder(base).factory(factory).responseTimeout(timeout)
            .maxResponseLength(0).build());
      }
      this.headers = RequestHeaders.builder(HttpMethod.POST, uri.getRawPath())
          .contentType(MediaType.JSON).build();
      this.body = json.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public CompletableFuture<Void> send() {
      WebClient client = clients.get(Math.floorMod(nextClient.getAndIncrement(), clients.size()));
      return client.execute(HttpRequest.of(headers, HttpData.wrap(body))).aggregate()
          .thenAccept(response -> {
            if (!response.status().equals(HttpStatus.OK)) {
              throw new IllegalStateException("HTTP " + response.status().code() + ": "
                  + abbreviate(response.contentUtf8()));
            }
          });
    }
  }

  static final class GrpcTarget implements Target {
    private final List<GRPCInferenceServiceGrpc.GRPCInferenceServiceStub> stubs =
        new ArrayList<>();
    private final ModelInferRequest request;
    private final AtomicInteger nextStub = new AtomicInteger();

    GrpcTarget(List<ClientFactory> factories, String url, ModelInferRequest request,
        Duration timeout) {
      URI uri = URI.create(url);
      for (ClientFactory factory : factories) {
        stubs.add(GrpcClients.builder("h2c://" + uri.getAuthority()).factory(factory)
            .responseTimeout(timeout).maxResponseLength(0)
            .build(GRPCInferenceServiceGrpc.GRPCInferenceServiceStub.class));
      }
      this.request = request;
    }

    @Override
    public CompletableFuture<Void> send() {
      var stub = stubs.get(Math.floorMod(nextStub.getAndIncrement(), stubs.size()));
      CompletableFuture<Void> done = new CompletableFuture<>();
      stub.modelInfer(request, new StreamObserver<>() {
        private boolean answered;

        @Override
        public void onNext(ModelInferResponse response) {
          answered = true;
        }

        @Override
        public void onError(Throwable error) {
          done.completeExceptionally(error);
        }

        @Override
        public void onCompleted() {
          if (answered) {
            done.complete(null);
          } else {
            done.completeExceptionally(new IllegalStateException("OK without a response"));
          }
        }
      });
      return done;
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  /** The users, their counters and the window they are measured in. */
  static final class ClosedLoop {
    private final Target target;
    private final int concurrency;
    private final long maxRequests;
    private final long warmupNanos;
    private final long measureNanos;
    private final Recorder latencies = new Recorder(HIGHEST_TRACKABLE_NANOS, 3);
    private final AtomicLong issued = new AtomicLong();
    private final LongAdder measuredRequests = new LongAdder();
    private final LongAdder measuredErrors = new LongAdder();
    private final LongAdder warmupErrors = new LongAdder();
    private final AtomicLong lastMeasuredCompletion = new AtomicLong();
    private final AtomicInteger errorsShown = new AtomicInteger();
    private final CountDownLatch usersDone;
    private volatile boolean stoppedByCount;
    private long measureStart;
    private long measureEnd;

    ClosedLoop(Target target, int concurrency, long maxRequests, long warmupNanos,
        long measureNanos) {
      this.target = target;
      this.concurrency = concurrency;
      this.maxRequests = maxRequests;
      this.warmupNanos = warmupNanos;
      this.measureNanos = measureNanos;
      this.usersDone = new CountDownLatch(concurrency);
    }

    void run(Duration requestTimeout) throws InterruptedException {
      long start = System.nanoTime();
      measureStart = start + warmupNanos;
      measureEnd = measureStart + measureNanos;
      for (int i = 0; i < concurrency; i++) {
        sendNext();
      }
      // Users stop by themselves at the window's end; the last answers may take a timeout.
      long waitNanos = warmupNanos + measureNanos + requestTimeout.toNanos()
          + TimeUnit.SECONDS.toNanos(5);
      if (!usersDone.await(waitNanos, TimeUnit.NANOSECONDS)) {
        System.err.println("gave up waiting for " + usersDone.getCount() + " users");
      }
    }

    private void sendNext() {
      long now = System.nanoTime();
      if (now - measureEnd >= 0) {
        usersDone.countDown();
        return;
      }
      if (issued.incrementAndGet() > maxRequests) {
        stoppedByCount = true;
        usersDone.countDown();
        return;
      }
      CompletableFuture<Void> answer;
      try {
        answer = target.send();
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete((ignored, failure) -> {
        long end = System.nanoTime();
        boolean measured = end - measureStart >= 0 && end - measureEnd < 0;
        if (failure != null) {
          (measured ? measuredErrors : warmupErrors).increment();
          if (errorsShown.getAndIncrement() < ERRORS_SHOWN) {
            System.err.println("error: " + rootCause(failure));
          }
        } else if (measured) {
          measuredRequests.increment();
          latencies.recordValue(Math.min(end - now, HIGHEST_TRACKABLE_NANOS));
          lastMeasuredCompletion.accumulateAndGet(end, Math::max);
        }
        if (failure != null) {
          // A failure may complete on this very thread inside send(): start the next request
          // from the pool so that a refused connection cannot recurse until the stack ends.
          CommonPools.workerGroup().next().execute(this::sendNext);
        } else {
          sendNext();
        }
      });
    }

    String report(String protocol, String model, int connections, String transport) {
      Histogram histogram = latencies.getIntervalHistogram();
      long requests = measuredRequests.sum();
      long errors = measuredErrors.sum();
      // Stopped by --max-requests, the window ends with the last answer rather than on time.
      long windowEnd = stoppedByCount && lastMeasuredCompletion.get() != 0
          ? Math.min(lastMeasuredCompletion.get(), measureEnd) : measureEnd;
      double seconds = Math.max(1e-9, (windowEnd - measureStart) / 1e9);
      if (requests == 0) {
        System.err.println("no request was answered in the measurement window"
            + (stoppedByCount ? " (--max-requests was reached during the warm-up)" : ""));
      }
      return String.format(Locale.ROOT, "result protocol=%s model=%s c=%d connections=%d"
              + " transport=%s requests=%d errors=%d rps=%.1f p50_ms=%.3f p90_ms=%.3f"
              + " p99_ms=%.3f p999_ms=%.3f max_ms=%.3f measured_s=%.2f bounded_by=%s"
              + " warmup_errors=%d",
          protocol, model, concurrency, connections, transport, requests, errors,
          requests / seconds,
          millis(histogram, 50), millis(histogram, 90), millis(histogram, 99),
          millis(histogram, 99.9), histogram.getMaxValue() / 1e6, seconds,
          stoppedByCount ? "count" : "time", warmupErrors.sum());
    }

    private static double millis(Histogram histogram, double percentile) {
      return histogram.getTotalCount() == 0 ? Double.NaN
          : histogram.getValueAtPercentile(percentile) / 1e6;
    }
  }
}
