package dev.slipway.registry.tracking;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.Database;
import dev.slipway.registry.tracking.internal.ExperimentRows;
import dev.slipway.registry.tracking.internal.PageToken;
import dev.slipway.registry.tracking.internal.RunDataRows;
import dev.slipway.registry.tracking.internal.RunLogging;
import dev.slipway.registry.tracking.internal.RunNames;
import dev.slipway.registry.tracking.internal.RunRows;
import dev.slipway.registry.tracking.internal.Searches;
import dev.slipway.registry.tracking.internal.Sql;
import dev.slipway.registry.tracking.internal.Validation;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * MLflow's experiment tracking on Slipway's database: experiments, runs, and the metrics, params
 * and tags runs log, with MLflow's semantics and error codes ({@link MlflowException}). Each
 * operation is one transaction, so a failed call leaves nothing half-written. Deletion is soft
 * (lifecycle_stage), as in MLflow. Thread-safe.
 */
public final class TrackingStore {
  private final Jdbi jdbi;
  private final String artifactRootUri;
  private final Clock clock;

  /**
   * Opens the store and creates MLflow's experiment "0" ("Default") when it is missing.
   *
   * @param artifactRootUri where experiments' artifacts go unless they name a location, e.g.
   *     {@code mlflow-artifacts:/}: experiment N gets {@code <root>/N}, and each run
   *     {@code <experiment location>/<run id>/artifacts}
   */
  public TrackingStore(Database database, String artifactRootUri, Clock clock) {
    this.jdbi = Objects.requireNonNull(database, "database").jdbi();
    this.artifactRootUri = Objects.requireNonNull(artifactRootUri, "artifactRootUri");
    this.clock = Objects.requireNonNull(clock, "clock");
    ensureDefaultExperiment();
  }

  // ---- Experiments ----

  /** Creates an experiment and returns its id. */
  public String createExperiment(String name) {
    return createExperiment(name, null, List.of());
  }

  /**
   * Creates an experiment and returns its id.
   *
   * @param artifactLocation null or empty for {@code <artifact root>/<id>}
   * @throws MlflowException RESOURCE_ALREADY_EXISTS when the name is taken, deleted experiments
   *     included
   */
  public String createExperiment(String name, String artifactLocation, List<ExperimentTag> tags) {
    Validation.experimentName(name);
    String location = artifactLocation == null || artifactLocation.isEmpty() ? null
        : artifactLocation;
    Validation.artifactLocation(location);
    tags.forEach(tag -> Validation.experimentTag(tag.key(), tag.value()));
    return transaction(handle -> {
      long id;
      try {
        id = ExperimentRows.insert(handle, name, location == null ? "" : location, now());
      } catch (JdbiException e) {
        throw Sql.isUniqueViolation(e) ? nameTaken(name) : e;
      }
      if (location == null) {
        ExperimentRows.setArtifactLocation(handle, id, experimentLocation(id));
      }
      for (ExperimentTag tag : tags) {
        ExperimentRows.setTag(handle, id, tag.key(), tag.value());
      }
      return String.valueOf(id);
    });
  }

  /** The experiment, deleted or not; RESOURCE_DOES_NOT_EXIST when there is none. */
  public Experiment getExperiment(String experimentId) {
    return transaction(handle -> {
      ExperimentRows.Row row = ExperimentRows.require(handle, experimentId);
      return row.withTags(ExperimentRows.tags(handle, row.id()));
    });
  }

  /** The experiment of that name, deleted or not; RESOURCE_DOES_NOT_EXIST when there is none. */
  public Experiment getExperimentByName(String name) {
    return transaction(handle -> {
      ExperimentRows.Row row = ExperimentRows.findByName(handle, name).orElseThrow(() ->
          MlflowException.notFound("Could not find experiment with name '" + name + "'"));
      return row.withTags(ExperimentRows.tags(handle, row.id()));
    });
  }

  /** Filters on {@code name}, {@code creation_time}, {@code last_update_time} and tags. */
  public Page<Experiment> searchExperiments(ExperimentSearch search) {
    Searches.Prepared prepared = Searches.prepare(search);
    return transaction(handle -> Searches.experiments(handle, prepared));
  }

  /** Renames an active experiment; RESOURCE_ALREADY_EXISTS when the name is taken. */
  public void renameExperiment(String experimentId, String newName) {
    Validation.experimentName(newName);
    transaction(handle -> {
      ExperimentRows.Row row = ExperimentRows.lock(handle, experimentId);
      if (row.stage() != LifecycleStage.ACTIVE) {
        throw new MlflowException(MlflowException.ErrorCode.INVALID_STATE,
            "Cannot rename a non-active experiment.");
      }
      try {
        ExperimentRows.rename(handle, row.id(), newName, now());
      } catch (JdbiException e) {
        throw Sql.isUniqueViolation(e) ? nameTaken(newName) : e;
      }
      return null;
    });
  }

  /** Moves an active experiment and its active runs to the trash. */
  public void deleteExperiment(String experimentId) {
    transaction(handle -> {
      ExperimentRows.Row row = ExperimentRows.lock(handle, experimentId);
      if (row.stage() != LifecycleStage.ACTIVE) {
        throw MlflowException.notFound("No Experiment with id=" + experimentId
            + " exists (it is already deleted)");
      }
      long now = now();
      ExperimentRows.setStage(handle, row.id(), LifecycleStage.DELETED, now);
      RunRows.deleteAllIn(handle, row.id(), now);
      return null;
    });
  }

  /** Brings a deleted experiment back, with the runs its deletion trashed. */
  public void restoreExperiment(String experimentId) {
    transaction(handle -> {
      ExperimentRows.Row row = ExperimentRows.lock(handle, experimentId);
      if (row.stage() != LifecycleStage.DELETED) {
        throw MlflowException.notFound("No deleted Experiment with id=" + experimentId
            + " exists (it is active)");
      }
      // A deleted experiment cannot change, so its last update is the moment it was deleted.
      RunRows.restoreDeletedAt(handle, row.id(), row.lastUpdateTime());
      ExperimentRows.setStage(handle, row.id(), LifecycleStage.ACTIVE, now());
      return null;
    });
  }

  /** Sets or replaces a tag of an active experiment. */
  public void setExperimentTag(String experimentId, String key, String value) {
    Validation.experimentTag(key, value);
    transaction(handle -> {
      ExperimentRows.Row row = lockActiveExperiment(handle, experimentId);
      ExperimentRows.setTag(handle, row.id(), key, value);
      return null;
    });
  }

  // ---- Runs ----

  /**
   * Starts a run (status RUNNING) in an active experiment.
   *
   * @param experimentId null or empty for the default experiment "0"
   * @param userId may be null
   * @param runName null or empty: taken from the {@code mlflow.runName} tag, else generated
   * @param startTime epoch milliseconds; null for now
   */
  public Run createRun(String experimentId, String userId, String runName, Long startTime,
      List<RunTag> tags) {
    String experiment = experimentId == null || experimentId.isEmpty()
        ? String.valueOf(ExperimentRows.DEFAULT_EXPERIMENT_ID) : experimentId;
    Validation.length("User id", Validation.MAX_USER_ID_LENGTH, userId);
    Map<String, RunTag> tagsByKey = new LinkedHashMap<>();
    for (RunTag tag : tags) {
      Validation.runTag(tag);
      tagsByKey.put(tag.key(), tag);
    }
    String name = runName(runName, tagsByKey.get(RunLogging.RUN_NAME_TAG));
    Validation.length("Run name", Validation.MAX_RUN_NAME_LENGTH, name);
    tagsByKey.put(RunLogging.RUN_NAME_TAG, new RunTag(RunLogging.RUN_NAME_TAG, name));
    return transaction(handle -> {
      ExperimentRows.Row row = lockActiveExperiment(handle, experiment);
      String runId = UUID.randomUUID().toString().replace("-", "");
      RunInfo info = new RunInfo(runId, String.valueOf(row.id()), name, userId,
          RunStatus.RUNNING, startTime == null ? now() : startTime, null,
          runArtifactUri(row.artifactLocation(), runId), LifecycleStage.ACTIVE);
      RunRows.insert(handle, info);
      List<RunTag> sortedTags = new ArrayList<>(tagsByKey.values());
      sortedTags.sort(Comparator.comparing(RunTag::key));
      for (RunTag tag : sortedTags) {
        RunDataRows.setTag(handle, runId, tag);
      }
      return new Run(info, new RunData(List.of(), List.of(), sortedTags));
    });
  }

  /** The run with its latest metrics, params and tags, deleted or not. */
  public Run getRun(String runId) {
    return transaction(handle -> {
      RunInfo info = RunRows.require(handle, runId);
      return new Run(info, RunDataRows.load(handle, List.of(runId)).get(runId));
    });
  }

  /**
   * Updates an active run; each null argument leaves its field unchanged.
   *
   * @param runName also replaces the {@code mlflow.runName} tag, as MLflow does
   */
  public RunInfo updateRun(String runId, RunStatus status, Long endTime, String runName) {
    String name = runName == null || runName.isEmpty() ? null : runName;
    Validation.length("Run name", Validation.MAX_RUN_NAME_LENGTH, name);
    return transaction(handle -> {
      RunInfo old = RunRows.lockActive(handle, runId);
      RunInfo updated = new RunInfo(old.runId(), old.experimentId(),
          name == null ? old.runName() : name, old.userId(),
          status == null ? old.status() : status, old.startTime(),
          endTime == null ? old.endTime() : endTime, old.artifactUri(), old.lifecycleStage());
      RunRows.update(handle, updated);
      if (name != null) {
        RunDataRows.setTag(handle, runId, new RunTag(RunLogging.RUN_NAME_TAG, name));
      }
      return updated;
    });
  }

  /** Moves a run to the trash; deleting a deleted run changes nothing. */
  public void deleteRun(String runId) {
    transaction(handle -> {
      RunInfo info = RunRows.lock(handle, runId);
      if (info.lifecycleStage() == LifecycleStage.ACTIVE) {
        RunRows.setStage(handle, runId, LifecycleStage.DELETED, now());
      }
      return null;
    });
  }

  /** Brings a deleted run back; refused while its experiment is deleted. */
  public void restoreRun(String runId) {
    transaction(handle -> {
      String experimentId = RunRows.require(handle, runId).experimentId();
      // Experiment first, then run: the same lock order as deleteExperiment, so no deadlock.
      lockActiveExperiment(handle, experimentId);
      RunRows.lock(handle, runId);
      RunRows.setStage(handle, runId, LifecycleStage.ACTIVE, null);
      return null;
    });
  }

  /** MLflow's search: filter, order_by, view type and paging, over some experiments. */
  public Page<Run> searchRuns(RunSearch search) {
    Searches.Prepared prepared = Searches.prepare(search);
    return transaction(handle -> Searches.runs(handle, prepared));
  }

  // ---- Logging ----

  public void logMetric(String runId, Metric metric) {
    logBatch(runId, List.of(metric), List.of(), List.of());
  }

  /** Logs a param; INVALID_PARAMETER_VALUE if the key was logged before with another value. */
  public void logParam(String runId, Param param) {
    logBatch(runId, List.of(), List.of(param), List.of());
  }

  /**
   * Logs everything or nothing: at most 1000 metrics, 100 params and 100 tags, 1000 in all.
   * Params given twice with the same value are logged once; with different values, refused.
   */
  public void logBatch(String runId, List<Metric> metrics, List<Param> params,
      List<RunTag> tags) {
    Validation.batchLimits(metrics, params, tags);
    metrics.forEach(Validation::metric);
    params.forEach(Validation::param);
    tags.forEach(Validation::runTag);
    tags.forEach(RunLogging::validateRunNameTag);
    transaction(handle -> {
      RunRows.lockActive(handle, runId);
      RunLogging.log(handle, runId, metrics, params, tags);
      return null;
    });
  }

  /** Sets or replaces a run tag; {@code mlflow.runName} also renames the run. */
  public void setTag(String runId, RunTag tag) {
    logBatch(runId, List.of(), List.of(), List.of(tag));
  }

  /** RESOURCE_DOES_NOT_EXIST when the run has no such tag. */
  public void deleteTag(String runId, String key) {
    transaction(handle -> {
      RunRows.lockActive(handle, runId);
      if (!RunDataRows.deleteTag(handle, runId, key)) {
        throw MlflowException.notFound("No tag with name: " + key + " in run with id "
            + runId);
      }
      return null;
    });
  }

  /**
   * Every logged value of a metric, oldest first, a page at a time.
   *
   * @param maxResults null for all remaining values
   */
  public Page<Metric> getMetricHistory(String runId, String key, Integer maxResults,
      String pageToken) {
    if (maxResults != null && maxResults < 1) {
      throw MlflowException.invalid("Invalid value for request parameter max_results. It must be"
          + " a positive integer, but got value " + maxResults);
    }
    long offset = PageToken.decode(pageToken);
    int limit = maxResults == null ? Integer.MAX_VALUE - 1 : maxResults;
    return transaction(handle -> {
      RunRows.require(handle, runId);
      List<Metric> values = RunDataRows.history(handle, runId, key, offset, limit + 1);
      if (values.size() > limit) {
        return new Page<>(values.subList(0, limit), PageToken.encode(offset + limit));
      }
      return new Page<>(values, null);
    });
  }

  // ---- Helpers ----

  private <T> T transaction(HandleCallback<T, RuntimeException> work) {
    return jdbi.inTransaction(work);
  }

  private long now() {
    return clock.millis();
  }

  private void ensureDefaultExperiment() {
    try {
      transaction(handle -> {
        if (ExperimentRows.find(handle, ExperimentRows.DEFAULT_EXPERIMENT_ID).isEmpty()) {
          ExperimentRows.insertDefault(handle,
              experimentLocation(ExperimentRows.DEFAULT_EXPERIMENT_ID), now());
        }
        return null;
      });
    } catch (JdbiException e) {
      // Another store on the same database inserted it between our check and our insert.
      boolean createdConcurrently = Sql.isUniqueViolation(e) && transaction(handle ->
          ExperimentRows.find(handle, ExperimentRows.DEFAULT_EXPERIMENT_ID).isPresent());
      if (!createdConcurrently) {
        throw e;
      }
    }
  }

  private static ExperimentRows.Row lockActiveExperiment(Handle handle, String experimentId) {
    ExperimentRows.Row row = ExperimentRows.lock(handle, experimentId);
    if (row.stage() != LifecycleStage.ACTIVE) {
      throw MlflowException.invalid("The experiment " + experimentId + " must be in the"
          + " 'active' state. Current state is " + row.stage().label() + ".");
    }
    return row;
  }

  private static MlflowException nameTaken(String name) {
    return MlflowException.alreadyExists("Experiment(name=" + name + ") already exists.");
  }

  private static String runName(String requested, RunTag nameTag) {
    String fromTag = nameTag == null || nameTag.value().isEmpty() ? null : nameTag.value();
    if (requested != null && !requested.isEmpty()) {
      if (fromTag != null && !fromTag.equals(requested)) {
        throw MlflowException.invalid("Both 'run_name' argument and 'mlflow.runName' tag are"
            + " specified, but with different values (run_name='" + requested
            + "', mlflow.runName='" + fromTag + "').");
      }
      return requested;
    }
    return fromTag != null ? fromTag : RunNames.random();
  }

  private String experimentLocation(long experimentId) {
    return (artifactRootUri.endsWith("/") ? artifactRootUri : artifactRootUri + "/")
        + experimentId;
  }

  private static String runArtifactUri(String experimentLocation, String runId) {
    String base = experimentLocation.replaceAll("/+$", "");
    return base + "/" + runId + "/artifacts";
  }
}
