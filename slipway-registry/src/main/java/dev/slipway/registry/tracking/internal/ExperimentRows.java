package dev.slipway.registry.tracking.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.tracking.Experiment;
import dev.slipway.registry.tracking.ExperimentTag;
import dev.slipway.registry.tracking.LifecycleStage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for the experiments and experiment_tags tables; callers own the transaction. */
public final class ExperimentRows {
  public static final long DEFAULT_EXPERIMENT_ID = 0;
  public static final String DEFAULT_EXPERIMENT_NAME = "Default";
  static final String COLUMNS = "s.experiment_id, s.name, s.artifact_location,"
      + " s.lifecycle_stage, s.creation_time, s.last_update_time";

  private ExperimentRows() {}

  /** An experiment's row without its tags. */
  public record Row(long id, String name, String artifactLocation, LifecycleStage stage,
      long creationTime, long lastUpdateTime) {
    public Experiment withTags(List<ExperimentTag> tags) {
      return new Experiment(String.valueOf(id), name, artifactLocation, stage, creationTime,
          lastUpdateTime, tags);
    }
  }

  /** The numeric id, or null when {@code experimentId} is not a number (so no experiment). */
  public static Long parseId(String experimentId) {
    if (experimentId == null || !experimentId.matches("\\d{1,18}")) {
      return null;
    }
    return Long.parseLong(experimentId);
  }

  public static MlflowException notFound(String experimentId) {
    return MlflowException.notFound("No Experiment with id=" + experimentId + " exists");
  }

  /** Inserts with an empty location and returns the generated id. */
  public static long insert(Handle handle, String name, String artifactLocation, long now) {
    return handle.createUpdate("INSERT INTO experiments (name, artifact_location,"
            + " lifecycle_stage, creation_time, last_update_time)"
            + " VALUES (:name, :location, :stage, :now, :now)")
        .bind("name", name).bind("location", artifactLocation)
        .bind("stage", LifecycleStage.ACTIVE.label()).bind("now", now)
        .executeAndReturnGeneratedKeys("experiment_id").mapTo(Long.class).one();
  }

  public static void insertDefault(Handle handle, String artifactLocation, long now) {
    handle.createUpdate("INSERT INTO experiments (experiment_id, name, artifact_location,"
            + " lifecycle_stage, creation_time, last_update_time)"
            + " VALUES (:id, :name, :location, :stage, :now, :now)")
        .bind("id", DEFAULT_EXPERIMENT_ID).bind("name", DEFAULT_EXPERIMENT_NAME)
        .bind("location", artifactLocation).bind("stage", LifecycleStage.ACTIVE.label())
        .bind("now", now).execute();
  }

  public static Optional<Row> find(Handle handle, long id) {
    return handle.createQuery("SELECT " + COLUMNS + " FROM experiments s"
            + " WHERE s.experiment_id = :id")
        .bind("id", id).map((row, ctx) -> row(row)).findOne();
  }

  /** The row, locked until the transaction ends: writes to one experiment are serialized. */
  public static Row lock(Handle handle, String experimentId) {
    Long id = parseId(experimentId);
    if (id == null) {
      throw notFound(experimentId);
    }
    return handle.createQuery("SELECT " + COLUMNS + " FROM experiments s"
            + " WHERE s.experiment_id = :id FOR UPDATE")
        .bind("id", id).map((row, ctx) -> row(row)).findOne()
        .orElseThrow(() -> notFound(experimentId));
  }

  public static Row require(Handle handle, String experimentId) {
    Long id = parseId(experimentId);
    return (id == null ? Optional.<Row>empty() : find(handle, id))
        .orElseThrow(() -> notFound(experimentId));
  }

  public static Optional<Row> findByName(Handle handle, String name) {
    return handle.createQuery("SELECT " + COLUMNS + " FROM experiments s WHERE s.name = :name")
        .bind("name", name).map((row, ctx) -> row(row)).findOne();
  }

  public static void setArtifactLocation(Handle handle, long id, String location) {
    handle.createUpdate("UPDATE experiments SET artifact_location = :location"
        + " WHERE experiment_id = :id").bind("location", location).bind("id", id).execute();
  }

  public static void rename(Handle handle, long id, String name, long now) {
    handle.createUpdate("UPDATE experiments SET name = :name, last_update_time = :now"
        + " WHERE experiment_id = :id").bind("name", name).bind("now", now).bind("id", id)
        .execute();
  }

  public static void setStage(Handle handle, long id, LifecycleStage stage, long now) {
    handle.createUpdate("UPDATE experiments SET lifecycle_stage = :stage,"
            + " last_update_time = :now WHERE experiment_id = :id")
        .bind("stage", stage.label()).bind("now", now).bind("id", id).execute();
  }

  /** Inserts or replaces; the caller holds the experiment's lock, so this cannot race. */
  public static void setTag(Handle handle, long id, String key, String value) {
    int updated = handle.createUpdate("UPDATE experiment_tags SET tag_value = :value"
            + " WHERE experiment_id = :id AND tag_key = :key")
        .bind("value", value).bind("id", id).bind("key", key).execute();
    if (updated == 0) {
      handle.createUpdate("INSERT INTO experiment_tags (experiment_id, tag_key, tag_value)"
              + " VALUES (:id, :key, :value)")
          .bind("id", id).bind("key", key).bind("value", value).execute();
    }
  }

  public static List<ExperimentTag> tags(Handle handle, long id) {
    return tags(handle, List.of(id)).getOrDefault(id, List.of());
  }

  /** Tags of many experiments, each list sorted by key. */
  public static Map<Long, List<ExperimentTag>> tags(Handle handle, List<Long> ids) {
    Map<Long, List<ExperimentTag>> tags = new HashMap<>();
    Sql.inChunks(ids, chunk -> Sql.bindEach(handle.createQuery(
            "SELECT experiment_id, tag_key, tag_value FROM experiment_tags WHERE experiment_id"
                + " IN (" + Sql.placeholders("id", chunk.size()) + ") ORDER BY tag_key"),
            "id", chunk)
        .map((row, ctx) -> {
          tags.computeIfAbsent(row.getLong("experiment_id"), id -> new ArrayList<>())
              .add(new ExperimentTag(row.getString("tag_key"), row.getString("tag_value")));
          return 0;
        }).list());
    return tags;
  }

  static Row row(ResultSet row) throws SQLException {
    return new Row(row.getLong("experiment_id"), row.getString("name"),
        row.getString("artifact_location"),
        LifecycleStage.fromLabel(row.getString("lifecycle_stage")),
        row.getLong("creation_time"), row.getLong("last_update_time"));
  }
}
