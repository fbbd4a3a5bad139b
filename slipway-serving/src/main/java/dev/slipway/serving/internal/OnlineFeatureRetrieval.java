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
import dev.slipway.features.online.OnlineFeatureReader.StoredRow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Online feature retrieval by entity: feature refs ({@code view:feature}, on-demand views
 * included) for rows of entity columns (join keys and request fields), read from the online store
 * and computed per row. Shared by {@code /v1/features/online} and entity-reference scoring.
 */
public final class OnlineFeatureRetrieval {
  /**
   * One requested feature for every row: values, statuses and event times, column-major.
   * {@code feature} is the ref's feature name (the answer's short name).
   */
  public record Column(String ref, String feature, Object[] values, FeatureStatus[] statuses,
      Instant[] eventTimes) {
    Column(String ref, String feature, int rows) {
      this(ref, feature, new Object[rows], new FeatureStatus[rows], new Instant[rows]);
    }
  }

  /** One online-store read: a view's features for the request's rows, keyed by join keys. */
  private record ViewRead(FeatureView view, List<String> features,
      List<Entity.JoinKey> joinKeys) {}

  /** An on-demand input: {@code variable} in the expression is {@code feature} of read #read. */
  private record Input(String variable, int read, String feature) {}

  /**
   * Where one requested ref's values come from: {@code feature} of read #{@code read}, or (when
   * {@code onDemand} is set) the expression over {@code inputs} and request fields.
   */
  private record Output(String ref, int read, String feature, OnDemandFeatureView onDemand,
      Function<Map<String, Object>, Object> expression, List<Input> inputs) {}

  private record Plan(List<ViewRead> reads, List<Output> outputs,
      List<OnDemandFeatureView> onDemandViews) {}

  private final FeatureDefinitions definitions;
  private final OnlineFeatureReader reader;
  private final MeterRegistry meters;
  /** Keyed by the services' own ref lists, which {@code serviceFeatures} hands out as is. */
  private final Map<List<String>, Plan> servicePlans = new IdentityHashMap<>();
  private final Map<String, Counter[]> missCounters = new ConcurrentHashMap<>();

  public OnlineFeatureRetrieval(FeatureDefinitions definitions, OnlineFeatureReader reader,
      MeterRegistry meters) {
    this.definitions = definitions;
    this.reader = reader;
    this.meters = meters;
    for (String service : definitions.featureServices().keySet()) {
      List<String> refs = definitions.serviceFeatures(service);
      servicePlans.put(refs, plan(refs));
    }
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
   * #typed}), waiting for the online store.
   *
   * @throws InvalidInputException naming an unknown ref or a missing entity column
   */
  public List<Column> retrieve(List<String> refs, Map<String, List<Object>> entities, int rows) {
    try {
      return retrieveAsync(refs, entities, rows).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * As {@link #retrieve}, completed when the online store has answered every view: a server's
   * event loop is not held while Redis answers. A client's mistake (an unknown ref, a missing
   * entity column) is thrown at once, before any read.
   *
   * @throws InvalidInputException naming an unknown ref or a missing entity column
   */
  public CompletableFuture<List<Column>> retrieveAsync(List<String> refs,
      Map<String, List<Object>> entities, int rows) {
    Plan plan = servicePlans.get(refs);
    if (plan == null) {
      plan = plan(refs);
    }
    List<CompletableFuture<List<StoredRow>>> reads = new ArrayList<>(plan.reads().size());
    List<List<EntityKey>> keys = new ArrayList<>(plan.reads().size());
    for (ViewRead read : plan.reads()) {
      keys.add(keys(read, entities, rows));
    }
    for (OnDemandFeatureView view : plan.onDemandViews()) {
      for (var field : view.requestFields()) {
        if (!entities.containsKey(field.name())) {
          throw new InvalidInputException("entities." + field.name()
              + ": missing (on-demand view '" + view.name() + "' needs it per row)");
        }
      }
    }
    for (int i = 0; i < plan.reads().size(); i++) {
      ViewRead read = plan.reads().get(i);
      reads.add(reader.readRowsAsync(read.view(), keys.get(i), read.features()));
    }
    Plan planned = plan;
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<List<StoredRow>> fetched = new ArrayList<>(reads.size());
      for (int i = 0; i < reads.size(); i++) {
        fetched.add(reads.get(i).join());
      }
      return columns(planned, fetched, entities, rows);
    });
  }

  private void countMiss(ViewRead read, FeatureStatus status) {
    // Per view, one counter per status, made on first use: no key built per miss.
    String view = read.view().name();
    Counter[] counters = missCounters.computeIfAbsent(view,
        name -> new Counter[FeatureStatus.values().length]);
    Counter counter = counters[status.ordinal()];
    if (counter == null) {
      counter = Counter.builder("slipway.features.online.misses")
          .description("Requested online feature values not PRESENT, by view and status")
          .tags("view", view, "status", status.name())
          .register(meters);
      // Racing threads get the same counter back from the registry.
      counters[status.ordinal()] = counter;
    }
    counter.increment();
  }

  private List<Column> columns(Plan plan, List<List<StoredRow>> fetched,
      Map<String, List<Object>> entities, int rows) {
    List<Column> columns = new ArrayList<>(plan.outputs().size());
    for (Output output : plan.outputs()) {
      Column column = new Column(output.ref(), output.feature(), rows);
      if (output.onDemand() == null) {
        List<StoredRow> read = fetched.get(output.read());
        for (int row = 0; row < rows; row++) {
          StoredRow stored = read.get(row);
          FeatureStatus status = stored.status(output.feature());
          if (status != FeatureStatus.PRESENT) {
            countMiss(plan.reads().get(output.read()), status);
          }
          column.values()[row] = stored.value(output.feature());
          column.statuses()[row] = status;
          column.eventTimes()[row] = status == FeatureStatus.NOT_FOUND ? null
              : stored.row().eventTime();
        }
      } else {
        computeOnDemand(output, fetched, entities, rows, column);
      }
      columns.add(column);
    }
    return columns;
  }

  private static void computeOnDemand(Output output, List<List<StoredRow>> fetched,
      Map<String, List<Object>> entities, int rows, Column column) {
    OnDemandFeatureView view = output.onDemand();
    for (int row = 0; row < rows; row++) {
      Map<String, Object> inputs = new HashMap<>();
      boolean complete = true;
      for (Input input : output.inputs()) {
        StoredRow stored = fetched.get(input.read()).get(row);
        complete &= stored.status(input.feature()) == FeatureStatus.PRESENT;
        inputs.put(input.variable(), stored.value(input.feature()));
      }
      for (var field : view.requestFields()) {
        inputs.put(field.name(), entities.get(field.name()).get(row));
      }
      column.values()[row] = complete ? output.expression().apply(inputs) : null;
      column.statuses()[row] = complete ? FeatureStatus.PRESENT : FeatureStatus.NOT_FOUND;
    }
  }

  /**
   * What a ref list needs: one read per feature view (each feature once, on-demand inputs
   * included) and, per ref, where its value comes from. Feature services' plans are made once;
   * a request's own list gets its plan per request.
   */
  private Plan plan(List<String> refs) {
    Map<String, Set<String>> needed = new LinkedHashMap<>();
    List<String[]> parsed = new ArrayList<>(refs.size());
    for (String ref : refs) {
      String view = view(ref);
      String feature = ref.substring(view.length() + 1);
      parsed.add(new String[] {view, feature});
      if (definitions.featureViews().containsKey(view)) {
        addOnce(needed, view, feature);
      } else if (definitions.onDemandFeatureViews().containsKey(view)) {
        for (String input : definitions.onDemandFeatureViews().get(view).inputs().values()) {
          addOnce(needed, view(input), input.substring(input.indexOf(':') + 1));
        }
      } else {
        throw new InvalidInputException("features: '" + ref + "': no feature view '" + view
            + "' (known: " + definitions.featureViews().keySet() + ", on-demand: "
            + definitions.onDemandFeatureViews().keySet() + ")");
      }
      if (definitions.typeOf(ref).isEmpty()) {
        throw new InvalidInputException("features: '" + ref + "': view '" + view
            + "' has no feature '" + feature + "'");
      }
    }
    List<ViewRead> reads = new ArrayList<>(needed.size());
    Map<String, Integer> readIndex = new HashMap<>();
    for (Map.Entry<String, Set<String>> entry : needed.entrySet()) {
      FeatureView view = definitions.featureViews().get(entry.getKey());
      List<Entity.JoinKey> joinKeys = new ArrayList<>();
      for (String entity : view.entities()) {
        joinKeys.addAll(definitions.entities().get(entity).joinKeys());
      }
      readIndex.put(view.name(), reads.size());
      reads.add(new ViewRead(view, List.copyOf(entry.getValue()), List.copyOf(joinKeys)));
    }
    List<Output> outputs = new ArrayList<>(refs.size());
    Set<OnDemandFeatureView> onDemandViews = new LinkedHashSet<>();
    for (int i = 0; i < refs.size(); i++) {
      String view = parsed.get(i)[0];
      String feature = parsed.get(i)[1];
      OnDemandFeatureView onDemand = definitions.onDemandFeatureViews().get(view);
      if (onDemand == null) {
        outputs.add(new Output(refs.get(i), readIndex.get(view), feature, null, null, List.of()));
        continue;
      }
      onDemandViews.add(onDemand);
      List<Input> inputs = new ArrayList<>();
      onDemand.inputs().forEach((variable, input) -> inputs.add(new Input(variable,
          readIndex.get(view(input)), input.substring(input.indexOf(':') + 1))));
      outputs.add(new Output(refs.get(i), -1, feature, onDemand,
          definitions.expression(view, feature)::evaluate, List.copyOf(inputs)));
    }
    return new Plan(List.copyOf(reads), List.copyOf(outputs), List.copyOf(onDemandViews));
  }

  private static List<EntityKey> keys(ViewRead read, Map<String, List<Object>> entities,
      int rows) {
    List<EntityKey> keys = new ArrayList<>(rows);
    for (Entity.JoinKey joinKey : read.joinKeys()) {
      if (!entities.containsKey(joinKey.name())) {
        throw new InvalidInputException("entities." + joinKey.name()
            + ": missing (feature view '" + read.view().name() + "' is keyed by it)");
      }
    }
    for (int row = 0; row < rows; row++) {
      List<Object> values = new ArrayList<>(read.joinKeys().size());
      for (Entity.JoinKey joinKey : read.joinKeys()) {
        values.add(entities.get(joinKey.name()).get(row));
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
}
