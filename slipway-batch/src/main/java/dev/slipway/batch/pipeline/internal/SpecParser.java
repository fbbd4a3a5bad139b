package dev.slipway.batch.pipeline.internal;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.batch.pipeline.PipelineSpec;
import dev.slipway.batch.pipeline.PipelineSpec.Engine;
import dev.slipway.batch.pipeline.PipelineSpec.JdbcTable;
import dev.slipway.batch.pipeline.PipelineSpec.OnlineScores;
import dev.slipway.batch.pipeline.PipelineSpec.Sinks;
import dev.slipway.batch.pipeline.PipelineSpec.Source;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.yaml.YamlFiles;
import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.ModelRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code pipelines.yaml}. The YAML is walked as a tree so that every error names the
 * file, the pipeline and the field, and unknown keys (usually typos) are refused.
 */
public final class SpecParser {
  /** Unix cron: minute, hour, day of month, month, day of week. */
  public static final CronParser CRON =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  private SpecParser() {}

  public static Map<String, PipelineSpec> parse(Path yaml) {
    JsonNode root;
    try {
      root = YamlFiles.mapper().readTree(yaml.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(yaml + ": cannot read YAML ("
          + e.getMessage().replace('\n', ' ') + ")");
    }
    if (root == null || !root.isObject() || !root.path("pipelines").isObject()) {
      throw new InvalidInputException(yaml + ": expected a top-level 'pipelines' mapping of"
          + " pipeline names to their definitions");
    }
    checkKeys(yaml + ": top level", root, Set.of("pipelines"));
    Path base = yaml.toAbsolutePath().getParent();
    Map<String, Integer> lines = YamlFiles.lines(yaml);
    Map<String, PipelineSpec> pipelines = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.get("pipelines").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      Integer line = lines.get("/pipelines/" + entry.getKey());
      String where = yaml + (line == null ? "" : ":" + line) + ": pipeline '" + entry.getKey()
          + "'";
      if (!NAME.matcher(entry.getKey()).matches()) {
        throw new InvalidInputException(where + ": names are letters, digits, '_', '.', '-'");
      }
      pipelines.put(entry.getKey(), pipeline(where, entry.getKey(), entry.getValue(), base));
    }
    return pipelines;
  }

  private static PipelineSpec pipeline(String where, String name, JsonNode node, Path base) {
    if (!node.isObject()) {
      throw new InvalidInputException(where + ": expected a mapping");
    }
    checkKeys(where, node, Set.of("schedule", "engine", "model", "source", "key", "timestamp",
        "features", "sinks", "retries", "retry_backoff"));
    String schedule = optionalText(where, node, "schedule");
    if (schedule != null) {
      Cron cron;
      try {
        cron = CRON.parse(schedule).validate();
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(where + ": schedule '" + schedule
            + "' is not a Unix cron expression (minute hour day-of-month month day-of-week,"
            + " e.g. '0 2 * * *'): " + e.getMessage());
      }
      if (ExecutionTime.forCron(cron).nextExecution(ZonedDateTime.now(ZoneOffset.UTC))
          .isEmpty()) {
        throw new InvalidInputException(where + ": schedule '" + schedule
            + "' never fires (no date matches it)");
      }
    }
    String engineName = optionalText(where, node, "engine");
    Engine engine;
    try {
      engine = engineName == null ? Engine.LOCAL
          : Engine.valueOf(engineName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(where + ": engine '" + engineName
          + "' (expected local or spark)");
    }
    String model = requiredText(where, node, "model");
    try {
      ModelRegistry.checkUri(model);
    } catch (MlflowException e) {
      throw new InvalidInputException(where + ": model '" + model
          + "' (expected a registry URI: models:/NAME@ALIAS, models:/NAME/STAGE or"
          + " models:/NAME/VERSION): " + e.getMessage());
    }
    JsonNode retriesNode = node.get("retries");
    int retries = retriesNode == null ? 0
        : retriesNode.isIntegralNumber() ? retriesNode.asInt(-1) : -1;
    if (retries < 0 || retries > 20) {
      throw new InvalidInputException(where + ": retries " + node.get("retries")
          + " (expected 0-20)");
    }
    Duration backoff = node.has("retry_backoff")
        ? duration(where + ": retry_backoff", requiredText(where, node, "retry_backoff"))
        : Duration.ofSeconds(30);
    Sinks sinks = sinks(where + ": sinks", node.path("sinks"), base);
    PipelineSpec spec = new PipelineSpec(name, schedule, engine, model,
        source(where + ": source", node.path("source"), base), list(where, node, "key"),
        optionalText(where, node, "timestamp"), list(where, node, "features"), sinks, retries,
        backoff);
    if (!spec.keyed() && sinks.online() != null) {
      throw new InvalidInputException(where + ": sinks: online needs key (its first column"
          + " identifies the entity)");
    }
    if (!spec.keyed() && engine == Engine.SPARK) {
      throw new InvalidInputException(where + ": engine spark needs key (the columns copied to"
          + " the output)");
    }
    return spec;
  }

  private static Source source(String where, JsonNode node, Path base) {
    if (!node.isObject() || node.size() != 1) {
      throw new InvalidInputException(where + ": expected exactly one of file, feature_view,"
          + " jdbc");
    }
    checkKeys(where, node, Set.of("file", "feature_view", "jdbc"));
    if (node.has("file")) {
      return new Source.File(base.resolve(requiredText(where, node, "file")));
    }
    if (node.has("feature_view")) {
      return new Source.FeatureView(requiredText(where, node, "feature_view"));
    }
    JsonNode jdbc = node.get("jdbc");
    checkKeys(where + ": jdbc", jdbc, Set.of("url", "query"));
    return new Source.Jdbc(requiredText(where + ": jdbc", jdbc, "url"),
        requiredText(where + ": jdbc", jdbc, "query"));
  }

  private static Sinks sinks(String where, JsonNode node, Path base) {
    if (!node.isObject()) {
      throw new InvalidInputException(where + ": expected a mapping with parquet, jdbc and/or"
          + " online");
    }
    checkKeys(where, node, Set.of("parquet", "jdbc", "online"));
    Path parquet = node.has("parquet") ? base.resolve(requiredText(where, node, "parquet"))
        : null;
    JdbcTable jdbc = null;
    if (node.has("jdbc")) {
      JsonNode table = node.get("jdbc");
      checkKeys(where + ": jdbc", table, Set.of("url", "table"));
      String tableName = requiredText(where + ": jdbc", table, "table");
      if (!NAME.matcher(tableName).matches() || tableName.contains("-")) {
        throw new InvalidInputException(where + ": jdbc: table '" + tableName
            + "' (expected letters, digits, '_', optionally schema.table)");
      }
      jdbc = new JdbcTable(requiredText(where + ": jdbc", table, "url"), tableName);
    }
    OnlineScores online = node.has("online") ? online(where + ": online", node.get("online"))
        : null;
    Sinks sinks = new Sinks(parquet, jdbc, online);
    if (sinks.isEmpty()) {
      throw new InvalidInputException(where + ": expected at least one of parquet, jdbc,"
          + " online");
    }
    return sinks;
  }

  private static OnlineScores online(String where, JsonNode node) {
    if (node.isTextual()) {
      return new OnlineScores(node.asText(), null, Map.of(), false);
    }
    checkKeys(where, node, Set.of("deployment", "fallback"));
    String deployment = requiredText(where, node, "deployment");
    JsonNode fallback = node.path("fallback");
    if (fallback.isMissingNode()) {
      return new OnlineScores(deployment, null, Map.of(), false);
    }
    checkKeys(where + ": fallback", fallback, Set.of("inline_model", "baseline"));
    String inline = optionalText(where + ": fallback", fallback, "inline_model");
    JsonNode baseline = fallback.path("baseline");
    if (baseline.isTextual() && baseline.asText().equals("most_frequent")) {
      return new OnlineScores(deployment, inline, Map.of(), true);
    }
    Map<String, Double> constants = new LinkedHashMap<>();
    if (!baseline.isMissingNode()) {
      if (!baseline.isObject()) {
        throw new InvalidInputException(where + ": fallback: baseline (expected most_frequent"
            + " or a mapping of score columns to numbers)");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = baseline.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (!entry.getValue().isNumber()) {
          throw new InvalidInputException(where + ": fallback: baseline: " + entry.getKey()
              + " (expected a number, got " + entry.getValue() + ")");
        }
        constants.put(entry.getKey(), entry.getValue().asDouble());
      }
    }
    return new OnlineScores(deployment, inline, constants, false);
  }

  private static Duration duration(String where, String text) {
    Matcher matcher = DURATION.matcher(text.strip());
    if (!matcher.matches()) {
      throw new InvalidInputException(where + " '" + text + "' (expected e.g. 500ms, 30s, 5m,"
          + " 1h)");
    }
    long amount = Long.parseLong(matcher.group(1));
    String unit = matcher.group(2) == null ? "s" : matcher.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }

  private static List<String> list(String where, JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return List.of();
    }
    if (value.isTextual()) {
      return List.of(value.asText());
    }
    if (!value.isArray()) {
      throw new InvalidInputException(where + ": " + field + " (expected a column name or a"
          + " list of them)");
    }
    List<String> items = new ArrayList<>();
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw new InvalidInputException(where + ": " + field + ": " + item
            + " (expected a column name)");
      }
      items.add(item.asText());
    }
    return items;
  }

  private static String requiredText(String where, JsonNode node, String field) {
    String text = optionalText(where, node, field);
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(where + ": " + field + " is required");
    }
    return text;
  }

  private static String optionalText(String where, JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return null;
    }
    if (!value.isValueNode()) {
      throw new InvalidInputException(where + ": " + field + " (expected text, got "
          + value + ")");
    }
    return value.asText();
  }

  private static void checkKeys(String where, JsonNode node, Set<String> allowed) {
    if (!node.isObject()) {
      throw new InvalidInputException(where + ": expected a mapping");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new InvalidInputException(where + ": unknown key '" + name + "' (expected one of "
            + allowed.stream().sorted().toList() + ")");
      }
    }
  }
}
