package dev.slipway.features;

import dev.slipway.core.InvalidInputException;
import dev.slipway.features.internal.DefinitionsParser;
import dev.slipway.features.internal.SafeExpression;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated feature definitions of a project's {@code features.yaml}: entities, sources,
 * feature views, on-demand feature views and feature services, each by name in file order.
 */
public final class FeatureDefinitions {
  // Derived from the definitions on first use; benign race: every thread computes the same map.
  private volatile Map<String, ValueType> refTypes;

  private final Path file;
  private final Map<String, Entity> entities;
  private final Map<String, DataSource> sources;
  private final Map<String, FeatureView> views;
  private final Map<String, OnDemandFeatureView> onDemandViews;
  private final Map<String, FeatureService> services;
  private final Map<String, Map<String, SafeExpression>> expressions;

  /** Builds and validates definitions; {@code file} only names where they came from. */
  public FeatureDefinitions(Path file, List<Entity> entities, List<DataSource> sources,
      List<FeatureView> views, List<OnDemandFeatureView> onDemandViews,
      List<FeatureService> services) {
    this.file = file;
    this.entities = byName(file, "entity", entities, Entity::name);
    this.sources = byName(file, "source", sources, DataSource::name);
    this.views = byName(file, "feature view", views, FeatureView::name);
    this.onDemandViews = byName(file, "on-demand feature view", onDemandViews,
        OnDemandFeatureView::name);
    this.services = byName(file, "feature service", services, FeatureService::name);
    this.expressions = DefinitionsParser.validate(this);
  }

  /** Reads and validates a {@code features.yaml}; errors name the file, definition and field. */
  public static FeatureDefinitions load(Path yaml) {
    return DefinitionsParser.parse(yaml);
  }

  public Path file() {
    return file;
  }

  public Map<String, Entity> entities() {
    return entities;
  }

  public Map<String, DataSource> sources() {
    return sources;
  }

  public Map<String, FeatureView> featureViews() {
    return views;
  }

  public Map<String, OnDemandFeatureView> onDemandFeatureViews() {
    return onDemandViews;
  }

  public Map<String, FeatureService> featureServices() {
    return services;
  }

  /** The refs of a feature service, or an error naming the unknown service. */
  public List<String> serviceFeatures(String service) {
    FeatureService found = services.get(service);
    if (found == null) {
      throw new InvalidInputException(file + ": feature service '" + service
          + "' is not defined (defined: " + services.keySet() + ")");
    }
    return found.features();
  }

  /** The compiled expression of one on-demand feature. */
  public SafeExpression expression(String onDemandView, String feature) {
    return Optional.ofNullable(expressions.get(onDemandView)).map(m -> m.get(feature))
        .orElseThrow(() -> new InvalidInputException(file + ": on-demand feature '"
            + onDemandView + ":" + feature + "' is not defined"));
  }

  /** The type of {@code view:feature} (plain or on-demand view), if defined. */
  public Optional<ValueType> typeOf(String ref) {
    return Optional.ofNullable(refTypes().get(ref));
  }

  /** Every {@code view:feature} ref with its type, built once: requests look up hundreds. */
  private Map<String, ValueType> refTypes() {
    Map<String, ValueType> types = refTypes;
    if (types == null) {
      Map<String, ValueType> built = new java.util.HashMap<>();
      views.values().forEach(view -> view.features().forEach(
          feature -> built.put(view.name() + ":" + feature.name(), feature.type())));
      onDemandViews.values().forEach(view -> view.features().forEach(
          feature -> built.put(view.name() + ":" + feature.name(), feature.type())));
      types = Map.copyOf(built);
      refTypes = types;
    }
    return types;
  }

  private static <T> Map<String, T> byName(Path file, String kind, List<T> items,
      java.util.function.Function<T, String> name) {
    Map<String, T> map = new LinkedHashMap<>();
    List<String> duplicates = new ArrayList<>();
    for (T item : items) {
      if (map.putIfAbsent(name.apply(item), item) != null) {
        duplicates.add(name.apply(item));
      }
    }
    if (!duplicates.isEmpty()) {
      throw new InvalidInputException(file + ": " + kind + " '" + duplicates.get(0)
          + "' is defined more than once (expected unique names)");
    }
    return Collections.unmodifiableMap(map);
  }
}
