package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.ModelAlias;
import dev.slipway.registry.models.ModelVersion;
import dev.slipway.registry.models.RegisteredModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;

/** SQL for registered models and their tags. */
public final class ModelRows {
  private ModelRows() {}

  /** The model row as loaded, before tags, aliases and latest versions are added. */
  record Row(String name, long creationTime, long lastUpdatedTime, String description) {}

  public static MlflowException notFound(String name) {
    return MlflowException.notFound("Registered Model with name=" + name + " not found");
  }

  /**
   * Locks the model row until the transaction ends, so that stage, alias and version changes of
   * one model run one after another.
   *
   * @throws MlflowException RESOURCE_DOES_NOT_EXIST when there is no such model
   */
  public static void lock(Handle handle, String name) {
    handle.createQuery("SELECT name FROM registered_models WHERE name = :name FOR UPDATE")
        .bind("name", name).mapTo(String.class).findOne().orElseThrow(() -> notFound(name));
  }

  public static boolean exists(Handle handle, String name) {
    return handle.createQuery("SELECT COUNT(*) FROM registered_models WHERE name = :name")
        .bind("name", name).mapTo(Integer.class).one() > 0;
  }

  static Optional<Row> find(Handle handle, String name) {
    return handle.createQuery("SELECT name, creation_time, last_updated_time, description FROM"
            + " registered_models WHERE name = :name")
        .bind("name", name)
        .map((row, ctx) -> new Row(row.getString("name"), row.getLong("creation_time"),
            row.getLong("last_updated_time"), row.getString("description")))
        .findOne();
  }

  public static RegisteredModel require(Handle handle, String name) {
    return withDetails(handle, List.of(find(handle, name).orElseThrow(() -> notFound(name))))
        .get(0);
  }

  public static void insert(Handle handle, String name, String description, long now) {
    handle.createUpdate("INSERT INTO registered_models (name, creation_time, last_updated_time,"
            + " description) VALUES (:name, :now, :now, :description)")
        .bind("name", name).bind("now", now).bind("description", description).execute();
  }

  public static void touch(Handle handle, String name, long now) {
    handle.createUpdate("UPDATE registered_models SET last_updated_time = :now WHERE name ="
        + " :name").bind("now", now).bind("name", name).execute();
  }

  public static void setDescription(Handle handle, String name, String description, long now) {
    handle.createUpdate("UPDATE registered_models SET description = :description,"
            + " last_updated_time = :now WHERE name = :name")
        .bind("description", description).bind("now", now).bind("name", name).execute();
  }

  /** Renames; versions, tags, aliases and validations follow through ON UPDATE CASCADE. */
  public static void rename(Handle handle, String name, String newName, long now) {
    handle.createUpdate("UPDATE registered_models SET name = :newName, last_updated_time = :now"
            + " WHERE name = :name")
        .bind("newName", newName).bind("now", now).bind("name", name).execute();
  }

  /** Deletes the model; versions, tags, aliases and validations go by ON DELETE CASCADE. */
  public static void delete(Handle handle, String name) {
    handle.createUpdate("DELETE FROM registered_models WHERE name = :name")
        .bind("name", name).execute();
  }

  public static void setTag(Handle handle, String name, String key, String value) {
    int updated = handle.createUpdate("UPDATE registered_model_tags SET tag_value = :value"
            + " WHERE name = :name AND tag_key = :key")
        .bind("value", value).bind("name", name).bind("key", key).execute();
    if (updated == 0) {
      handle.createUpdate("INSERT INTO registered_model_tags (name, tag_key, tag_value) VALUES"
              + " (:name, :key, :value)")
          .bind("value", value).bind("name", name).bind("key", key).execute();
    }
  }

  public static void deleteTag(Handle handle, String name, String key) {
    handle.createUpdate("DELETE FROM registered_model_tags WHERE name = :name AND tag_key ="
        + " :key").bind("name", name).bind("key", key).execute();
  }

  /** Adds tags, aliases and latest versions: a fixed number of queries for the whole list. */
  static List<RegisteredModel> withDetails(Handle handle, List<Row> rows) {
    if (rows.isEmpty()) {
      return List.of();
    }
    List<String> names = rows.stream().map(Row::name).toList();
    Map<String, Map<String, String>> tags = new HashMap<>();
    handle.createQuery("SELECT name, tag_key, tag_value FROM registered_model_tags WHERE name IN"
            + " (<names>)").bindList("names", names)
        .map((row, ctx) -> new String[] {row.getString("name"), row.getString("tag_key"),
            row.getString("tag_value")})
        .forEach(tag -> tags.computeIfAbsent(tag[0], key -> new TreeMap<>()).put(tag[1], tag[2]));
    Map<String, List<ModelAlias>> aliases = new HashMap<>();
    handle.createQuery("SELECT name, alias, version FROM registered_model_aliases WHERE name IN"
            + " (<names>) ORDER BY alias").bindList("names", names)
        .map((row, ctx) -> Map.entry(row.getString("name"),
            new ModelAlias(row.getString("alias"), row.getInt("version"))))
        .forEach(alias -> aliases.computeIfAbsent(alias.getKey(), key -> new ArrayList<>())
            .add(alias.getValue()));
    Map<String, List<ModelVersion>> latest = VersionRows.latestPerStage(handle, names);
    List<RegisteredModel> models = new ArrayList<>(rows.size());
    for (Row row : rows) {
      models.add(new RegisteredModel(row.name(), row.creationTime(), row.lastUpdatedTime(),
          row.description(), latest.getOrDefault(row.name(), List.of()),
          tags.getOrDefault(row.name(), Map.of()), aliases.getOrDefault(row.name(), List.of())));
    }
    return models;
  }
}
