package dev.slipway.batch.pipeline;

import dev.slipway.batch.pipeline.PipelineRun.Status;
import dev.slipway.batch.pipeline.PipelineRun.Trigger;
import dev.slipway.registry.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Persistent run history and per-pipeline state (watermark, the run holding the pipeline), in
 * the metadata database: embedded H2 or PostgreSQL.
 */
public final class RunHistory implements AutoCloseable {
  /** The batch module's tables, beside the registry's in the same database. */
  public static final Database.Schema SCHEMA =
      new Database.Schema("batch", "classpath:db/batch", "slipway_batch_schema_history");
  private static final int ERROR_LENGTH = 4000;

  private final Database database;
  private final Clock clock;

  private RunHistory(Database database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  public static RunHistory open(String jdbcUrl, Clock clock) {
    return new RunHistory(Database.open(jdbcUrl, SCHEMA), clock);
  }

  /**
   * Records a new run and makes it the pipeline's holder, in one transaction.
   *
   * @throws PipelineBusyException when another run holds the pipeline
   */
  public PipelineRun start(String pipeline, Trigger trigger, Instant windowStart,
      Instant windowEnd) {
    long now = clock.millis();
    return database.jdbi().inTransaction(handle -> {
      ensureState(handle, pipeline);
      Long holder = handle.createQuery("SELECT running_run_id FROM pipeline_state"
              + " WHERE pipeline = :pipeline FOR UPDATE")
          .bind("pipeline", pipeline).mapTo(Long.class).one();
      if (holder != null) {
        throw new PipelineBusyException(pipeline, holder);
      }
      long id = handle.createUpdate("INSERT INTO pipeline_runs (pipeline, trigger_kind, status,"
              + " window_start, window_end, started_at, attempts)"
              + " VALUES (:pipeline, :trigger, 'RUNNING', :start, :end, :now, 0)")
          .bind("pipeline", pipeline).bind("trigger", trigger.name())
          .bind("start", windowStart == null ? null : windowStart.toEpochMilli())
          .bind("end", windowEnd.toEpochMilli()).bind("now", now)
          .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
      int claimed = handle.createUpdate("UPDATE pipeline_state SET running_run_id = :id"
              + " WHERE pipeline = :pipeline AND running_run_id IS NULL")
          .bind("id", id).bind("pipeline", pipeline).execute();
      if (claimed != 1) {
        throw new PipelineBusyException(pipeline, -1);
      }
      return get(handle, id);
    });
  }

  /** Counts one more attempt of a running run. */
  public void attempt(long runId, String modelName, Long modelVersion) {
    database.jdbi().useHandle(handle -> handle.createUpdate("UPDATE pipeline_runs"
            + " SET attempts = attempts + 1, model_name = COALESCE(:name, model_name),"
            + " model_version = COALESCE(:version, model_version) WHERE id = :id")
        .bind("id", runId).bind("name", modelName).bind("version", modelVersion).execute());
  }

  /**
   * Ends a run successfully, moves the pipeline's watermark to the run's window end (never
   * backwards: re-running an old window leaves it) and releases the pipeline.
   */
  public PipelineRun succeed(long runId, long rowsScored, long rowsQuarantined) {
    return finish(runId, Status.SUCCEEDED, rowsScored, rowsQuarantined, null);
  }

  /** Ends a run as failed with {@code error} and releases the pipeline. */
  public PipelineRun fail(long runId, String error) {
    return finish(runId, Status.FAILED, null, null, error);
  }

  private PipelineRun finish(long runId, Status status, Long rowsScored, Long rowsQuarantined,
      String error) {
    long now = clock.millis();
    return database.jdbi().inTransaction(handle -> {
      PipelineRun run = get(handle, runId);
      handle.createUpdate("UPDATE pipeline_runs SET status = :status, ended_at = :now,"
              + " rows_scored = :scored, rows_quarantined = :quarantined, error = :error"
              + " WHERE id = :id")
          .bind("status", status.name()).bind("now", now).bind("scored", rowsScored)
          .bind("quarantined", rowsQuarantined)
          .bind("error", error == null || error.length() <= ERROR_LENGTH ? error
              : error.substring(0, ERROR_LENGTH))
          .bind("id", runId).execute();
      if (status == Status.SUCCEEDED) {
        handle.createUpdate("UPDATE pipeline_state SET watermark = :end WHERE pipeline = :p"
                + " AND (watermark IS NULL OR watermark < :end)")
            .bind("end", run.windowEnd().toEpochMilli()).bind("p", run.pipeline()).execute();
      }
      handle.createUpdate("UPDATE pipeline_state SET running_run_id = NULL"
              + " WHERE pipeline = :p AND running_run_id = :id")
          .bind("p", run.pipeline()).bind("id", runId).execute();
      return get(handle, runId);
    });
  }

  /** The end of the last successful window, if any run succeeded. */
  public Optional<Instant> watermark(String pipeline) {
    return database.jdbi().withHandle(handle -> handle.createQuery(
            "SELECT watermark FROM pipeline_state WHERE pipeline = :p")
        .bind("p", pipeline).mapTo(Long.class).findOne().map(Instant::ofEpochMilli));
  }

  /** The newest runs of a pipeline first, at most {@code limit}. */
  public List<PipelineRun> runs(String pipeline, int limit) {
    return database.jdbi().withHandle(handle -> handle.createQuery(
            "SELECT * FROM pipeline_runs WHERE pipeline = :p ORDER BY id DESC LIMIT :limit")
        .bind("p", pipeline).bind("limit", limit).map(RunHistory::row).list());
  }

  public Optional<PipelineRun> run(long id) {
    return database.jdbi().withHandle(handle -> handle.createQuery(
            "SELECT * FROM pipeline_runs WHERE id = :id")
        .bind("id", id).map(RunHistory::row).findOne());
  }

  /**
   * Marks runs still RUNNING as failed and releases their pipelines: called at start-up, when no
   * run of this process can be alive, so that a crash does not hold a pipeline forever. Only
   * safe when one scheduler process uses the database.
   */
  public int abandonInterruptedRuns() {
    long now = clock.millis();
    return database.jdbi().inTransaction(handle -> {
      int runs = handle.createUpdate("UPDATE pipeline_runs SET status = 'FAILED', ended_at = :now,"
              + " error = 'interrupted: the process running it stopped' WHERE status = 'RUNNING'")
          .bind("now", now).execute();
      handle.createUpdate("UPDATE pipeline_state SET running_run_id = NULL").execute();
      return runs;
    });
  }

  @Override
  public void close() {
    database.close();
  }

  private static void ensureState(Handle handle, String pipeline) {
    boolean exists = handle.createQuery("SELECT count(*) FROM pipeline_state WHERE pipeline = :p")
        .bind("p", pipeline).mapTo(Integer.class).one() > 0;
    if (!exists) {
      handle.createUpdate("INSERT INTO pipeline_state (pipeline) VALUES (:p)")
          .bind("p", pipeline).execute();
    }
  }

  private static PipelineRun get(Handle handle, long id) {
    return handle.createQuery("SELECT * FROM pipeline_runs WHERE id = :id").bind("id", id)
        .map(RunHistory::row).one();
  }

  private static PipelineRun row(ResultSet rs, StatementContext ctx) throws SQLException {
    return new PipelineRun(rs.getLong("id"), rs.getString("pipeline"),
        Trigger.valueOf(rs.getString("trigger_kind")), Status.valueOf(rs.getString("status")),
        instant(rs, "window_start"), instant(rs, "window_end"), instant(rs, "started_at"),
        instant(rs, "ended_at"), nullableLong(rs, "rows_scored"),
        nullableLong(rs, "rows_quarantined"), rs.getString("model_name"),
        nullableLong(rs, "model_version"), rs.getInt("attempts"), rs.getString("error"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Long millis = nullableLong(rs, column);
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }
}
