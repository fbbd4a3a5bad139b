package dev.slipway.features.internal;

import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureRegistry.Kind;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Flattens definitions to {@code field -> text} so the registry can store them as plain JSON and
 * report differences field by field. Source paths are stored resolved: that is what the offline
 * store reads, so moving the YAML file counts as a change of its sources.
 */
public final class DefinitionFields {
  private DefinitionFields() {}

  public static Map<Kind, Map<String, Map<String, String>>> of(FeatureDefinitions defs) {
    Map<Kind, Map<String, Map<String, String>>> all = new EnumMap<>(Kind.class);
    for (Kind kind : Kind.values()) {
      all.put(kind, new LinkedHashMap<>());
    }
    defs.entities().values().forEach(e -> {
      Map<String, String> fields = new TreeMap<>();
      e.joinKeys().forEach(k -> fields.put("join_keys." + k.name(), lower(k.type())));
      fields.put("join_keys", e.joinKeys().stream().map(k -> k.name())
          .collect(Collectors.joining(",")));
      put(fields, "description", e.description());
      all.get(Kind.ENTITY).put(e.name(), fields);
    });
    defs.sources().values().forEach(s -> {
      Map<String, String> fields = new TreeMap<>();
      fields.put("path", s.path().toString());
      fields.put("format", lower(s.format()));
      fields.put("timestamp_field", s.timestampField());
      put(fields, "created_timestamp_field", s.createdTimestampField());
      all.get(Kind.SOURCE).put(s.name(), fields);
    });
    defs.featureViews().values().forEach(v -> {
      Map<String, String> fields = new TreeMap<>();
      fields.put("entities", String.join(",", v.entities()));
      fields.put("source", v.source());
      fields.put("ttl", ttl(v.ttl()));
      fields.put("online", Boolean.toString(v.online()));
      v.features().forEach(f -> fields.put("features." + f.name(), lower(f.type())));
      all.get(Kind.FEATURE_VIEW).put(v.name(), fields);
    });
    defs.onDemandFeatureViews().values().forEach(v -> {
      Map<String, String> fields = new TreeMap<>();
      v.requestFields().forEach(f -> fields.put("request_fields." + f.name(), lower(f.type())));
      v.inputs().forEach((name, ref) -> fields.put("inputs." + name, ref));
      v.features().forEach(f -> fields.put("features." + f.name(),
          lower(f.type()) + " = " + f.expression()));
      all.get(Kind.ON_DEMAND_FEATURE_VIEW).put(v.name(), fields);
    });
    defs.featureServices().values().forEach(s -> all.get(Kind.FEATURE_SERVICE)
        .put(s.name(), new TreeMap<>(Map.of("features", String.join(",", s.features())))));
    return all;
  }

  /** Renders a TTL the way it is written ({@code 2h}, {@code 7d}, {@code 0}). */
  public static String ttl(Duration ttl) {
    long seconds = ttl.getSeconds();
    if (seconds == 0) {
      return "0";
    }
    if (seconds % 86_400 == 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds % 3_600 == 0) {
      return seconds / 3_600 + "h";
    }
    if (seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void put(Map<String, String> fields, String name, String value) {
    if (value != null) {
      fields.put(name, value);
    }
  }
}
