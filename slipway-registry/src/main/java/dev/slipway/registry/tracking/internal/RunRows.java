package dev.slipway.registry.tracking.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.tracking.LifecycleStage;
import dev.slipway.registry.tracking.RunInfo;
import dev.slipway.registry.tracking.RunStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for the runs table; callers own the transaction. */
public final class RunRows {
  static final String COLUMNS = "s.run_uuid, s.run_name, s.experiment_id, s.user_id, s.status,"
      + " s.start_time, s.end_time, s.lifecycle_stage, s.artifact_uri";

  private RunRows() {}

  public static MlflowException notFound(String runId) {
    return MlflowException.notFound("Run with id=" + runId + " not found");
  }

  public static void insert(Handle handle, RunInfo info) {
    handle.createUpdate("INSERT INTO runs (run_uuid, run_name, experiment_id, user_id, status,"
            + " start_time, end_time, lifecycle_stage, artifact_uri)"
            + " VALUES (:id, :name, :experiment, :user, :status, :start, :end, :stage,"
            + " :artifacts)")
        .bind("id", info.runId()).bind("name", info.runName())
        .bind("experiment", Long.parseLong(info.experimentId())).bind("user", info.userId())
        .bind("status", info.status().name()).bind("start", info.startTime())
        .bind("end", info.endTime()).bind("stage", info.lifecycleStage().label())
        .bind("artifacts", info.artifactUri()).execute();
  }

  public static Optional<RunInfo> find(Handle handle, String runId) {
    return handle.createQuery("SELECT " + COLUMNS + " FROM runs s WHERE s.run_uuid = :id")
        .bind("id", runId).map((row, ctx) -> info(row)).findOne();
  }

  public static RunInfo require(Handle handle, String runId) {
    return find(handle, runId).orElseThrow(() -> notFound(runId));
  }

  /**
   * The run, locked until the transaction ends. Every write to a run and its params, tags and
   * metrics takes this lock first, which serializes them: param immutability and latest_metrics
   * stay consistent under concurrent clients.
   */
  public static RunInfo lock(Handle handle, String runId) {
    return handle.createQuery("SELECT " + COLUMNS + " FROM runs s WHERE s.run_uuid = :id"
            + " FOR UPDATE")
        .bind("id", runId).map((row, ctx) -> info(row)).findOne()
        .orElseThrow(() -> notFound(runId));
  }

  /** Locks the run and refuses when it is deleted, as MLflow's _check_run_is_active. */
  public static RunInfo lockActive(Handle handle, String runId) {
    RunInfo info = lock(handle, runId);
    if (info.lifecycleStage() != LifecycleStage.ACTIVE) {
      throw MlflowException.invalid("The run " + runId + " must be in the 'active' state."
          + " Current state is " + info.lifecycleStage().label() + ".");
    }
    return info;
  }

  public static void update(Handle handle, RunInfo info) {
    handle.createUpdate("UPDATE runs SET run_name = :name, status = :status, end_time = :end"
            + " WHERE run_uuid = :id")
        .bind("name", info.runName()).bind("status", info.status().name())
        .bind("end", info.endTime()).bind("id", info.runId()).execute();
  }

  public static void setRunName(Handle handle, String runId, String runName) {
    handle.createUpdate("UPDATE runs SET run_name = :name WHERE run_uuid = :id")
        .bind("name", runName).bind("id", runId).execute();
  }

  /** Moves a run to the trash, or back out of it ({@code deletedTime} null). */
  public static void setStage(Handle handle, String runId, LifecycleStage stage,
      Long deletedTime) {
    handle.createUpdate("UPDATE runs SET lifecycle_stage = :stage, deleted_time = :deleted"
            + " WHERE run_uuid = :id")
        .bind("stage", stage.label()).bind("deleted", deletedTime).bind("id", runId).execute();
  }

  /** Trashes an experiment's active runs, stamping them with the experiment's deletion time. */
  public static void deleteAllIn(Handle handle, long experimentId, long deletedTime) {
    handle.createUpdate("UPDATE runs SET lifecycle_stage = :deleted, deleted_time = :time"
            + " WHERE experiment_id = :experiment AND lifecycle_stage = :active")
        .bind("deleted", LifecycleStage.DELETED.label()).bind("time", deletedTime)
        .bind("experiment", experimentId).bind("active", LifecycleStage.ACTIVE.label())
        .execute();
  }

  /**
   * Restores the runs that {@link #deleteAllIn} trashed at {@code deletedTime}; runs deleted on
   * their own before the experiment stay deleted.
   */
  public static void restoreDeletedAt(Handle handle, long experimentId, long deletedTime) {
    handle.createUpdate("UPDATE runs SET lifecycle_stage = :active, deleted_time = NULL"
            + " WHERE experiment_id = :experiment AND lifecycle_stage = :deleted"
            + " AND deleted_time = :time")
        .bind("active", LifecycleStage.ACTIVE.label())
        .bind("deleted", LifecycleStage.DELETED.label()).bind("time", deletedTime)
        .bind("experiment", experimentId).execute();
  }

  static RunInfo info(ResultSet row) throws SQLException {
    return new RunInfo(row.getString("run_uuid"), String.valueOf(row.getLong("experiment_id")),
        row.getString("run_name"), row.getString("user_id"),
        RunStatus.valueOf(row.getString("status")), Sql.nullableLong(row, "start_time"),
        Sql.nullableLong(row, "end_time"), row.getString("artifact_uri"),
        LifecycleStage.fromLabel(row.getString("lifecycle_stage")));
  }
}
