package dev.slipway.registry.models.internal;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for aliases: each alias of a model points to exactly one version. */
public final class AliasRows {
  private AliasRows() {}

  public static Optional<Integer> version(Handle handle, String name, String alias) {
    return handle.createQuery("SELECT version FROM registered_model_aliases WHERE name = :name"
            + " AND alias = :alias")
        .bind("name", name).bind("alias", alias).mapTo(Integer.class).findOne();
  }

  /** Points {@code alias} at {@code version}; callers hold the model's row lock. */
  public static void set(Handle handle, String name, String alias, int version) {
    int updated = handle.createUpdate("UPDATE registered_model_aliases SET version = :version"
            + " WHERE name = :name AND alias = :alias")
        .bind("version", version).bind("name", name).bind("alias", alias).execute();
    if (updated == 0) {
      handle.createUpdate("INSERT INTO registered_model_aliases (name, alias, version) VALUES"
              + " (:name, :alias, :version)")
          .bind("version", version).bind("name", name).bind("alias", alias).execute();
    }
  }

  public static void delete(Handle handle, String name, String alias) {
    handle.createUpdate("DELETE FROM registered_model_aliases WHERE name = :name AND alias ="
        + " :alias").bind("name", name).bind("alias", alias).execute();
  }

  /** The aliases of {@code name}, or only those pointing at {@code version} when not null. */
  public static List<String> aliases(Handle handle, String name, Integer version) {
    var query = handle.createQuery("SELECT alias FROM registered_model_aliases WHERE name ="
        + " :name" + (version == null ? "" : " AND version = :version") + " ORDER BY alias")
        .bind("name", name);
    if (version != null) {
      query.bind("version", version);
    }
    return query.mapTo(String.class).list();
  }
}
