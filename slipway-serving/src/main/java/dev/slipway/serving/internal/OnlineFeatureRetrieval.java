package dev.slipway.serving.internal;

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
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Online feature retrieval by entity: feature refs ({@code view:feature}, on-demand views
 * included) for rows of entity columns (join keys and request fields), read from the online store
 * and computed per row. Shared by {@code /v1/features/online} and entity-reference scoring.
 */
public final class OnlineFeatureRetrieval {
  /** One requested feature for every row: values, statuses and event times, column-major. */
  public record Column(String ref, List<Object> values, List<FeatureStatus> statuses,
      List<Instant> eventTimes) {}

  private final FeatureDefinitions definitions;
  private final OnlineFeatureReader reader;
  private final MeterRegistry meters;

  public OnlineFeatureRetrieval(FeatureDefinitions definitions, OnlineFeatureReader reader,
      MeterRegistry meters) {
    this.definitions = definitions;
    this.reader = reader;
    this.meters = meters;
    for (FeatureView view : definitions.featureViews().values()) {
      if (view.online()) {
        // Read at scrape time: one small online-store read per view.
        Gauge.builder("slipway.features.freshness", () -> ageSeconds(view.name()))
            .description("Age of the newest materialized value of a feature view (NaN before"
                + " the first materialization)")
            .baseUnit("seconds")
            .tag("view", view.name())
            .register(meters);
      }
    }
  }

  private double ageSeconds(String view) {
    return reader.newestMaterialized(view)
        .map(newest -> (Instant.now().toEpochMilli() - newest.toEpochMilli()) / 1000.0)
        .orElse(Double.NaN);
  }

  public FeatureDefinitions definitions() {
    return definitions;
  }

  /** The declared type of an entity column (a join key or an on-demand request field). */
  public Optional<ValueType> entityColumnType(String column) {
    for (Entity entity : definitions.entities().values()) {
      for (Entity.JoinKey joinKey : entity.joinKeys()) {
        if (joinKey.name().equals(column)) {
          return Optional.of(joinKey.type());
        }
      }
    }
    for (OnDemandFeatureView view : definitions.onDemandFeatureViews().values()) {
      for (var field : view.requestFields()) {
        if (field.name().equals(column)) {
          return Optional.of(field.type());
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Retrieves {@code refs} for {@code rows} rows of {@code entities} (typed values, see {@link
   * #typed}).
   *
   * @throws InvalidInputException naming an unknown ref or a missing entity column
   */
  public List<Column> retrieve(List<String> refs, Map<String, List<Object>> entities, int rows) {
    Map<String, Set<String>> needed = new LinkedHashMap<>();
    for (String ref : refs) {
      String view = view(ref);
      if (definitions.featureViews().containsKey(view)) {
        addOnce(needed, view, feature(ref));
      } else if (definitions.onDemandFeatureViews().containsKey(view)) {
        for (String input : definitions.onDemandFeatureViews().get(view).inputs().values()) {
          addOnce(needed, view(input), feature(input));
        }
      } else {
        throw new InvalidInputException("features: '" + ref + "': no feature view '" + view
            + "' (known: " + definitions.featureViews().keySet() + ", on-demand: "
            + definitions.onDemandFeatureViews().keySet() + ")");
      }
      if (definitions.typeOf(ref).isEmpty()) {
        throw new InvalidInputException("features: '" + ref + "': view '" + view
            + "' has no feature '" + feature(ref) + "'");
      }
    }
    Map<String, List<Map<String, FeatureValue>>> fetched = new HashMap<>();
    for (Map.Entry<String, Set<String>> entry : needed.entrySet()) {
      FeatureView view = definitions.featureViews().get(entry.getKey());
      List<EntityFeatures> read = reader.read(view, keys(view, entities, rows),
          List.copyOf(entry.getValue()));
      List<Map<String, FeatureValue>> perRow = new ArrayList<>(rows);
      for (EntityFeatures row : read) {
        perRow.add(row.values());
        for (FeatureValue value : row.values().values()) {
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
    List<Column> columns = new ArrayList<>(refs.size());
    for (String ref : refs) {
      String view = view(ref);
      Column column = new Column(ref, new ArrayList<>(rows), new ArrayList<>(rows),
          new ArrayList<>(rows));
      if (definitions.featureViews().containsKey(view)) {
        for (Map<String, FeatureValue> row : fetched.get(view)) {
          FeatureValue value = row.get(feature(ref));
          column.values().add(value.value());
          column.statuses().add(value.status());
          column.eventTimes().add(value.eventTime());
        }
      } else {
        computeOnDemand(definitions.onDemandFeatureViews().get(view), feature(ref), entities,
            fetched, rows, column);
      }
      columns.add(column);
    }
    return columns;
  }

  private void computeOnDemand(OnDemandFeatureView view, String feature,
      Map<String, List<Object>> entities, Map<String, List<Map<String, FeatureValue>>> fetched,
      int rows, Column column) {
    for (var field : view.requestFields()) {
      if (!entities.containsKey(field.name())) {
        throw new InvalidInputException("entities." + field.name() + ": missing (on-demand view '"
            + view.name() + "' needs it per row)");
      }
    }
    for (int row = 0; row < rows; row++) {
      Map<String, Object> inputs = new HashMap<>();
      boolean complete = true;
      for (Map.Entry<String, String> input : view.inputs().entrySet()) {
        FeatureValue value = fetched.get(view(input.getValue())).get(row)
            .get(feature(input.getValue()));
        complete &= value.status() == FeatureStatus.PRESENT;
        inputs.put(input.getKey(), value.value());
      }
      for (var field : view.requestFields()) {
        inputs.put(field.name(), entities.get(field.name()).get(row));
      }
      if (complete) {
        column.values().add(definitions.expression(view.name(), feature).evaluate(inputs));
        column.statuses().add(FeatureStatus.PRESENT);
      } else {
        column.values().add(null);
        column.statuses().add(FeatureStatus.NOT_FOUND);
      }
      column.eventTimes().add(null);
    }
  }

  private List<EntityKey> keys(FeatureView view, Map<String, List<Object>> entities, int rows) {
    List<Entity.JoinKey> joinKeys = new ArrayList<>();
    for (String entity : view.entities()) {
      joinKeys.addAll(definitions.entities().get(entity).joinKeys());
    }
    List<EntityKey> keys = new ArrayList<>(rows);
    for (int row = 0; row < rows; row++) {
      List<Object> values = new ArrayList<>(joinKeys.size());
      for (Entity.JoinKey joinKey : joinKeys) {
        List<Object> column = entities.get(joinKey.name());
        if (column == null) {
          throw new InvalidInputException("entities." + joinKey.name()
              + ": missing (feature view '" + view.name() + "' is keyed by it)");
        }
        values.add(column.get(row));
      }
      keys.add(new EntityKey(values));
    }
    return keys;
  }

  /**
   * Converts a decoded value (Long, Double, String, Boolean from JSON or tensors) to the Java
   * class the online store keeps for {@code type}.
   */
  public static Object typed(Object value, ValueType type, String where) {
    switch (type) {
      case INT32:
      case INT64:
        if (!(value instanceof Long || value instanceof Integer)) {
          throw new InvalidInputException(where + ": " + value + " (expected an integer)");
        }
        long number = ((Number) value).longValue();
        if (type == ValueType.INT32 && (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE)) {
          throw new InvalidInputException(where + ": " + value + " (expected an int32)");
        }
        return type == ValueType.INT32 ? (Object) (int) number : (Object) number;
      case FLOAT32:
      case FLOAT64:
        if (!(value instanceof Number)) {
          throw new InvalidInputException(where + ": " + value + " (expected a number)");
        }
        return type == ValueType.FLOAT32 ? (Object) ((Number) value).floatValue()
            : (Object) ((Number) value).doubleValue();
      case BOOL:
        if (!(value instanceof Boolean)) {
          throw new InvalidInputException(where + ": " + value + " (expected true or false)");
        }
        return value;
      default:
        if (!(value instanceof String)) {
          throw new InvalidInputException(where + ": " + value + " (expected a string)");
        }
        return value;
    }
  }

  private static void addOnce(Map<String, Set<String>> needed, String view, String feature) {
    needed.computeIfAbsent(view, v -> new LinkedHashSet<>()).add(feature);
  }

  private static String view(String ref) {
    int colon = ref.indexOf(':');
    if (colon <= 0) {
      throw new InvalidInputException("features: '" + ref + "' (expected view:feature)");
    }
    return ref.substring(0, colon);
  }

  private static String feature(String ref) {
    return ref.substring(ref.indexOf(':') + 1);
  }
}
