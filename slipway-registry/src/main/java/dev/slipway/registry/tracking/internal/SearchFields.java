package dev.slipway.registry.tracking.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a search can filter and sort on, and where it lives in the schema: the runs search sees
 * metrics, params, tags and run attributes; the experiments search sees tags and experiment
 * attributes. Column and table names here are constants; only values are ever bound.
 */
public final class SearchFields {
  /** A table of per-entity key/value rows (params, tags, latest metrics). */
  record KeyValueTable(String table, String ownerColumn, String keyColumn, String valueColumn) {}

  /** A column of the searched table itself. */
  record Attribute(String column, boolean numeric) {}

  public static final SearchFields RUNS = runs();
  public static final SearchFields EXPERIMENTS = experiments();

  private final String what;
  private final String ownerColumn;
  private final Map<EntityType, KeyValueTable> tables;
  private final Map<String, Attribute> attributes;
  private final Map<String, String> aliases;

  private SearchFields(String what, String ownerColumn, Map<EntityType, KeyValueTable> tables,
      Map<String, Attribute> attributes, Map<String, String> aliases) {
    this.what = what;
    this.ownerColumn = ownerColumn;
    this.tables = tables;
    this.attributes = attributes;
    this.aliases = aliases;
  }

  private static SearchFields runs() {
    Map<EntityType, KeyValueTable> tables = new LinkedHashMap<>();
    tables.put(EntityType.METRIC,
        new KeyValueTable("latest_metrics", "run_uuid", "metric_key", "metric_value"));
    tables.put(EntityType.PARAM,
        new KeyValueTable("params", "run_uuid", "param_key", "param_value"));
    tables.put(EntityType.TAG, new KeyValueTable("run_tags", "run_uuid", "tag_key", "tag_value"));
    Map<String, Attribute> attributes = new LinkedHashMap<>();
    attributes.put("run_id", new Attribute("s.run_uuid", false));
    attributes.put("run_name", new Attribute("s.run_name", false));
    attributes.put("status", new Attribute("s.status", false));
    attributes.put("user_id", new Attribute("s.user_id", false));
    attributes.put("start_time", new Attribute("s.start_time", true));
    attributes.put("end_time", new Attribute("s.end_time", true));
    attributes.put("artifact_uri", new Attribute("s.artifact_uri", false));
    attributes.put("lifecycle_stage", new Attribute("s.lifecycle_stage", false));
    // The spellings MLflow's UI and docs use for the same attributes.
    Map<String, String> aliases = Map.of("run_uuid", "run_id", "created", "start_time",
        "Created", "start_time", "run name", "run_name", "Run name", "run_name", "Run Name",
        "run_name");
    return new SearchFields("run", "s.run_uuid", tables, attributes, aliases);
  }

  private static SearchFields experiments() {
    Map<EntityType, KeyValueTable> tables = Map.of(EntityType.TAG,
        new KeyValueTable("experiment_tags", "experiment_id", "tag_key", "tag_value"));
    Map<String, Attribute> attributes = new LinkedHashMap<>();
    attributes.put("name", new Attribute("s.name", false));
    attributes.put("creation_time", new Attribute("s.creation_time", true));
    attributes.put("last_update_time", new Attribute("s.last_update_time", true));
    attributes.put("experiment_id", new Attribute("s.experiment_id", true));
    return new SearchFields("experiment", "s.experiment_id", tables, attributes, Map.of());
  }

  /** "run" or "experiment", for messages. */
  String what() {
    return what;
  }

  /** The searched table's key column, aliased {@code s}. */
  String ownerColumn() {
    return ownerColumn;
  }

  boolean supports(EntityType type) {
    return type == EntityType.ATTRIBUTE || tables.containsKey(type);
  }

  KeyValueTable table(EntityType type) {
    return tables.get(type);
  }

  /** The canonical attribute name, or null when this search has no such attribute. */
  String canonicalAttribute(String name) {
    String canonical = aliases.getOrDefault(name, name);
    return attributes.containsKey(canonical) ? canonical : null;
  }

  Attribute attribute(String canonicalName) {
    return attributes.get(canonicalName);
  }

  Iterable<String> attributeNames() {
    return attributes.keySet();
  }

  boolean numeric(EntityType type, String key) {
    return type == EntityType.METRIC
        || (type == EntityType.ATTRIBUTE && attributes.get(key).numeric());
  }
}
