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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Users on Armeria's own clients, as a Java service calling Slipway would. Heavier per request
 * than the Netty clients (request contexts, logs, decorators), so on a small machine it takes CPU
 * from the server under test; also used for the probe request.
 */
final class ArmeriaLoad implements LoadClient {
  private final List<ClientFactory> factories = new ArrayList<>();
  private final Supplier<CompletableFuture<Void>> sender;
  private final String description;

  private ArmeriaLoad(int connections, boolean http2,
      Function<List<ClientFactory>, Supplier<CompletableFuture<Void>>> target,
      String description) {
    // One factory per HTTP/2 connection wanted: a factory multiplexes all its streams on one
    // connection, so separate factories (sharing the event loops) are how to get several.
    for (int i = 0; i < (http2 ? connections : 1); i++) {
      factories.add(ClientFactory.builder()
          .workerGroup(CommonPools.workerGroup(), false)
          .connectTimeout(Duration.ofSeconds(5))
          .build());
    }
    this.sender = target.apply(factories);
    this.description = description;
  }

  /**
   * POSTs {@code json} to {@code url}: over HTTP/1.1 one connection per user, as wrk and most
   * REST clients, or over prior-knowledge HTTP/2 on {@code connections} connections.
   */
  static ArmeriaLoad rest(String url, String json, boolean http2, int connections,
      Duration timeout) {
    URI uri = URI.create(url);
    String base = (http2 ? "h2c" : "h1c") + "://" + uri.getAuthority();
    RequestHeaders headers = RequestHeaders.builder(HttpMethod.POST, uri.getRawPath())
        .contentType(MediaType.JSON).build();
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    return new ArmeriaLoad(connections, http2, factories -> {
      List<WebClient> clients = new ArrayList<>();
      for (ClientFactory factory : factories) {
        clients.add(WebClient.builder(base).factory(factory).responseTimeout(timeout)
            .maxResponseLength(0).build());
      }
      AtomicInteger next = new AtomicInteger();
      return () -> clients.get(Math.floorMod(next.getAndIncrement(), clients.size()))
          .execute(HttpRequest.of(headers, HttpData.wrap(body))).aggregate()
          .thenAccept(response -> {
            if (!response.status().equals(HttpStatus.OK)) {
              throw new IllegalStateException("HTTP " + response.status().code() + ": "
                  + abbreviate(response.contentUtf8()));
            }
          });
    }, "client=armeria transport=" + (http2 ? "h2c" : "h1c"));
  }

  /** Calls ModelInfer on {@code connections} HTTP/2 connections (gRPC channels). */
  static ArmeriaLoad grpc(String url, ModelInferRequest request, int connections,
      Duration timeout) {
    URI uri = URI.create(url);
    return new ArmeriaLoad(connections, true, factories -> {
      List<GRPCInferenceServiceGrpc.GRPCInferenceServiceStub> stubs = new ArrayList<>();
      for (ClientFactory factory : factories) {
        stubs.add(GrpcClients.builder("h2c://" + uri.getAuthority()).factory(factory)
            .responseTimeout(timeout).maxResponseLength(0)
            .build(GRPCInferenceServiceGrpc.GRPCInferenceServiceStub.class));
      }
      AtomicInteger next = new AtomicInteger();
      return () -> {
        CompletableFuture<Void> done = new CompletableFuture<>();
        stubs.get(Math.floorMod(next.getAndIncrement(), stubs.size()))
            .modelInfer(request, new StreamObserver<>() {
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
                  done.completeExceptionally(new IllegalStateException("OK without a message"));
                }
              }
            });
        return done;
      };
    }, "client=armeria transport=h2c");
  }

  /** Sends one request and fails unless it is answered with HTTP 200 or gRPC OK. */
  CompletableFuture<Void> send() {
    try {
      return sender.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public void start(Measurement measurement, int users) {
    for (int i = 0; i < users; i++) {
      sendNext(measurement);
    }
  }

  private void sendNext(Measurement measurement) {
    if (!measurement.nextOrDone()) {
      return;
    }
    long sent = System.nanoTime();
    send().whenComplete((ignored, failure) -> {
      if (failure == null) {
        measurement.answered(sent);
        sendNext(measurement);
      } else {
        measurement.failed(LoadGenerator.rootCause(failure));
        // A failure may complete on this very thread inside send(): go on from the pool so
        // that a refused connection cannot recurse until the stack runs out.
        CommonPools.workerGroup().next().execute(() -> sendNext(measurement));
      }
    });
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    factories.forEach(ClientFactory::close);
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }
}
