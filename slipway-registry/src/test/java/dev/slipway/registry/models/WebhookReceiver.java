package dev.slipway.registry.models;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on a loopback port: {@code /ok} answers 200, {@code /flaky} fails twice
 * then succeeds, {@code /down} always answers 503, {@code /hold} answers only when the test
 * releases it. Every request is kept with its headers and body.
 */
final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  record Received(String path, String signature, String eventId, String event,
      String timestamp, String body) {
    /** True when the signature is the HMAC-SHA256 of the body under {@code secret}. */
    boolean signedWith(String secret) throws Exception {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      StringBuilder hex = new StringBuilder("sha256=");
      for (byte b : mac.doFinal(body.getBytes(StandardCharsets.UTF_8))) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString().equals(signature);
    }
  }

  final List<Received> received = new CopyOnWriteArrayList<>();
  final AtomicInteger flakyCalls = new AtomicInteger();
  volatile CompletableFuture<HttpStatus> held = new CompletableFuture<>();
  private final Server server;

  WebhookReceiver() {
    server = Server.builder().localPort(0, SessionProtocol.HTTP)
        .gracefulShutdownTimeoutMillis(0, 0)
        .service("/ok", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(request -> {
          record("/ok", request);
          return HttpResponse.of(HttpStatus.OK);
        })))
        .service("/flaky", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(request -> {
          record("/flaky", request);
          return HttpResponse.of(flakyCalls.incrementAndGet() <= 2
              ? HttpStatus.INTERNAL_SERVER_ERROR : HttpStatus.OK);
        })))
        .service("/down", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(request -> {
          record("/down", request);
          return HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE);
        })))
        .service("/hold", (ctx, req) -> HttpResponse.of(req.aggregate().thenCompose(request -> {
          record("/hold", request);
          // A response can be sent once: each held request gets its own.
          return held.thenApply(HttpResponse::of);
        })))
        .build();
    server.start().join();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.activeLocalPort() + path;
  }

  /** Forgets what was received, between tests. */
  void reset() {
    received.clear();
    flakyCalls.set(0);
    held = new CompletableFuture<>();
  }

  List<Received> at(String path) {
    return received.stream().filter(request -> request.path().equals(path)).toList();
  }

  private void record(String path, AggregatedHttpRequest request) {
    received.add(new Received(path, request.headers().get("X-Slipway-Signature"),
        request.headers().get("X-Slipway-Event-Id"), request.headers().get("X-Slipway-Event"),
        request.headers().get("X-Slipway-Timestamp"), request.contentUtf8()));
  }

  @Override
  public void close() {
    held.complete(HttpStatus.OK);
    server.stop().join();
  }
}
