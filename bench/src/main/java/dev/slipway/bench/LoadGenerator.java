package dev.slipway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop load generator: exactly {@code c} requests are in flight, each user sending its
 * next request when the previous one is answered. Latencies of the requests answered inside the
 * measurement window go into an HdrHistogram; anything but HTTP 200 or gRPC OK is an error. Ends
 * with one line on standard output:
 *
 * <pre>
 * result protocol=rest c=8 requests=81234 errors=0 rps=8123.4 p50_ms=0.912 p99_ms=1.873
 *     p90_ms=1.201 p999_ms=3.101 max_ms=9.8 server_cpu_us_per_req=41.2 server_cpu_cores=1.12
 *     client_cpu_cores=0.41 model=bc client=netty transport=h1c ...
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
                           [--client netty|armeria] [--client-threads 1] [--connections N]
                           [--grpc-raw false] [--rest-http2 false] [--timeout-ms 10000]
                           [--server-pid PID] [--path /v1/features/online --body FILE]
        rest          POST URL/v2/models/MODEL/infer, JSON, HTTP/1.1, one connection per user;
                      with --path and --body: POST URL+PATH with that file's bytes (another
                      JSON endpoint, e.g. online features); --input is then not read
        grpc          inference.GRPCInferenceService/ModelInfer over HTTP/2 on --connections
                      connections (default 1, as one gRPC channel)
        ceiling-rest  POST URL/ceiling of CeilingServer, same body
        ceiling-grpc  ModelInfer on CeilingServer, same message
        --input       fixture CSV; data row --row (0-based, header excluded) is sent, less any
                      'label' column
        --client      netty (default): lean, so that the client takes little CPU from the
                      server on a small machine; armeria: Armeria's WebClient and gRPC stubs,
                      as a Java service would call (needed for --rest-http2)
        --server-pid  reports that process's CPU time per request in the window (Linux /proc)""";

  private static final Set<String> OPTIONS = Set.of("protocol", "url", "model", "concurrency",
      "warmup", "measure", "max-requests", "input", "row", "client", "client-threads",
      "connections", "grpc-raw", "rest-http2", "timeout-ms", "server-pid", "path", "body");

  private LoadGenerator() {}

  public static void main(String[] args) throws Exception {
    int status = 1;
    try {
      status = run(Options.parse(args, OPTIONS, USAGE));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      status = 2;
    } finally {
      // Armeria's shared pools are not daemon threads: leave now, the result is printed.
      System.out.flush();
      System.exit(status);
    }
  }

  private static int run(Options options) throws Exception {
    String protocol = options.required("protocol");
    String url = options.required("url").replaceAll("/+$", "");
    String model = options.string("model", "bc");
    int concurrency = options.integer("concurrency", 1);
    double warmupSeconds = options.decimal("warmup", 5);
    double measureSeconds = options.decimal("measure", 10);
    long maxRequests = options.number("max-requests", 1_000_000);
    String path = options.string("path", null);
    String body = options.string("body", null);
    if ((path == null) != (body == null)) {
      throw options.fail("--path and --body go together");
    }
    InputRow row = body == null
        ? InputRow.read(Path.of(options.required("input")), options.integer("row", 0)) : null;
    String client = options.string("client", "netty");
    int clientThreads = options.integer("client-threads", 1);
    boolean restHttp2 = options.flag("rest-http2");
    boolean grpcRaw = options.flag("grpc-raw");
    Duration timeout = Duration.ofMillis(options.number("timeout-ms", 10_000));
    if (concurrency < 1 || maxRequests < 1 || measureSeconds <= 0 || warmupSeconds < 0
        || clientThreads < 1) {
      throw options.fail("concurrency, client-threads, max-requests and measure must be"
          + " positive, warmup not negative");
    }
    boolean grpc = switch (protocol) {
      case "rest", "ceiling-rest" -> false;
      case "grpc", "ceiling-grpc" -> true;
      default -> throw options.fail("unknown protocol '" + protocol + "'");
    };
    int connections = options.integer("connections", grpc || restHttp2 ? 1 : concurrency);
    if (connections < 1) {
      throw options.fail("--connections must be positive");
    }
    if (path != null && grpc) {
      throw options.fail("--path and --body are for REST protocols");
    }
    String restUrl = url + (path != null ? path
        : protocol.equals("rest") ? "/v2/models/" + model + "/infer" : "/ceiling");
    String restJson = body != null ? Files.readString(Path.of(body)) : grpc ? null
        : row.restJson();

    // One request first, on Armeria's client: a wrong URL or model must fail loudly, not
    // produce a table of errors.
    try (ArmeriaLoad probe = grpc ? ArmeriaLoad.grpc(url, row.grpcRequest(model, grpcRaw), 1,
        timeout) : ArmeriaLoad.rest(restUrl, restJson, false, 1, timeout)) {
      probe.send().get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      System.err.println("probe request to " + (grpc ? url : restUrl) + " failed: "
          + rootCause(e));
      return 3;
    }

    LoadClient load;
    if (client.equals("netty")) {
      if (restHttp2) {
        throw options.fail("--rest-http2 needs --client armeria");
      }
      load = grpc
          ? new NettyGrpcLoad(url, row.grpcRequest(model, grpcRaw), connections, clientThreads,
              timeout)
          : new NettyHttp1Load(restUrl, restJson, clientThreads, timeout);
    } else if (client.equals("armeria")) {
      load = grpc
          ? ArmeriaLoad.grpc(url, row.grpcRequest(model, grpcRaw), connections, timeout)
          : ArmeriaLoad.rest(restUrl, restJson, restHttp2, connections, timeout);
    } else {
      throw options.fail("unknown client '" + client + "'");
    }
    try (load) {
      Measurement measurement = new Measurement(concurrency, maxRequests,
          seconds(warmupSeconds), seconds(measureSeconds), options.string("server-pid", null));
      load.start(measurement, concurrency);
      // The last answers may take up to a timeout after the window closes.
      measurement.awaitUsers(timeout.toNanos() + TimeUnit.SECONDS.toNanos(5));
      System.out.println(measurement.report(protocol, concurrency, (path != null
          ? "path=" + path : "model=" + model) + " "
          + load.describe() + " connections=" + connections
          + (grpc ? " grpc_raw=" + grpcRaw : "")));
    }
    return 0;
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
}
