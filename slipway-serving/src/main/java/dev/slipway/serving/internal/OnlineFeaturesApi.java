package dev.slipway.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.core.InvalidInputException;
import dev.slipway.features.Entity;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureView;
import dev.slipway.features.OnDemandFeatureView;
import dev.slipway.features.ValueType;
import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.FeatureStatus;
import dev.slipway.features.online.OnlineFeatureReader;
import dev.slipway.features.online.OnlineFeatureReader.EntityFeatures;
import dev.slipway.features.online.OnlineFeatureReader.FeatureValue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Feast's online retrieval ({@code POST /v1/features/online}, the shape of Feast's
 * {@code /get-online-features}): feature refs or a feature service, entities as columns, answered
 * column-major with values, statuses and event timestamps; on-demand features computed per row.
 */
public final class OnlineFeaturesApi {
  private final FeatureDefinitions definitions;
  private final OnlineFeatureReader reader;
  private final Timer readLatency;
  private final MeterRegistry meters;

  public OnlineFeaturesApi(FeatureDefinitions definitions, OnlineFeatureReader reader,
      MeterRegistry meters) {
    this.definitions = definitions;
    this.reader = reader;
    this.meters = meters;
    this.readLatency = Timer.builder("slipway.features.online.read.duration")
        .description("Online feature retrieval, from decoded request to answer")
        .publishPercentileHistogram()
        .register(meters);
  }

  public void registerOn(ServerBuilder server) {
    server.route().post("/v1/features/online").build(this::serve);
    server.route().post("/get-online-features").build(this::serve);
  }

  private HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    return HttpResponse.of(req.aggregate().thenComposeAsync(body -> {
      try {
        JsonNode request = RestApi.JSON.readTree(body.content().array());
        long start = System.nanoTime();
        ObjectNode answer = answer(request);
        readLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return CompletableFuture.completedFuture(RestApi.json(HttpStatus.OK, answer));
      } catch (IOException | RuntimeException e) {
        return CompletableFuture.completedFuture(RestApi.error(e));
      }
    }, ctx.blockingTaskExecutor()));
  }

  ObjectNode answer(JsonNode request) {
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
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) entities::fields) {
      if (!field.getValue().isArray()) {
        throw new InvalidInputException("entities." + field.getKey() + ": expected an array");
      }
      if (rows >= 0 && field.getValue().size() != rows) {
        throw new InvalidInputException("entities." + field.getKey() + ": " + field.getValue()
            .size() + " values (expected " + rows + ", as the other entity columns)");
      }
      rows = field.getValue().size();
    }
    boolean fullNames = request.path("full_feature_names").asBoolean(false);

    Map<String, List<String>> byView = new LinkedHashMap<>();
    Map<String, List<String>> onDemand = new LinkedHashMap<>();
    for (String ref : refs) {
      int colon = ref.indexOf(':');
      if (colon <= 0) {
        throw new InvalidInputException("features: '" + ref + "' (expected view:feature)");
      }
      String view = ref.substring(0, colon);
      String feature = ref.substring(colon + 1);
      if (definitions.featureViews().containsKey(view)) {
        byView.computeIfAbsent(view, v -> new ArrayList<>()).add(feature);
      } else if (definitions.onDemandFeatureViews().containsKey(view)) {
        onDemand.computeIfAbsent(view, v -> new ArrayList<>()).add(feature);
      } else {
        throw new InvalidInputException("features: '" + ref + "': no feature view '" + view
            + "' (known: " + definitions.featureViews().keySet() + " and on-demand "
            + definitions.onDemandFeatureViews().keySet() + ")");
      }
      if (definitions.typeOf(ref).isEmpty()) {
        throw new InvalidInputException("features: '" + ref + "': view '" + view
            + "' has no feature '" + feature + "'");
      }
    }
    // On-demand views read other views' features: fetch those too, without answering them.
    Map<String, Map<String, FeatureValue>[]> fetched = new HashMap<>();
    Map<String, List<String>> needed = new LinkedHashMap<>();
    byView.forEach((view, features) -> needed.computeIfAbsent(view, v -> new ArrayList<>())
        .addAll(features));
    for (String view : onDemand.keySet()) {
      for (String input : definitions.onDemandFeatureViews().get(view).inputs().values()) {
        int colon = input.indexOf(':');
        List<String> list = needed.computeIfAbsent(input.substring(0, colon),
            v -> new ArrayList<>());
        if (!list.contains(input.substring(colon + 1))) {
          list.add(input.substring(colon + 1));
        }
      }
    }
    for (Map.Entry<String, List<String>> entry : needed.entrySet()) {
      FeatureView view = definitions.featureViews().get(entry.getKey());
      List<EntityKey> keys = keys(view, entities, rows);
      List<EntityFeatures> read = reader.read(view, keys, entry.getValue());
      @SuppressWarnings("unchecked")
      Map<String, FeatureValue>[] perRow = new Map[rows];
      for (int row = 0; row < rows; row++) {
        perRow[row] = read.get(row).values();
        for (FeatureValue value : perRow[row].values()) {
          if (value.status() != FeatureStatus.PRESENT) {
            Counter.builder("slipway.features.online.misses")
                .description("Online feature values not PRESENT, by view and status")
                .tags("view", view.name(), "status", value.status().name())
                .register(meters).increment();
          }
        }
      }
      fetched.put(entry.getKey(), perRow);
    }

    ObjectNode answer = RestApi.JSON.createObjectNode();
    ArrayNode names = answer.putObject("metadata").putArray("feature_names");
    ArrayNode results = answer.putArray("results");
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) entities::fields) {
      names.add(field.getKey());
      ObjectNode column = results.addObject();
      column.set("values", field.getValue());
      ArrayNode statuses = column.putArray("statuses");
      ArrayNode times = column.putArray("event_timestamps");
      for (int row = 0; row < rows; row++) {
        statuses.add(FeatureStatus.PRESENT.name());
        times.add(Instant.EPOCH.toString());
      }
    }
    for (Map.Entry<String, List<String>> entry : byView.entrySet()) {
      for (String feature : entry.getValue()) {
        names.add(fullNames ? entry.getKey() + "__" + feature : feature);
        ObjectNode column = results.addObject();
        ArrayNode values = column.putArray("values");
        ArrayNode statuses = column.putArray("statuses");
        ArrayNode times = column.putArray("event_timestamps");
        for (Map<String, FeatureValue> row : fetched.get(entry.getKey())) {
          FeatureValue value = row.get(feature);
          values.addPOJO(value.value());
          statuses.add(value.status().name());
          times.add(value.eventTime() == null ? Instant.EPOCH.toString()
              : value.eventTime().toString());
        }
      }
    }
    for (Map.Entry<String, List<String>> entry : onDemand.entrySet()) {
      OnDemandFeatureView view = definitions.onDemandFeatureViews().get(entry.getKey());
      for (String feature : entry.getValue()) {
        names.add(fullNames ? entry.getKey() + "__" + feature : feature);
        ObjectNode column = results.addObject();
        ArrayNode values = column.putArray("values");
        ArrayNode statuses = column.putArray("statuses");
        ArrayNode times = column.putArray("event_timestamps");
        for (int row = 0; row < rows; row++) {
          Map<String, Object> inputs = new HashMap<>();
          boolean complete = true;
          for (Map.Entry<String, String> input : view.inputs().entrySet()) {
            int colon = input.getValue().indexOf(':');
            FeatureValue value = fetched.get(input.getValue().substring(0, colon))[row]
                .get(input.getValue().substring(colon + 1));
            complete &= value.status() == FeatureStatus.PRESENT;
            inputs.put(input.getKey(), value.value());
          }
          for (var requestField : view.requestFields()) {
            JsonNode column0 = entities.get(requestField.name());
            if (column0 == null) {
              throw new InvalidInputException("entities." + requestField.name()
                  + ": missing (on-demand view '" + view.name() + "' needs it per row)");
            }
            inputs.put(requestField.name(), plain(column0.get(row), requestField.type(),
                "entities." + requestField.name()));
          }
          if (complete) {
            values.addPOJO(definitions.expression(view.name(), feature).evaluate(inputs));
            statuses.add(FeatureStatus.PRESENT.name());
          } else {
            values.addNull();
            statuses.add(FeatureStatus.NOT_FOUND.name());
          }
          times.add(Instant.EPOCH.toString());
        }
      }
    }
    return answer;
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

  private List<EntityKey> keys(FeatureView view, JsonNode entities, int rows) {
    List<Entity.JoinKey> joinKeys = new ArrayList<>();
    for (String entity : view.entities()) {
      joinKeys.addAll(definitions.entities().get(entity).joinKeys());
    }
    List<EntityKey> keys = new ArrayList<>(rows);
    for (int row = 0; row < rows; row++) {
      List<Object> values = new ArrayList<>(joinKeys.size());
      for (Entity.JoinKey joinKey : joinKeys) {
        JsonNode column = entities.get(joinKey.name());
        if (column == null) {
          throw new InvalidInputException("entities." + joinKey.name() + ": missing (feature view '"
              + view.name() + "' is keyed by it)");
        }
        values.add(plain(column.get(row), joinKey.type(), "entities." + joinKey.name()));
      }
      keys.add(new EntityKey(values));
    }
    return keys;
  }

  private static Object plain(JsonNode value, ValueType type, String where) {
    switch (type) {
      case INT32:
      case INT64:
        if (!value.canConvertToLong() || !value.isIntegralNumber()) {
          throw new InvalidInputException(where + ": " + value + " (expected an integer)");
        }
        return type == ValueType.INT32 ? (Object) value.asInt() : (Object) value.asLong();
      case FLOAT32:
      case FLOAT64:
        if (!value.isNumber()) {
          throw new InvalidInputException(where + ": " + value + " (expected a number)");
        }
        return type == ValueType.FLOAT32 ? (Object) (float) value.asDouble()
            : (Object) value.asDouble();
      case BOOL:
        if (!value.isBoolean()) {
          throw new InvalidInputException(where + ": " + value + " (expected true or false)");
        }
        return value.asBoolean();
      default:
        if (!value.isTextual()) {
          throw new InvalidInputException(where + ": " + value + " (expected a string)");
        }
        return value.asText();
    }
  }
}
