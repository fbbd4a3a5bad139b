package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.ModelVersion;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * Finds the version a {@code models:/} URI points at with one indexed query; serving polls this
 * every few seconds to follow aliases and stages. Tags and aliases are not loaded.
 */
public final class Resolver {
  private static final String FROM_VERSIONS = "SELECT " + VersionRows.COLUMNS
      + " FROM model_versions mv WHERE mv.name = :name";

  private Resolver() {}

  public static Optional<ModelVersion> find(Handle handle, ModelUri uri) {
    Query query;
    if (uri.alias() != null) {
      query = handle.createQuery("SELECT " + VersionRows.COLUMNS + " FROM registered_model_aliases"
          + " a JOIN model_versions mv ON mv.name = a.name AND mv.version = a.version"
          + " WHERE a.name = :name AND a.alias = :alias").bind("alias", uri.alias());
    } else if (uri.version() != null) {
      query = handle.createQuery(FROM_VERSIONS + " AND mv.version = :version"
          + " AND mv.current_stage <> :deleted").bind("version", uri.version());
    } else if (uri.stage() != null) {
      query = handle.createQuery(FROM_VERSIONS + " AND mv.current_stage = :stage"
          + " ORDER BY mv.version DESC LIMIT 1").bind("stage", uri.stage().displayName());
    } else {
      query = handle.createQuery(FROM_VERSIONS + " AND mv.current_stage <> :deleted"
          + " ORDER BY mv.version DESC LIMIT 1");
    }
    if (uri.alias() == null && uri.stage() == null) {
      query.bind("deleted", VersionRows.DELETED_STAGE);
    }
    return query.bind("name", uri.name()).map((row, ctx) -> VersionRows.map(row)).findFirst();
  }

  /**
   * @throws MlflowException RESOURCE_DOES_NOT_EXIST saying whether the model or what in it is
   *     missing (a second query, on the failure path only)
   */
  public static ModelVersion require(Handle handle, ModelUri uri) {
    return find(handle, uri).orElseThrow(() -> {
      if (!ModelRows.exists(handle, uri.name())) {
        return ModelRows.notFound(uri.name());
      }
      String missing = uri.alias() != null ? "no alias '" + uri.alias() + "'"
          : uri.version() != null ? "no version " + uri.version()
          : uri.stage() != null ? "no version in stage '" + uri.stage().displayName() + "'"
          : "no versions";
      return MlflowException.notFound("Model URI '" + uri + "' does not resolve: registered"
          + " model '" + uri.name() + "' has " + missing);
    });
  }
}
