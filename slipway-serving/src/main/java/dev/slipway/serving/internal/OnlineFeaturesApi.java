package dev.slipway.serving.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
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
import dev.slipway.features.online.FeatureStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
              ByteBuf answer = ctx.alloc().buffer(256 + columns.size() * 128);
              try {
                write(answer, request.path("entities"), columns, retrieval.rows(),
                    retrieval.fullNames());
              } catch (IOException | RuntimeException e) {
                answer.release();
                return RestApi.error(e);
              }
              readLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
              // Pooled: Armeria releases the buffer once it is written to the socket.
              return HttpResponse.of(ResponseHeaders.of(HttpStatus.OK, HttpHeaderNames.CONTENT_TYPE,
                  MediaType.JSON), HttpData.wrap(answer));
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

  // The answer repeats a few strings hundreds of times: each is quoted and encoded once.
  private static final SerializedString VALUES = new SerializedString("values");
  private static final SerializedString STATUSES = new SerializedString("statuses");
  private static final SerializedString EVENT_TIMESTAMPS =
      new SerializedString("event_timestamps");
  private static final SerializedString EPOCH = new SerializedString(Instant.EPOCH.toString());
  private static final SerializedString[] STATUS_NAMES =
      Arrays.stream(FeatureStatus.values()).map(status -> new SerializedString(status.name()))
          .toArray(SerializedString[]::new);
  /** Feature names as answered; only defined features get here, so the map stays small. */
  private final Map<String, SerializedString> featureNames = new ConcurrentHashMap<>();

  /**
   * Streams the answer into {@code out}: for 250 features a tree of ~1000 nodes would cost more
   * than the online-store read itself, and a pooled buffer spares growing and copying a byte
   * array of ~25 KB per request.
   */
  private void write(ByteBuf out, JsonNode entities,
      List<OnlineFeatureRetrieval.Column> columns, int rows, boolean fullNames)
      throws IOException {
    try (JsonGenerator json = OipJson.factory().createGenerator(
        (OutputStream) new ByteBufOutputStream(out))) {
      json.writeStartObject();
      json.writeObjectFieldStart("metadata");
      json.writeArrayFieldStart("feature_names");
      for (var field : (Iterable<Map.Entry<String, JsonNode>>) entities::fields) {
        json.writeString(field.getKey());
      }
      for (OnlineFeatureRetrieval.Column column : columns) {
        String name = fullNames ? column.ref().replace(":", "__") : column.feature();
        json.writeString(featureNames.computeIfAbsent(name, SerializedString::new));
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeArrayFieldStart("results");
      for (var field : (Iterable<Map.Entry<String, JsonNode>>) entities::fields) {
        json.writeStartObject();
        json.writeFieldName(VALUES);
        json.writeTree(field.getValue());
        json.writeFieldName(STATUSES);
        json.writeStartArray();
        for (int row = 0; row < rows; row++) {
          json.writeString(STATUS_NAMES[FeatureStatus.PRESENT.ordinal()]);
        }
        json.writeEndArray();
        json.writeFieldName(EVENT_TIMESTAMPS);
        json.writeStartArray();
        for (int row = 0; row < rows; row++) {
          json.writeString(EPOCH);
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      // Rows of one view share their event time: format each instant once per request.
      Map<Instant, SerializedString> timestamps = new HashMap<>();
      for (OnlineFeatureRetrieval.Column column : columns) {
        json.writeStartObject();
        json.writeFieldName(VALUES);
        json.writeStartArray();
        for (int row = 0; row < rows; row++) {
          writeValue(json, column.values()[row]);
        }
        json.writeEndArray();
        json.writeFieldName(STATUSES);
        json.writeStartArray();
        for (int row = 0; row < rows; row++) {
          json.writeString(STATUS_NAMES[column.statuses()[row].ordinal()]);
        }
        json.writeEndArray();
        json.writeFieldName(EVENT_TIMESTAMPS);
        json.writeStartArray();
        for (int row = 0; row < rows; row++) {
          Instant time = column.eventTimes()[row];
          json.writeString(time == null ? EPOCH
              : timestamps.computeIfAbsent(time, t -> new SerializedString(t.toString())));
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
  }

  private static void writeValue(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Float number) {
      json.writeNumber(number);
    } else if (value instanceof Double number) {
      json.writeNumber(number);
    } else if (value instanceof Long number) {
      json.writeNumber(number);
    } else if (value instanceof Integer number) {
      json.writeNumber(number);
    } else if (value instanceof Boolean flag) {
      json.writeBoolean(flag);
    } else {
      json.writeString(value.toString());
    }
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
