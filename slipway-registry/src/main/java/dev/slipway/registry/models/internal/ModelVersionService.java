package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.artifacts.ArtifactStore;
import dev.slipway.registry.models.AuditEntry;
import dev.slipway.registry.models.ModelStage;
import dev.slipway.registry.models.ModelVersion;
import dev.slipway.registry.models.NewModelVersion;
import dev.slipway.registry.models.RegistryEvent;
import dev.slipway.registry.models.SearchPage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** Model versions: create (copy and seal), read, search, update, delete, stages, tags. */
public final class ModelVersionService {
  private static final SearchFilter.Spec FILTER = new SearchFilter.Spec(
      Map.of(
          "name", new SearchFilter.Attribute("mv.name", SearchFilter.ValueType.STRING,
              SearchFilter.STRING_COMPARATORS),
          "run_id", new SearchFilter.Attribute("mv.run_id", SearchFilter.ValueType.STRING,
              Set.of("=", "!=", "IN")),
          "source_path", new SearchFilter.Attribute("mv.source", SearchFilter.ValueType.STRING,
              SearchFilter.STRING_COMPARATORS),
          "version_number", new SearchFilter.Attribute("mv.version",
              SearchFilter.ValueType.NUMBER, SearchFilter.NUMBER_COMPARATORS)),
      "EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = mv.name"
          + " AND t.version = mv.version AND t.tag_key = %1$s AND %2$s)",
      SearchFilter.STRING_COMPARATORS);
  private static final Map<String, String> ORDER_COLUMNS = Map.of("name", "mv.name",
      "version_number", "mv.version", "creation_timestamp", "mv.creation_time",
      "last_updated_timestamp", "mv.last_updated_time", "timestamp", "mv.last_updated_time");
  public static final int DEFAULT_MAX_RESULTS = 10_000;
  public static final int MAX_RESULTS = 200_000;
  /** Copies are never overwritten; a name reused after deletion gets a suffixed folder. */
  private static final int MAX_LOCATION_SUFFIX = 100;
  private static final int MAX_RUN_ID = 32;

  private final Transactions transactions;
  private final ArtifactStore artifacts;
  private final SourceResolver sources;
  private final PromotionGate gate;

  public ModelVersionService(Transactions transactions, ArtifactStore artifacts,
      PromotionGate gate) {
    this.transactions = transactions;
    this.artifacts = artifacts;
    this.sources = new SourceResolver(artifacts);
    this.gate = gate;
  }

  /**
   * Copies the source's files to {@code models/NAME/VERSION}, seals them and records the version
   * as READY, all under the model's row lock so version numbers are taken one at a time.
   */
  public ModelVersion create(NewModelVersion spec, String actor) {
    String name = RegistryNames.modelName(spec.name());
    if (spec.source().isBlank()) {
      throw MlflowException.invalid("Missing value for required parameter 'source'. See the API"
          + " docs for more information about request parameters.");
    }
    RegistryNames.maxLength("source", spec.source(), RegistryNames.MAX_SOURCE);
    RegistryNames.maxLength("run_id", spec.runId(), MAX_RUN_ID);
    RegistryNames.maxLength("run_link", spec.runLink(), RegistryNames.MAX_SOURCE);
    RegistryNames.description(spec.description());
    RegistryNames.tags(spec.tags());
    return transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      SourceResolver.Resolved source = sources.resolve(handle, spec.source(),
          uri -> Resolver.require(handle, ModelUri.parse(uri)).storageLocation());
      String runId = runId(spec, source);
      int version = VersionRows.nextVersion(handle, name);
      String location = copyIn(spec.source(), source.storePath(), name, version);
      try {
        long now = transactions.now();
        VersionRows.insert(handle, new ModelVersion(name, version, now, now, actor,
            ModelStage.NONE, spec.description(), spec.source(), runId, VersionRows.READY, null,
            spec.runLink(), location, spec.tags(), List.of()));
        AuditLog.stageChange(handle, name, version, null, ModelStage.NONE.displayName(), actor,
            now);
        ModelRows.touch(handle, name, now);
        artifacts.seal(location);
        var data = events.add(RegistryEvent.MODEL_VERSION_CREATED, now, name, version, actor)
            .put("source", spec.source()).put("storage_location", location);
        if (runId != null) {
          data.put("run_id", runId);
        }
      } catch (IOException | RuntimeException e) {
        discard(location);
        throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
      }
      return VersionRows.require(handle, name, version);
    });
  }

  private static String runId(NewModelVersion spec, SourceResolver.Resolved source) {
    if (spec.runId() != null && !spec.runId().isEmpty() && source.runId() != null
        && !spec.runId().equals(source.runId())) {
      throw MlflowException.invalid("run_id '" + spec.runId() + "' does not match the run of"
          + " source '" + spec.source() + "'");
    }
    return spec.runId() != null && !spec.runId().isEmpty() ? spec.runId() : source.runId();
  }

  private String copyIn(String source, String storePath, String name, int version) {
    String base = "models/" + name + "/" + version;
    if (storePath.isEmpty() || (base + "/").startsWith(storePath + "/")) {
      throw MlflowException.invalid("Invalid source '" + source + "': it names the whole"
          + " artifact store or a folder holding registered models, not a model");
    }
    for (int suffix = 0; suffix < MAX_LOCATION_SUFFIX; suffix++) {
      String target = suffix == 0 ? base : base + "-" + suffix;
      try {
        artifacts.copy(storePath, target);
        return target;
      } catch (FileAlreadyExistsException e) {
        // Left by a deleted or renamed model of the same name: sealed, so try the next one.
      } catch (MlflowException e) {
        if (e.errorCode() == MlflowException.ErrorCode.RESOURCE_DOES_NOT_EXIST) {
          throw MlflowException.notFound("Model source '" + source + "' has no artifacts at '"
              + storePath + "' in the artifact store");
        }
        throw e;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy '" + storePath + "' to '" + target + "'", e);
      }
    }
    throw new MlflowException(MlflowException.ErrorCode.INTERNAL_ERROR, "No free artifact"
        + " folder for " + base + " after " + MAX_LOCATION_SUFFIX + " tries");
  }

  private void discard(String location) {
    try {
      artifacts.delete(location);
    } catch (IOException | RuntimeException ignored) {
      // Sealed already or gone: an unreferenced folder is harmless and skipped by later copies.
    }
  }

  public ModelVersion get(String name, int version) {
    return transactions.read(handle -> VersionRows.require(handle, name, version));
  }

  public SearchPage<ModelVersion> search(String filter, int maxResults, List<String> orderBy,
      String pageToken) {
    PageToken.maxResults((long) maxResults, DEFAULT_MAX_RESULTS, MAX_RESULTS);
    SearchFilter.Sql where = SearchFilter.toSql(filter, FILTER);
    String order = OrderBy.toSql(orderBy, ORDER_COLUMNS, List.of("mv.name ASC",
        "mv.version DESC"));
    int offset = PageToken.decode(pageToken);
    return transactions.read(handle -> {
      List<ModelVersion> rows = handle.createQuery("SELECT " + VersionRows.COLUMNS
              + " FROM model_versions mv WHERE mv.current_stage <> :deleted AND ("
              + where.condition() + ") ORDER BY " + order + " LIMIT :limit OFFSET :offset")
          .bindMap(where.bindings()).bind("deleted", VersionRows.DELETED_STAGE)
          .bind("limit", maxResults + 1).bind("offset", offset)
          .map((row, ctx) -> VersionRows.map(row)).list();
      boolean more = rows.size() > maxResults;
      List<ModelVersion> page = more ? rows.subList(0, maxResults) : rows;
      return new SearchPage<>(VersionRows.withDetails(handle, page),
          more ? PageToken.encode(offset + maxResults) : null);
    });
  }

  public ModelVersion update(String name, int version, String description) {
    RegistryNames.description(description);
    return transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      requireRow(handle, name, version);
      VersionRows.setDescription(handle, name, version, description, transactions.now());
      return VersionRows.require(handle, name, version);
    });
  }

  /** Deletes as MLflow does, removing the aliases that pointed at it; all of it audited. */
  public void delete(String name, int version, String actor) {
    transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      ModelVersion existing = requireRow(handle, name, version);
      long now = transactions.now();
      for (String alias : AliasRows.aliases(handle, name, version)) {
        AliasRows.delete(handle, name, alias);
        AuditLog.aliasChange(handle, name, alias, version, null, actor, now);
        events.add(RegistryEvent.MODEL_VERSION_ALIAS_DELETED, now, name, version, actor)
            .put("alias", alias);
      }
      AuditLog.stageChange(handle, name, version, existing.currentStage().displayName(),
          AuditEntry.DELETED, actor, now);
      VersionRows.markDeleted(handle, name, version, now);
      ModelRows.touch(handle, name, now);
      return null;
    });
  }

  /**
   * Moves a version to {@code stage} through the gate; with {@code archiveExisting}, the other
   * versions in that stage are archived in the same transaction. The model's row lock makes
   * concurrent transitions queue, so at most one version stays in an archiving stage.
   */
  public ModelVersion transition(String name, int version, String stage,
      boolean archiveExisting, String actor) {
    ModelStage target = ModelStage.parse(stage);
    if (archiveExisting && !target.active()) {
      throw MlflowException.invalid("Model version transition cannot archive existing model"
          + " versions because '" + target.displayName() + "' is not an Active stage. Valid"
          + " stages are Staging, Production");
    }
    return transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      ModelVersion existing = requireRow(handle, name, version);
      gate.checkStage(handle, existing, target);
      long now = transactions.now();
      move(handle, events, existing, target, actor, now, null);
      if (archiveExisting) {
        for (ModelVersion other : VersionRows.inStage(handle, name, target)) {
          if (other.version() != version) {
            move(handle, events, other, ModelStage.ARCHIVED, actor, now, version);
          }
        }
      }
      ModelRows.touch(handle, name, now);
      return VersionRows.require(handle, name, version);
    });
  }

  private static void move(Handle handle, Transactions.Events events, ModelVersion version,
      ModelStage target, String actor, long now, Integer archivedFor) {
    VersionRows.setStage(handle, version.name(), version.version(), target.displayName(), now);
    if (version.currentStage() == target) {
      return;
    }
    AuditLog.stageChange(handle, version.name(), version.version(),
        version.currentStage().displayName(), target.displayName(), actor, now);
    var data = events.add(RegistryEvent.MODEL_VERSION_TRANSITIONED_STAGE, now, version.name(),
        version.version(), actor)
        .put("from_stage", version.currentStage().displayName())
        .put("to_stage", target.displayName());
    if (archivedFor != null) {
      data.put("archived_for_version", archivedFor.toString());
    }
  }

  /** Where clients download the version's sealed copy, through the artifact proxy. */
  public String downloadUri(String name, int version) {
    ModelVersion found = get(name, version);
    return "mlflow-artifacts:/" + (found.storageLocation() != null ? found.storageLocation()
        : found.source());
  }

  public void setTag(String name, int version, String key, String value) {
    RegistryNames.tag(key, value);
    transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      requireRow(handle, name, version);
      VersionRows.setTag(handle, name, version, key, value);
      return null;
    });
  }

  public void deleteTag(String name, int version, String key) {
    transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      requireRow(handle, name, version);
      VersionRows.deleteTag(handle, name, version, key);
      return null;
    });
  }

  private static ModelVersion requireRow(Handle handle, String name, int version) {
    return VersionRows.find(handle, name, version).orElseThrow(() ->
        VersionRows.notFound(name, version));
  }
}
