package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.ModelStage;
import dev.slipway.registry.models.ModelVersion;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;

/**
 * SQL for model versions. Deleted versions stay as rows in MLflow's {@code Deleted_Internal}
 * stage, so their numbers are never handed out again, and are invisible to every read.
 */
public final class VersionRows {
  /** MLflow's marker stage for deleted versions. */
  public static final String DELETED_STAGE = "Deleted_Internal";
  public static final String READY = "READY";

  static final String COLUMNS = "mv.name, mv.version, mv.creation_time, mv.last_updated_time,"
      + " mv.description, mv.user_id, mv.current_stage, mv.source, mv.storage_location,"
      + " mv.run_id, mv.run_link, mv.status, mv.status_message";

  private VersionRows() {}

  /** A version without tags and aliases; see {@link #withDetails}. */
  static ModelVersion map(ResultSet row) throws SQLException {
    return new ModelVersion(row.getString("name"), row.getInt("version"),
        row.getLong("creation_time"), row.getLong("last_updated_time"), row.getString("user_id"),
        ModelStage.find(row.getString("current_stage")), row.getString("description"),
        row.getString("source"), row.getString("run_id"), row.getString("status"),
        row.getString("status_message"), row.getString("run_link"),
        row.getString("storage_location"), Map.of(), List.of());
  }

  public static Optional<ModelVersion> find(Handle handle, String name, int version) {
    return handle.createQuery("SELECT " + COLUMNS + " FROM model_versions mv WHERE mv.name ="
            + " :name AND mv.version = :version AND mv.current_stage <> :deleted")
        .bind("name", name).bind("version", version).bind("deleted", DELETED_STAGE)
        .map((row, ctx) -> map(row)).findOne();
  }

  /** The version with tags and aliases, or RESOURCE_DOES_NOT_EXIST in MLflow's words. */
  public static ModelVersion require(Handle handle, String name, int version) {
    return withDetails(handle, find(handle, name, version).orElseThrow(() ->
        notFound(name, version)));
  }

  public static MlflowException notFound(String name, int version) {
    return MlflowException.notFound("Model Version (name=" + name + ", version=" + version
        + ") not found");
  }

  /** The next version number: one above every version ever created, deleted ones included. */
  public static int nextVersion(Handle handle, String name) {
    return handle.createQuery("SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions"
        + " WHERE name = :name").bind("name", name).mapTo(Integer.class).one();
  }

  public static void insert(Handle handle, ModelVersion version) {
    handle.createUpdate("INSERT INTO model_versions (name, version, creation_time,"
            + " last_updated_time, description, user_id, current_stage, source,"
            + " storage_location, run_id, run_link, status, status_message) VALUES (:name,"
            + " :version, :created, :created, :description, :userId, :stage, :source,"
            + " :storageLocation, :runId, :runLink, :status, :statusMessage)")
        .bind("name", version.name()).bind("version", version.version())
        .bind("created", version.creationTimestamp()).bind("description", version.description())
        .bind("userId", version.userId()).bind("stage", version.currentStage().displayName())
        .bind("source", version.source()).bind("storageLocation", version.storageLocation())
        .bind("runId", version.runId()).bind("runLink", version.runLink())
        .bind("status", version.status()).bind("statusMessage", version.statusMessage())
        .execute();
    version.tags().forEach((key, value) -> setTag(handle, version.name(), version.version(),
        key, value));
  }

  public static void setStage(Handle handle, String name, int version, String stage, long now) {
    handle.createUpdate("UPDATE model_versions SET current_stage = :stage, last_updated_time ="
            + " :now WHERE name = :name AND version = :version")
        .bind("stage", stage).bind("now", now).bind("name", name).bind("version", version)
        .execute();
  }

  public static void setDescription(Handle handle, String name, int version, String description,
      long now) {
    handle.createUpdate("UPDATE model_versions SET description = :description,"
            + " last_updated_time = :now WHERE name = :name AND version = :version")
        .bind("description", description).bind("now", now).bind("name", name)
        .bind("version", version).execute();
  }

  /** Marks a version deleted as MLflow does; its tags and validations go with it. */
  public static void markDeleted(Handle handle, String name, int version, long now) {
    setStage(handle, name, version, DELETED_STAGE, now);
    handle.createUpdate("DELETE FROM model_version_tags WHERE name = :name AND version ="
        + " :version").bind("name", name).bind("version", version).execute();
    handle.createUpdate("DELETE FROM model_version_validations WHERE name = :name AND version"
        + " = :version").bind("name", name).bind("version", version).execute();
  }

  /** The live versions of {@code name} in {@code stage}, highest first. */
  public static List<ModelVersion> inStage(Handle handle, String name, ModelStage stage) {
    return handle.createQuery("SELECT " + COLUMNS + " FROM model_versions mv WHERE mv.name ="
            + " :name AND mv.current_stage = :stage ORDER BY mv.version DESC")
        .bind("name", name).bind("stage", stage.displayName())
        .map((row, ctx) -> map(row)).list();
  }

  /** All live versions of {@code name}, highest first. */
  public static List<ModelVersion> all(Handle handle, String name) {
    return handle.createQuery("SELECT " + COLUMNS + " FROM model_versions mv WHERE mv.name ="
            + " :name AND mv.current_stage <> :deleted ORDER BY mv.version DESC")
        .bind("name", name).bind("deleted", DELETED_STAGE)
        .map((row, ctx) -> map(row)).list();
  }

  /**
   * For each model, the highest live version in each stage, in stage order (MLflow's
   * latest_versions), with tags and aliases.
   */
  public static Map<String, List<ModelVersion>> latestPerStage(Handle handle,
      Collection<String> names) {
    Map<String, List<ModelVersion>> latest = new HashMap<>();
    if (names.isEmpty()) {
      return latest;
    }
    List<ModelVersion> rows = handle.createQuery("SELECT " + COLUMNS + " FROM model_versions mv"
            + " WHERE mv.name IN (<names>) AND mv.current_stage <> :deleted AND mv.version ="
            + " (SELECT MAX(other.version) FROM model_versions other WHERE other.name = mv.name"
            + " AND other.current_stage = mv.current_stage)")
        .bindList("names", new ArrayList<>(new LinkedHashSet<>(names)))
        .bind("deleted", DELETED_STAGE)
        .map((row, ctx) -> map(row)).list();
    for (ModelVersion version : withDetails(handle, rows)) {
      latest.computeIfAbsent(version.name(), key -> new ArrayList<>()).add(version);
    }
    latest.values().forEach(versions -> versions.sort(
        Comparator.comparing(ModelVersion::currentStage)));
    return latest;
  }

  public static ModelVersion withDetails(Handle handle, ModelVersion version) {
    return withDetails(handle, List.of(version)).get(0);
  }

  /** Adds tags and aliases, two queries for the whole list. */
  public static List<ModelVersion> withDetails(Handle handle, List<ModelVersion> versions) {
    if (versions.isEmpty()) {
      return versions;
    }
    List<String> names = new ArrayList<>(new TreeSet<>(versions.stream().map(ModelVersion::name)
        .toList()));
    Map<String, Map<String, String>> tags = new HashMap<>();
    handle.createQuery("SELECT name, version, tag_key, tag_value FROM model_version_tags WHERE"
            + " name IN (<names>)").bindList("names", names)
        .map((row, ctx) -> new String[] {key(row.getString("name"), row.getInt("version")),
            row.getString("tag_key"), row.getString("tag_value")})
        .forEach(tag -> tags.computeIfAbsent(tag[0], key -> new TreeMap<>()).put(tag[1], tag[2]));
    Map<String, List<String>> aliases = new HashMap<>();
    handle.createQuery("SELECT name, alias, version FROM registered_model_aliases WHERE name IN"
            + " (<names>) ORDER BY alias").bindList("names", names)
        .map((row, ctx) -> new String[] {key(row.getString("name"), row.getInt("version")),
            row.getString("alias")})
        .forEach(alias -> aliases.computeIfAbsent(alias[0], key -> new ArrayList<>())
            .add(alias[1]));
    List<ModelVersion> detailed = new ArrayList<>(versions.size());
    for (ModelVersion v : versions) {
      String key = key(v.name(), v.version());
      detailed.add(new ModelVersion(v.name(), v.version(), v.creationTimestamp(),
          v.lastUpdatedTimestamp(), v.userId(), v.currentStage(), v.description(), v.source(),
          v.runId(), v.status(), v.statusMessage(), v.runLink(), v.storageLocation(),
          tags.getOrDefault(key, Map.of()), aliases.getOrDefault(key, List.of())));
    }
    return detailed;
  }

  public static void setTag(Handle handle, String name, int version, String key, String value) {
    int updated = handle.createUpdate("UPDATE model_version_tags SET tag_value = :value WHERE"
            + " name = :name AND version = :version AND tag_key = :key")
        .bind("value", value).bind("name", name).bind("version", version).bind("key", key)
        .execute();
    if (updated == 0) {
      handle.createUpdate("INSERT INTO model_version_tags (name, version, tag_key, tag_value)"
              + " VALUES (:name, :version, :key, :value)")
          .bind("value", value).bind("name", name).bind("version", version).bind("key", key)
          .execute();
    }
  }

  public static void deleteTag(Handle handle, String name, int version, String key) {
    handle.createUpdate("DELETE FROM model_version_tags WHERE name = :name AND version ="
            + " :version AND tag_key = :key")
        .bind("name", name).bind("version", version).bind("key", key).execute();
  }

  private static String key(String name, int version) {
    return version + "/" + name;
  }
}
