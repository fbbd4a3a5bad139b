package dev.slipway.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.core.InvalidInputException;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.ValueType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Feast's online retrieval ({@code POST /v1/features/online}, also at Feast's own path {@code
 * /get-online-features}): feature refs or a feature service, entities as columns, answered
 * column-major with values, statuses and event timestamps.
 */
public final class OnlineFeaturesApi {
  private final OnlineFeatureRetrieval retrieval;
  private final FeatureDefinitions definitions;
  private final Timer readLatency;
  private final OnlineFeaturesAnswer answerWriter = new OnlineFeaturesAnswer();

  public OnlineFeaturesApi(OnlineFeatureRetrieval retrieval, MeterRegistry meters) {
    this.retrieval = retrieval;
    this.definitions = retrieval.definitions();
    this.readLatency = Timer.builder("slipway.features.online.read.duration")
        .description("Online feature retrieval, from the request body to the encoded answer")
        .publishPercentileHistogram()
        .register(meters);
  }

  public void registerOn(ServerBuilder server) {
    server.route().post("/v1/features/online").build(this::serve);
    server.route().post("/get-online-features").build(this::serve);
  }

  /**
   * Parses and checks the request on the event loop (a small body), reads without holding it
   * (RocksDB answers at once, Redis when its reply arrives) and writes the answer where the read
   * completes: no hop to a blocking pool and back, which cost more than a 250-feature read.
   */
  private HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    return HttpResponse.of(req.aggregate().thenCompose(body -> {
      long start = System.nanoTime();
      try {
        JsonNode request = RestApi.JSON.readTree(body.content().array());
        Retrieval retrieval = parse(request);
        return this.retrieval.retrieveAsync(retrieval.refs(), retrieval.entities(),
            retrieval.rows()).handle((columns, error) -> {
              if (error != null) {
                return RestApi.error(error);
              }
              HttpData answer = answerWriter.write(request.path("entities"), columns,
                  retrieval.rows(), retrieval.fullNames());
              readLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
              return HttpResponse.of(ResponseHeaders.of(HttpStatus.OK, HttpHeaderNames.CONTENT_TYPE,
                  MediaType.JSON), answer);
            });
      } catch (IOException | RuntimeException e) {
        return CompletableFuture.completedFuture(RestApi.error(e));
      }
    }));
  }

  /** A checked request: refs to read for {@code rows} rows of typed entity columns. */
  private record Retrieval(List<String> refs, Map<String, List<Object>> entities, int rows,
      boolean fullNames) {}

  private Retrieval parse(JsonNode request) {
    if (request == null || !request.isObject()) {
      throw new InvalidInputException("request body: expected a JSON object with features or"
          + " feature_service, and entities");
    }
    List<String> refs = featureRefs(request);
    JsonNode entities = request.path("entities");
    if (!entities.isObject() || entities.isEmpty()) {
      throw new InvalidInputException("entities: missing (expected {\"join_key\": [values...]})");
    }
    int rows = -1;
    Map<String, List<Object>> typed = new LinkedHashMap<>();
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) entities::fields) {
      String where = "entities." + field.getKey();
      if (!field.getValue().isArray()) {
        throw new InvalidInputException(where + ": expected an array");
      }
      if (rows >= 0 && field.getValue().size() != rows) {
        throw new InvalidInputException(where + ": " + field.getValue().size()
            + " values (expected " + rows + ", as the other entity columns)");
      }
      rows = field.getValue().size();
      ValueType type = retrieval.entityColumnType(field.getKey()).orElse(null);
      List<Object> values = new ArrayList<>(rows);
      for (JsonNode value : field.getValue()) {
        Object plain = plain(value);
        values.add(type == null ? plain : OnlineFeatureRetrieval.typed(plain, type, where));
      }
      typed.put(field.getKey(), values);
    }
    return new Retrieval(refs, typed, rows,
        request.path("full_feature_names").asBoolean(false));
  }

  private static Object plain(JsonNode value) {
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return value.asLong();
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isNull()) {
      return null;
    }
    return value.asText();
  }

  private List<String> featureRefs(JsonNode request) {
    JsonNode features = request.path("features");
    JsonNode service = request.path("feature_service");
    if (features.isMissingNode() == service.isMissingNode()) {
      throw new InvalidInputException("request: give exactly one of features (a list of"
          + " view:feature) and feature_service");
    }
    if (!service.isMissingNode()) {
      if (!definitions.featureServices().containsKey(service.asText())) {
        throw new InvalidInputException("feature_service: '" + service.asText()
            + "' unknown (known: " + definitions.featureServices().keySet() + ")");
      }
      return definitions.serviceFeatures(service.asText());
    }
    if (!features.isArray() || features.isEmpty()) {
      throw new InvalidInputException("features: expected a non-empty list of view:feature");
    }
    List<String> refs = new ArrayList<>();
    features.forEach(ref -> refs.add(ref.asText()));
    return refs;
  }
}
