package dev.slipway.features.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.yaml.YamlFiles;
import dev.slipway.features.DataSource;
import dev.slipway.features.Entity;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureService;
import dev.slipway.features.FeatureView;
import dev.slipway.features.OnDemandFeatureView;
import dev.slipway.features.ValueType;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code features.yaml} into definitions and checks them. The YAML is walked as a tree
 * rather than bound to classes so that every error can name the file, the definition and the
 * field, and so that unknown keys (usually typos) are refused instead of silently ignored.
 */
public final class DefinitionsParser {
  private static final Pattern TTL = Pattern.compile("(\\d+)\\s*([smhdw]?)");
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private DefinitionsParser() {}

  public static FeatureDefinitions parse(Path yaml) {
    JsonNode root;
    try {
      root = YamlFiles.mapper().readTree(yaml.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(yaml + ": cannot read YAML (" + e.getMessage()
          .replace('\n', ' ') + ")");
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      root = new ObjectMapper().createObjectNode();
    }
    if (!root.isObject()) {
      throw new InvalidInputException(yaml + ": top level must be a mapping with entities, "
          + "sources, feature_views, on_demand_feature_views, feature_services");
    }
    checkKeys(yaml + ": top level", root, Set.of(), Set.of("project", "entities", "sources",
        "feature_views", "on_demand_feature_views", "feature_services"));
    Path base = yaml.toAbsolutePath().getParent();
    Map<String, Integer> lines = YamlFiles.lines(yaml);
    List<Entity> entities = list(yaml, lines, root, "entities", DefinitionsParser::entity);
    List<DataSource> sources = list(yaml, lines, root, "sources",
        (where, node) -> source(where, node, base));
    List<FeatureView> views = list(yaml, lines, root, "feature_views", DefinitionsParser::view);
    List<OnDemandFeatureView> onDemand = list(yaml, lines, root, "on_demand_feature_views",
        DefinitionsParser::onDemandView);
    List<FeatureService> services = list(yaml, lines, root, "feature_services",
        DefinitionsParser::service);
    return new FeatureDefinitions(yaml, entities, sources, views, onDemand, services);
  }

  /** Checks references between definitions and compiles the on-demand expressions. */
  public static Map<String, Map<String, SafeExpression>> validate(FeatureDefinitions defs) {
    Path file = defs.file();
    for (FeatureView view : defs.featureViews().values()) {
      String where = file + ": feature view '" + view.name() + "'";
      if (defs.onDemandFeatureViews().containsKey(view.name())) {
        throw new InvalidInputException(where + ": name is also used by an on-demand feature "
            + "view (expected unique view names)");
      }
      for (String entity : view.entities()) {
        if (!defs.entities().containsKey(entity)) {
          throw new InvalidInputException(where + ", field 'entities': entity '" + entity
              + "' is not defined (defined: " + defs.entities().keySet() + ")");
        }
      }
      if (!defs.sources().containsKey(view.source())) {
        throw new InvalidInputException(where + ", field 'source': source '" + view.source()
            + "' is not defined (defined: " + defs.sources().keySet() + ")");
      }
      if (view.ttl().isNegative()) {
        throw new InvalidInputException(where + ", field 'ttl': " + view.ttl()
            + " (expected 0 or a positive duration)");
      }
      Set<String> seen = new java.util.HashSet<>();
      for (Feature feature : view.features()) {
        if (!seen.add(feature.name())) {
          throw new InvalidInputException(where + ", field 'features': feature '"
              + feature.name() + "' appears twice (expected unique names)");
        }
      }
    }
    Map<String, Map<String, SafeExpression>> compiled = new LinkedHashMap<>();
    for (OnDemandFeatureView view : defs.onDemandFeatureViews().values()) {
      String where = file + ": on-demand feature view '" + view.name() + "'";
      Map<String, ValueType> variables = new LinkedHashMap<>();
      for (Feature field : view.requestFields()) {
        variables.put(field.name(), field.type());
      }
      for (Map.Entry<String, String> input : view.inputs().entrySet()) {
        String ref = input.getValue();
        if (defs.onDemandFeatureViews().containsKey(refView(ref))) {
          throw new InvalidInputException(where + ", field 'inputs." + input.getKey()
              + "': '" + ref + "' is an on-demand feature (expected a feature of a feature "
              + "view)");
        }
        ValueType type = defs.typeOf(ref).orElseThrow(() -> new InvalidInputException(where
            + ", field 'inputs." + input.getKey() + "': feature '" + ref
            + "' is not defined (expected view:feature of a defined feature view)"));
        if (variables.put(input.getKey(), type) != null) {
          throw new InvalidInputException(where + ", field 'inputs." + input.getKey()
              + "': name is also a request field (expected unique variable names)");
        }
      }
      Map<String, SafeExpression> expressions = new LinkedHashMap<>();
      for (OnDemandFeatureView.Computed feature : view.features()) {
        String featureWhere = where + ", feature '" + feature.name() + "', field 'expression'";
        SafeExpression expression = SafeExpression.compile(featureWhere, feature.expression(),
            feature.type());
        for (String variable : expression.variables()) {
          if (!variables.containsKey(variable)) {
            throw new InvalidInputException(featureWhere + ": variable '" + variable
                + "' is neither a request field nor an input (expected one of "
                + variables.keySet() + ")");
          }
        }
        // A trial run on sample values of the declared types catches type mismatches (and any
        // refused class access) when the definitions are loaded rather than at request time.
        Map<String, Object> sample = new LinkedHashMap<>();
        variables.forEach((name, type) -> sample.put(name, sampleValue(type)));
        expression.evaluate(sample);
        if (expressions.put(feature.name(), expression) != null) {
          throw new InvalidInputException(where + ", field 'features': feature '"
              + feature.name() + "' appears twice (expected unique names)");
        }
      }
      compiled.put(view.name(), expressions);
    }
    for (FeatureService service : defs.featureServices().values()) {
      for (String ref : service.features()) {
        if (defs.typeOf(ref).isEmpty()) {
          throw new InvalidInputException(file + ": feature service '" + service.name()
              + "', field 'features': '" + ref + "' is not defined (expected view:feature)");
        }
      }
    }
    return compiled;
  }

  private static String refView(String ref) {
    int colon = ref.indexOf(':');
    return colon < 0 ? ref : ref.substring(0, colon);
  }

  private static Object sampleValue(ValueType type) {
    switch (type) {
      case INT32:
        return 1;
      case INT64:
        return 1L;
      case FLOAT32:
        return 1.0f;
      case FLOAT64:
        return 1.0d;
      case BOOL:
        return true;
      default:
        return "a";
    }
  }

  private static Entity entity(String where, JsonNode node) {
    checkKeys(where, node, Set.of("name", "join_keys"), Set.of("description"));
    List<Entity.JoinKey> keys = new ArrayList<>();
    typedFields(where + ", field 'join_keys'", node.get("join_keys"))
        .forEach((name, type) -> keys.add(new Entity.JoinKey(name, type)));
    if (keys.isEmpty()) {
      throw new InvalidInputException(where + ", field 'join_keys': empty (expected at least "
          + "one join key)");
    }
    return new Entity(text(where, node, "name"), keys, optionalText(where, node, "description"));
  }

  private static DataSource source(String where, JsonNode node, Path base) {
    checkKeys(where, node, Set.of("name", "path", "timestamp_field"),
        Set.of("created_timestamp_field", "format", "description"));
    String path = text(where, node, "path");
    String format = optionalText(where, node, "format");
    if (format == null) {
      String lower = path.toLowerCase(Locale.ROOT);
      format = lower.endsWith(".csv") ? "csv" : lower.endsWith(".parquet") ? "parquet" : null;
      if (format == null) {
        throw new InvalidInputException(where + ", field 'path': '" + path
            + "' (expected a .parquet or .csv file, or set 'format')");
      }
    }
    DataSource.Format parsed;
    try {
      parsed = DataSource.Format.valueOf(format.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(where + ", field 'format': '" + format
          + "' (expected parquet or csv)");
    }
    return new DataSource(text(where, node, "name"), base.resolve(path).normalize(), parsed,
        text(where, node, "timestamp_field"),
        optionalText(where, node, "created_timestamp_field"));
  }

  private static FeatureView view(String where, JsonNode node) {
    checkKeys(where, node, Set.of("name", "entities", "features", "source"),
        Set.of("ttl", "online", "description"));
    List<String> entities = new ArrayList<>();
    JsonNode entityNode = node.get("entities");
    if (!entityNode.isArray() || entityNode.isEmpty()) {
      throw new InvalidInputException(where + ", field 'entities': " + entityNode
          + " (expected a non-empty list of entity names)");
    }
    entityNode.forEach(e -> entities.add(e.asText()));
    List<Feature> features = new ArrayList<>();
    typedFields(where + ", field 'features'", node.get("features"))
        .forEach((name, type) -> features.add(new Feature(name, type)));
    String ttl = node.has("ttl") ? node.get("ttl").asText() : "0";
    JsonNode online = node.get("online");
    if (online != null && !online.isBoolean()) {
      throw new InvalidInputException(where + ", field 'online': " + online
          + " (expected true or false)");
    }
    return new FeatureView(text(where, node, "name"), entities, features,
        text(where, node, "source"), parseTtl(where + ", field 'ttl'", ttl),
        online != null && online.asBoolean());
  }

  private static OnDemandFeatureView onDemandView(String where, JsonNode node) {
    checkKeys(where, node, Set.of("name", "features"),
        Set.of("request_fields", "inputs", "description"));
    List<Feature> requestFields = new ArrayList<>();
    if (node.has("request_fields")) {
      typedFields(where + ", field 'request_fields'", node.get("request_fields"))
          .forEach((name, type) -> requestFields.add(new Feature(name, type)));
    }
    Map<String, String> inputs = new LinkedHashMap<>();
    if (node.has("inputs")) {
      JsonNode inputNode = node.get("inputs");
      if (!inputNode.isObject()) {
        throw new InvalidInputException(where + ", field 'inputs': " + inputNode
            + " (expected a mapping of variable name to view:feature)");
      }
      inputNode.fields().forEachRemaining(e -> {
        checkName(where + ", field 'inputs'", e.getKey());
        inputs.put(e.getKey(), e.getValue().asText());
      });
    }
    List<OnDemandFeatureView.Computed> features = new ArrayList<>();
    JsonNode featureNode = node.get("features");
    if (!featureNode.isArray() || featureNode.isEmpty()) {
      throw new InvalidInputException(where + ", field 'features': " + featureNode
          + " (expected a non-empty list of {name, type, expression})");
    }
    int index = 0;
    for (JsonNode feature : featureNode) {
      String featureWhere = where + ", field 'features[" + index++ + "]'";
      checkKeys(featureWhere, feature, Set.of("name", "type", "expression"), Set.of());
      String name = text(featureWhere, feature, "name");
      checkName(featureWhere, name);
      features.add(new OnDemandFeatureView.Computed(name,
          ValueType.parse(feature.get("type").asText(), featureWhere + ", field 'type'"),
          text(featureWhere, feature, "expression")));
    }
    return new OnDemandFeatureView(text(where, node, "name"), requestFields, inputs, features);
  }

  private static FeatureService service(String where, JsonNode node) {
    checkKeys(where, node, Set.of("name", "features"), Set.of("description"));
    JsonNode features = node.get("features");
    if (!features.isArray() || features.isEmpty()) {
      throw new InvalidInputException(where + ", field 'features': " + features
          + " (expected a non-empty list of view:feature)");
    }
    List<String> refs = new ArrayList<>();
    features.forEach(f -> refs.add(f.asText()));
    return new FeatureService(text(where, node, "name"), refs);
  }

  /** Parses {@code 30s}, {@code 2h}, {@code 7d}, {@code 1w} or {@code 0} (never expires). */
  public static Duration parseTtl(String where, String ttl) {
    Matcher matcher = TTL.matcher(ttl.trim());
    if (!matcher.matches() || (matcher.group(2).isEmpty() && !"0".equals(matcher.group(1)))) {
      throw new InvalidInputException(where + ": '" + ttl
          + "' (expected a number with unit s, m, h, d or w, like 2h or 7d, or 0 for no expiry)");
    }
    long amount = Long.parseLong(matcher.group(1));
    switch (matcher.group(2)) {
      case "s":
        return Duration.ofSeconds(amount);
      case "m":
        return Duration.ofMinutes(amount);
      case "h":
        return Duration.ofHours(amount);
      case "d":
        return Duration.ofDays(amount);
      case "w":
        return Duration.ofDays(7 * amount);
      default:
        return Duration.ZERO;
    }
  }

  private static Map<String, ValueType> typedFields(String where, JsonNode node) {
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw new InvalidInputException(where + ": " + node
          + " (expected a non-empty mapping of name to type, like {id: int64})");
    }
    Map<String, ValueType> fields = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> {
      checkName(where, e.getKey());
      fields.put(e.getKey(), ValueType.parse(e.getValue().asText(),
          where + ", '" + e.getKey() + "'"));
    });
    return fields;
  }

  private static void checkName(String where, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new InvalidInputException(where + ": name '" + name
          + "' (expected letters, digits and _, not starting with a digit)");
    }
  }

  private static <T> List<T> list(Path file, Map<String, Integer> lines, JsonNode root,
      String key, BiFunction<String, JsonNode, T> reader) {
    List<T> items = new ArrayList<>();
    JsonNode node = root.get(key);
    if (node == null || node.isNull()) {
      return items;
    }
    if (!node.isArray()) {
      throw new InvalidInputException(file + ": '" + key + "' must be a list (was "
          + node.getNodeType() + ")");
    }
    int index = 0;
    for (JsonNode item : node) {
      String name = item.path("name").asText("");
      Integer line = lines.get("/" + key + "/" + index);
      String where = file + (line == null ? "" : ":" + line) + ": " + key + "[" + index++ + "]"
          + (name.isEmpty() ? "" : " '" + name + "'");
      if (!item.isObject()) {
        throw new InvalidInputException(where + ": " + item + " (expected a mapping)");
      }
      if (!name.isEmpty()) {
        checkName(where + ", field 'name'", name);
      }
      items.add(reader.apply(where, item));
    }
    return items;
  }

  private static void checkKeys(String where, JsonNode node, Set<String> required,
      Set<String> optional) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!required.contains(name) && !optional.contains(name)) {
        Set<String> known = new java.util.TreeSet<>(required);
        known.addAll(optional);
        throw new InvalidInputException(where + ": unknown field '" + name
            + "' (expected " + known + ")");
      }
    }
    for (String name : new java.util.TreeSet<>(required)) {
      if (!node.has(name) || node.get(name).isNull()) {
        throw new InvalidInputException(where + ": missing field '" + name + "'");
      }
    }
  }

  private static String text(String where, JsonNode node, String key) {
    JsonNode value = node.get(key);
    if (value == null || !value.isValueNode() || value.asText().isBlank()) {
      throw new InvalidInputException(where + ", field '" + key + "': " + value
          + " (expected a non-empty text)");
    }
    return value.asText();
  }

  private static String optionalText(String where, JsonNode node, String key) {
    return node.has(key) && !node.get(key).isNull() ? text(where, node, key) : null;
  }
}
