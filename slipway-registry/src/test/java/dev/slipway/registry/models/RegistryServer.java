package dev.slipway.registry.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.BlockingWebClient;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.registry.artifacts.internal.ArtifactsApi;
import dev.slipway.registry.models.internal.ModelRegistryApi;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The registry's HTTP API and the artifact proxy on a loopback port chosen by the system, with a
 * small JSON client for tests.
 */
final class RegistryServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One answer: status and parsed JSON body. */
  record Response(int status, JsonNode body) {
    String errorCode() {
      return body.path("error_code").asText();
    }
  }

  private final Server server;
  private final ClientFactory clients;
  private final BlockingWebClient client;

  RegistryServer(RegistryFixture fixture) {
    ServerBuilder builder = Server.builder().localPort(0, SessionProtocol.HTTP)
        .gracefulShutdownTimeoutMillis(0, 0).connectionDrainDurationMicros(0);
    ModelRegistryApi.registerOn(builder, fixture.registry);
    new ArtifactsApi(fixture.artifacts).registerOn(builder);
    server = builder.build();
    server.start().join();
    clients = ClientFactory.builder().build();
    client = WebClient.builder(baseUrl()).factory(clients).build().blocking();
  }

  int port() {
    return server.activeLocalPort();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  Response call(HttpMethod method, String pathAndQuery, String jsonBody) {
    return call(method, pathAndQuery, jsonBody, null);
  }

  /** Calls the API; {@code user} goes in the X-Slipway-User header when not null. */
  Response call(HttpMethod method, String pathAndQuery, String jsonBody, String user) {
    RequestHeadersBuilder headers = RequestHeaders.builder(method, pathAndQuery);
    if (user != null) {
      headers.add("X-Slipway-User", user);
    }
    AggregatedHttpResponse response;
    if (jsonBody == null) {
      response = client.execute(headers.build());
    } else {
      headers.contentType(MediaType.JSON_UTF_8);
      response = client.execute(headers.build(), jsonBody);
    }
    try {
      String text = response.contentUtf8();
      JsonNode body = text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
      return new Response(response.status().code(), body);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + response.contentUtf8(), e);
    }
  }

  /** Uploads a file through the artifact proxy, as MLflow clients log models. */
  void upload(String storePath, String content) {
    AggregatedHttpResponse response = client.execute(RequestHeaders.of(HttpMethod.PUT,
        "/api/2.0/mlflow-artifacts/artifacts/" + storePath), content);
    if (!response.status().isSuccess()) {
      throw new IllegalStateException("upload failed: " + response.contentUtf8());
    }
  }

  byte[] download(String path) {
    return client.get(path).content().array();
  }

  @Override
  public void close() {
    // Client connections closed first: the server then has nothing left to drain.
    clients.close();
    server.stop().join();
  }
}
