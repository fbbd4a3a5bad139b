package dev.slipway.serving.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.slipway.core.InvalidInputException;
import dev.slipway.features.Entity;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureView;
import dev.slipway.features.offline.OfflinePush;
import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.OnlineRow;
import dev.slipway.features.online.OnlineStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Pushes rows of one feature view ({@code POST /v1/features/push}, after Feast's {@code /push})
 * to the online store, the offline store or both ({@code to}: online, offline,
 * online_and_offline): columns as in Feast's {@code df}, the view's
 * join keys, its source's event-timestamp column (ISO-8601) and every feature. Every value is
 * checked against the declared types first; one bad cell refuses the whole push, naming its row
 * and column, and nothing is written.
 */
public final class FeaturePushApi {
  private final FeatureDefinitions definitions;
  private final OnlineStore store;
  private final OfflinePush offline;

  public FeaturePushApi(FeatureDefinitions definitions, OnlineStore store) {
    this.definitions = definitions;
    this.store = store;
    this.offline = new OfflinePush(definitions, Clock.systemUTC());
  }

  public void registerOn(ServerBuilder server) {
    server.route().post("/v1/features/push").build(this::serve);
  }

  private HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    return HttpResponse.of(req.aggregate().thenComposeAsync(body -> {
      try {
        int written = push(RestApi.JSON.readTree(body.content().array()));
        return CompletableFuture.completedFuture(RestApi.json(HttpStatus.OK,
            RestApi.JSON.createObjectNode().put("rows_written", written)));
      } catch (IOException | RuntimeException e) {
        return CompletableFuture.completedFuture(RestApi.error(e));
      }
    }, ctx.blockingTaskExecutor()));
  }

  private int push(JsonNode request) {
    if (request == null || !request.isObject()) {
      throw new InvalidInputException("request body: expected {\"feature_view\", \"df\", \"to\"}");
    }
    String viewName = request.path("feature_view").asText("");
    FeatureView view = definitions.featureViews().get(viewName);
    if (view == null) {
      throw new InvalidInputException("feature_view: '" + viewName + "' (expected one of "
          + definitions.featureViews().keySet() + ")");
    }
    String to = request.path("to").asText("online");
    if (!List.of("online", "offline", "online_and_offline").contains(to)) {
      throw new InvalidInputException("to: '" + to
          + "' (expected online, offline or online_and_offline)");
    }
    JsonNode frame = request.path("df");
    if (!frame.isObject()) {
      throw new InvalidInputException("df: expected an object of columns");
    }
    List<Entity.JoinKey> joinKeys = new ArrayList<>();
    view.entities().forEach(name -> joinKeys.addAll(definitions.entities().get(name).joinKeys()));
    String timestampColumn = definitions.sources().get(view.source()).timestampField();
    Set<String> expected = new HashSet<>();
    joinKeys.forEach(key -> expected.add(key.name()));
    view.features().forEach(feature -> expected.add(feature.name()));
    expected.add(timestampColumn);
    int rows = -1;
    for (var column : (Iterable<Map.Entry<String, JsonNode>>) frame::fields) {
      if (!expected.contains(column.getKey())) {
        throw new InvalidInputException("df." + column.getKey() + ": unknown column (expected "
            + expected + ")");
      }
      if (!column.getValue().isArray()) {
        throw new InvalidInputException("df." + column.getKey() + ": expected an array");
      }
      if (rows >= 0 && column.getValue().size() != rows) {
        throw new InvalidInputException("df." + column.getKey() + ": " + column.getValue().size()
            + " values (expected " + rows + ", as the other columns)");
      }
      rows = column.getValue().size();
    }
    for (String column : expected) {
      if (!frame.has(column)) {
        throw new InvalidInputException("df." + column + ": missing column");
      }
    }
    List<OnlineRow> pushed = new ArrayList<>(rows);
    for (int row = 0; row < rows; row++) {
      List<Object> key = new ArrayList<>(joinKeys.size());
      for (Entity.JoinKey joinKey : joinKeys) {
        key.add(cell(frame, joinKey.name(), row, joinKey.type()));
      }
      Map<String, Object> values = new HashMap<>();
      for (Feature feature : view.features()) {
        JsonNode value = frame.get(feature.name()).get(row);
        values.put(feature.name(), value.isNull() ? null
            : cell(frame, feature.name(), row, feature.type()));
      }
      Instant eventTime;
      try {
        eventTime = Instant.parse(frame.get(timestampColumn).get(row).asText());
      } catch (DateTimeParseException e) {
        throw new InvalidInputException("df." + timestampColumn + " row " + row + ": "
            + frame.get(timestampColumn).get(row) + " (expected an ISO-8601 instant)");
      }
      pushed.add(new OnlineRow(new EntityKey(key), eventTime, values));
    }
    // Offline first: if the file cannot be written, the online store has not moved either.
    if (!to.equals("online")) {
      offline.append(view, pushed);
    }
    if (!to.equals("offline")) {
      store.write(view.name(), pushed);
    }
    return rows;
  }

  private static Object cell(JsonNode frame, String column, int row,
      dev.slipway.features.ValueType type) {
    JsonNode value = frame.get(column).get(row);
    Object plain = value.isIntegralNumber() && value.canConvertToLong() ? (Object) value.asLong()
        : value.isNumber() ? (Object) value.asDouble()
        : value.isBoolean() ? (Object) value.asBoolean()
        : value.isTextual() ? value.asText() : value.toString();
    return OnlineFeatureRetrieval.typed(plain, type, "df." + column + " row " + row);
  }
}
