package dev.slipway.registry.tracking.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.registry.tracking.Experiment;
import dev.slipway.registry.tracking.ExperimentTag;
import dev.slipway.registry.tracking.Metric;
import dev.slipway.registry.tracking.Page;
import dev.slipway.registry.tracking.Param;
import dev.slipway.registry.tracking.Run;
import dev.slipway.registry.tracking.RunData;
import dev.slipway.registry.tracking.RunInfo;
import dev.slipway.registry.tracking.RunTag;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Tracking records as MLflow's server writes them: proto field names in proto order, int64 as
 * JSON numbers, experiment ids as strings, enums by name, non-finite doubles as "NaN" /
 * "Infinity" / "-Infinity" strings, and, as protobuf's JSON printer does, unset optional fields
 * and empty repeated fields left out.
 */
final class TrackingJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private TrackingJson() {}

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static ObjectNode experiment(Experiment experiment) {
    ObjectNode node = object()
        .put("experiment_id", experiment.experimentId())
        .put("name", experiment.name())
        .put("artifact_location", experiment.artifactLocation())
        .put("lifecycle_stage", experiment.lifecycleStage().label())
        .put("last_update_time", experiment.lastUpdateTime())
        .put("creation_time", experiment.creationTime());
    list(node, "tags", experiment.tags(), TrackingJson::experimentTag);
    return node;
  }

  static ObjectNode run(Run run) {
    ObjectNode node = object();
    node.set("info", runInfo(run.info()));
    node.set("data", runData(run.data()));
    // MLflow 2.x always sets inputs, empty when the run logged no datasets.
    node.putObject("inputs");
    return node;
  }

  static ObjectNode runInfo(RunInfo info) {
    ObjectNode node = object()
        .put("run_id", info.runId())
        .put("run_uuid", info.runUuid());
    putIfPresent(node, "run_name", info.runName());
    node.put("experiment_id", info.experimentId());
    putIfPresent(node, "user_id", info.userId());
    node.put("status", info.status().name());
    if (info.startTime() != null) {
      node.put("start_time", info.startTime());
    }
    if (info.endTime() != null) {
      node.put("end_time", info.endTime());
    }
    return node.put("artifact_uri", info.artifactUri())
        .put("lifecycle_stage", info.lifecycleStage().label());
  }

  static ObjectNode runData(RunData data) {
    ObjectNode node = object();
    list(node, "metrics", data.metrics(), TrackingJson::metric);
    list(node, "params", data.params(), TrackingJson::param);
    list(node, "tags", data.tags(), TrackingJson::runTag);
    return node;
  }

  static <T> ObjectNode page(String itemsField, Page<T> page, BiConsumer<ArrayNode, T> item) {
    ObjectNode node = object();
    if (!page.items().isEmpty()) {
      ArrayNode items = node.putArray(itemsField);
      page.items().forEach(value -> item.accept(items, value));
    }
    putIfPresent(node, "next_page_token", page.nextPageToken());
    return node;
  }

  static void metric(ArrayNode array, Metric metric) {
    ObjectNode node = array.addObject().put("key", metric.key());
    double value = metric.value();
    if (Double.isFinite(value)) {
      node.put("value", value);
    } else {
      node.put("value", Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }
    node.put("timestamp", metric.timestamp()).put("step", metric.step());
  }

  private static void param(ArrayNode array, Param param) {
    array.addObject().put("key", param.key()).put("value", param.value());
  }

  private static void runTag(ArrayNode array, RunTag tag) {
    array.addObject().put("key", tag.key()).put("value", tag.value());
  }

  private static void experimentTag(ArrayNode array, ExperimentTag tag) {
    array.addObject().put("key", tag.key()).put("value", tag.value());
  }

  private static <T> void list(ObjectNode node, String field, List<T> values,
      BiConsumer<ArrayNode, T> item) {
    if (!values.isEmpty()) {
      ArrayNode array = node.putArray(field);
      values.forEach(value -> item.accept(array, value));
    }
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}
