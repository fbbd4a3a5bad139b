package dev.slipway.registry.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.registry.internal.MlflowHttp;
import dev.slipway.registry.internal.MlflowRequest;
import dev.slipway.registry.tracking.Experiment;
import dev.slipway.registry.tracking.ExperimentSearch;
import dev.slipway.registry.tracking.ExperimentTag;
import dev.slipway.registry.tracking.Metric;
import dev.slipway.registry.tracking.Param;
import dev.slipway.registry.tracking.Run;
import dev.slipway.registry.tracking.RunSearch;
import dev.slipway.registry.tracking.RunStatus;
import dev.slipway.registry.tracking.RunTag;
import dev.slipway.registry.tracking.TrackingStore;
import dev.slipway.registry.tracking.ViewType;
import java.util.ArrayList;
import java.util.List;

/**
 * MLflow's tracking REST API (2.0, under {@code /api/2.0/mlflow}) over a {@link TrackingStore},
 * with MLflow's paths, HTTP methods, request fields and response shapes, so that MLflow's own
 * clients work unchanged.
 */
public final class TrackingApi {
  private final TrackingStore store;

  private TrackingApi(TrackingStore store) {
    this.store = store;
  }

  /** Registers every tracking endpoint on {@code server}. */
  public static void registerOn(ServerBuilder server, TrackingStore store) {
    TrackingApi api = new TrackingApi(store);
    api.registerExperiments(server);
    api.registerRuns(server);
  }

  private void registerExperiments(ServerBuilder server) {
    MlflowHttp.route(server, HttpMethod.POST, "/experiments/create", this::createExperiment);
    MlflowHttp.route(server, HttpMethod.POST, "/experiments/search", this::searchExperiments);
    MlflowHttp.route(server, HttpMethod.GET, "/experiments/search", this::searchExperiments);
    MlflowHttp.route(server, HttpMethod.GET, "/experiments/get", request -> experimentResponse(
        store.getExperiment(request.requiredString("experiment_id"))));
    MlflowHttp.route(server, HttpMethod.GET, "/experiments/get-by-name", request ->
        experimentResponse(store.getExperimentByName(request.requiredString(
            "experiment_name"))));
    MlflowHttp.route(server, HttpMethod.POST, "/experiments/delete", request -> {
      store.deleteExperiment(request.requiredString("experiment_id"));
      return TrackingJson.object();
    });
    MlflowHttp.route(server, HttpMethod.POST, "/experiments/restore", request -> {
      store.restoreExperiment(request.requiredString("experiment_id"));
      return TrackingJson.object();
    });
    MlflowHttp.route(server, HttpMethod.POST, "/experiments/update", request -> {
      store.renameExperiment(request.requiredString("experiment_id"),
          request.requiredString("new_name"));
      return TrackingJson.object();
    });
    MlflowHttp.route(server, HttpMethod.POST, "/experiments/set-experiment-tag", request -> {
      store.setExperimentTag(request.requiredString("experiment_id"),
          request.requiredString("key"), requiredValue(request));
      return TrackingJson.object();
    });
  }

  private void registerRuns(ServerBuilder server) {
    MlflowHttp.route(server, HttpMethod.POST, "/runs/create", this::createRun);
    MlflowHttp.route(server, HttpMethod.POST, "/runs/update", this::updateRun);
    MlflowHttp.route(server, HttpMethod.POST, "/runs/delete", request -> {
      store.deleteRun(request.requiredString("run_id"));
      return TrackingJson.object();
    });
    MlflowHttp.route(server, HttpMethod.POST, "/runs/restore", request -> {
      store.restoreRun(request.requiredString("run_id"));
      return TrackingJson.object();
    });
    MlflowHttp.route(server, HttpMethod.GET, "/runs/get", request -> runResponse(
        store.getRun(runId(request))));
    MlflowHttp.route(server, HttpMethod.POST, "/runs/search", this::searchRuns);
    MlflowHttp.route(server, HttpMethod.POST, "/runs/log-metric", request -> {
      store.logMetric(runId(request), metric(request));
      return TrackingJson.object();
    });
    MlflowHttp.route(server, HttpMethod.POST, "/runs/log-parameter", request -> {
      store.logParam(runId(request), new Param(request.requiredString("key"),
          requiredValue(request)));
      return TrackingJson.object();
    });
    MlflowHttp.route(server, HttpMethod.POST, "/runs/log-batch", this::logBatch);
    MlflowHttp.route(server, HttpMethod.POST, "/runs/set-tag", request -> {
      store.setTag(runId(request), new RunTag(request.requiredString("key"),
          requiredValue(request)));
      return TrackingJson.object();
    });
    MlflowHttp.route(server, HttpMethod.POST, "/runs/delete-tag", request -> {
      store.deleteTag(request.requiredString("run_id"), request.requiredString("key"));
      return TrackingJson.object();
    });
    MlflowHttp.route(server, HttpMethod.GET, "/metrics/get-history", this::metricHistory);
  }

  private JsonNode createExperiment(MlflowRequest request) {
    List<ExperimentTag> tags = new ArrayList<>();
    for (MlflowRequest tag : nested(request, "tags")) {
      tags.add(new ExperimentTag(tag.requiredString("key"), requiredValue(tag)));
    }
    String id = store.createExperiment(request.requiredString("name"),
        request.string("artifact_location"), tags);
    return TrackingJson.object().put("experiment_id", id);
  }

  private JsonNode searchExperiments(MlflowRequest request) {
    ExperimentSearch search = new ExperimentSearch(request.string("filter"),
        viewType(request, "view_type"), maxResults(request), request.strings("order_by"),
        request.string("page_token"));
    return TrackingJson.page("experiments", store.searchExperiments(search),
        (array, experiment) -> array.add(TrackingJson.experiment(experiment)));
  }

  private JsonNode createRun(MlflowRequest request) {
    List<RunTag> tags = new ArrayList<>();
    for (MlflowRequest tag : nested(request, "tags")) {
      tags.add(new RunTag(tag.requiredString("key"), requiredValue(tag)));
    }
    Run run = store.createRun(request.string("experiment_id"), request.string("user_id"),
        request.string("run_name"), request.optionalLong("start_time"), tags);
    return runResponse(run);
  }

  private JsonNode updateRun(MlflowRequest request) {
    String status = request.string("status");
    ObjectNode response = TrackingJson.object();
    response.set("run_info", TrackingJson.runInfo(store.updateRun(runId(request),
        status == null || status.isEmpty() ? null : RunStatus.parse(status),
        request.optionalLong("end_time"), request.string("run_name"))));
    return response;
  }

  private JsonNode searchRuns(MlflowRequest request) {
    RunSearch search = new RunSearch(request.strings("experiment_ids"),
        request.string("filter"), viewType(request, "run_view_type"), maxResults(request),
        request.strings("order_by"), request.string("page_token"));
    return TrackingJson.page("runs", store.searchRuns(search),
        (array, run) -> array.add(TrackingJson.run(run)));
  }

  private JsonNode logBatch(MlflowRequest request) {
    List<Metric> metrics = new ArrayList<>();
    for (MlflowRequest metric : nested(request, "metrics")) {
      metrics.add(metric(metric));
    }
    List<Param> params = new ArrayList<>();
    for (MlflowRequest param : nested(request, "params")) {
      params.add(new Param(param.requiredString("key"), requiredValue(param)));
    }
    List<RunTag> tags = new ArrayList<>();
    for (MlflowRequest tag : nested(request, "tags")) {
      tags.add(new RunTag(tag.requiredString("key"), requiredValue(tag)));
    }
    store.logBatch(request.requiredString("run_id"), metrics, params, tags);
    return TrackingJson.object();
  }

  private JsonNode metricHistory(MlflowRequest request) {
    return TrackingJson.page("metrics", store.getMetricHistory(runId(request),
            request.requiredString("metric_key"), maxResults(request),
            request.string("page_token")),
        TrackingJson::metric);
  }

  private static JsonNode experimentResponse(Experiment experiment) {
    ObjectNode response = TrackingJson.object();
    response.set("experiment", TrackingJson.experiment(experiment));
    return response;
  }

  private static JsonNode runResponse(Run run) {
    ObjectNode response = TrackingJson.object();
    response.set("run", TrackingJson.run(run));
    return response;
  }

  private static Metric metric(MlflowRequest request) {
    Long step = request.optionalLong("step");
    return new Metric(request.requiredString("key"), request.requiredDouble("value"),
        request.requiredLong("timestamp"), step == null ? 0 : step);
  }

  /** MLflow clients send both run_id and its deprecated alias run_uuid; either will do. */
  private static String runId(MlflowRequest request) {
    String runId = request.string("run_id");
    if (runId == null || runId.isEmpty()) {
      runId = request.string("run_uuid");
    }
    if (runId == null || runId.isEmpty()) {
      throw MlflowRequest.missing("run_id");
    }
    return runId;
  }

  /** Values may be empty strings, unlike keys, but must be present. */
  private static String requiredValue(MlflowRequest request) {
    String value = request.string("value");
    if (value == null) {
      throw MlflowRequest.missing("value");
    }
    return value;
  }

  private static ViewType viewType(MlflowRequest request, String field) {
    String text = request.string(field);
    return text == null || text.isEmpty() ? null : ViewType.parse(text);
  }

  /** Out-of-range numbers are clamped so that the store's range check names them. */
  private static Integer maxResults(MlflowRequest request) {
    Long requested = request.optionalLong("max_results");
    if (requested == null) {
      return null;
    }
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, requested));
  }

  /** A repeated message field, each element read with the same leniency as the request. */
  private static List<MlflowRequest> nested(MlflowRequest request, String field) {
    List<MlflowRequest> elements = new ArrayList<>();
    for (JsonNode element : request.objects(field)) {
      elements.add(MlflowRequest.of((ObjectNode) element));
    }
    return elements;
  }
}
