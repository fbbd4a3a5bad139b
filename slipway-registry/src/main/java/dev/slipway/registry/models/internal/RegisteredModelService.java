package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.AuditEntry;
import dev.slipway.registry.models.ModelAlias;
import dev.slipway.registry.models.ModelStage;
import dev.slipway.registry.models.ModelVersion;
import dev.slipway.registry.models.RegisteredModel;
import dev.slipway.registry.models.RegistryEvent;
import dev.slipway.registry.models.SearchPage;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Registered models: create, read, search, rename, update, delete, tags, latest versions. */
public final class RegisteredModelService {
  private static final SearchFilter.Spec FILTER = new SearchFilter.Spec(
      Map.of("name", new SearchFilter.Attribute("rm.name", SearchFilter.ValueType.STRING,
          SearchFilter.STRING_COMPARATORS)),
      "EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = rm.name"
          + " AND t.tag_key = %1$s AND %2$s)",
      SearchFilter.STRING_COMPARATORS);
  private static final Map<String, String> ORDER_COLUMNS = Map.of("name", "rm.name",
      "creation_timestamp", "rm.creation_time", "last_updated_timestamp", "rm.last_updated_time",
      "timestamp", "rm.last_updated_time");
  public static final int DEFAULT_MAX_RESULTS = 100;
  public static final int MAX_RESULTS = 1000;

  private final Transactions transactions;

  public RegisteredModelService(Transactions transactions) {
    this.transactions = transactions;
  }

  public RegisteredModel create(String name, String description, Map<String, String> tags,
      String actor) {
    RegistryNames.modelName(name);
    RegistryNames.description(description);
    RegistryNames.tags(tags);
    return transactions.writeUnique((handle, events) -> {
      if (ModelRows.exists(handle, name)) {
        throw alreadyExists(name);
      }
      long now = transactions.now();
      ModelRows.insert(handle, name, description, now);
      tags.forEach((key, value) -> ModelRows.setTag(handle, name, key, value));
      events.add(RegistryEvent.REGISTERED_MODEL_CREATED, now, name, null, actor);
      return ModelRows.require(handle, name);
    }, alreadyExistsMessage(name));
  }

  public RegisteredModel get(String name) {
    RegistryNames.modelName(name);
    return transactions.read(handle -> ModelRows.require(handle, name));
  }

  public SearchPage<RegisteredModel> search(String filter, int maxResults, List<String> orderBy,
      String pageToken) {
    PageToken.maxResults((long) maxResults, DEFAULT_MAX_RESULTS, MAX_RESULTS);
    SearchFilter.Sql where = SearchFilter.toSql(filter, FILTER);
    String order = OrderBy.toSql(orderBy, ORDER_COLUMNS, List.of("rm.name ASC"));
    int offset = PageToken.decode(pageToken);
    return transactions.read(handle -> {
      List<ModelRows.Row> rows = handle.createQuery("SELECT rm.name, rm.creation_time,"
              + " rm.last_updated_time, rm.description FROM registered_models rm WHERE "
              + where.condition() + " ORDER BY " + order + " LIMIT :limit OFFSET :offset")
          .bindMap(where.bindings()).bind("limit", maxResults + 1).bind("offset", offset)
          .map((row, ctx) -> new ModelRows.Row(row.getString("name"),
              row.getLong("creation_time"), row.getLong("last_updated_time"),
              row.getString("description")))
          .list();
      boolean more = rows.size() > maxResults;
      List<ModelRows.Row> page = more ? rows.subList(0, maxResults) : rows;
      return new SearchPage<>(ModelRows.withDetails(handle, page),
          more ? PageToken.encode(offset + maxResults) : null);
    });
  }

  public RegisteredModel rename(String name, String newName, String actor) {
    RegistryNames.modelName(name);
    RegistryNames.modelName(newName);
    return transactions.writeUnique((handle, events) -> {
      ModelRows.lock(handle, name);
      if (name.equals(newName)) {
        return ModelRows.require(handle, name);
      }
      if (ModelRows.exists(handle, newName)) {
        throw alreadyExists(newName);
      }
      long now = transactions.now();
      ModelRows.rename(handle, name, newName, now);
      AuditLog.rename(handle, name, newName, actor, now);
      return ModelRows.require(handle, newName);
    }, alreadyExistsMessage(newName));
  }

  public RegisteredModel update(String name, String description) {
    RegistryNames.modelName(name);
    RegistryNames.description(description);
    return transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      ModelRows.setDescription(handle, name, description, transactions.now());
      return ModelRows.require(handle, name);
    });
  }

  /** Deletes the model with its versions; alias removals and version ends are audited. */
  public void delete(String name, String actor) {
    RegistryNames.modelName(name);
    transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      long now = transactions.now();
      RegisteredModel model = ModelRows.require(handle, name);
      for (ModelAlias alias : model.aliases()) {
        AuditLog.aliasChange(handle, name, alias.alias(), alias.version(), null, actor, now);
        events.add(RegistryEvent.MODEL_VERSION_ALIAS_DELETED, now, name, alias.version(), actor)
            .put("alias", alias.alias());
      }
      for (ModelVersion version : VersionRows.all(handle, name)) {
        AuditLog.stageChange(handle, name, version.version(),
            version.currentStage().displayName(), AuditEntry.DELETED, actor, now);
      }
      ModelRows.delete(handle, name);
      return null;
    });
  }

  public void setTag(String name, String key, String value) {
    RegistryNames.modelName(name);
    RegistryNames.tag(key, value);
    transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      ModelRows.setTag(handle, name, key, value);
      return null;
    });
  }

  public void deleteTag(String name, String key) {
    RegistryNames.modelName(name);
    transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      ModelRows.deleteTag(handle, name, key);
      return null;
    });
  }

  /** The highest version in each of {@code stages} (all stages when empty). */
  public List<ModelVersion> latestVersions(String name, List<String> stages) {
    RegistryNames.modelName(name);
    Set<ModelStage> wanted = EnumSet.noneOf(ModelStage.class);
    stages.forEach(stage -> wanted.add(ModelStage.parse(stage)));
    return transactions.read(handle -> {
      if (!ModelRows.exists(handle, name)) {
        throw ModelRows.notFound(name);
      }
      return VersionRows.latestPerStage(handle, List.of(name)).getOrDefault(name, List.of())
          .stream().filter(version -> wanted.isEmpty()
              || wanted.contains(version.currentStage())).toList();
    });
  }

  private static MlflowException alreadyExists(String name) {
    return MlflowException.alreadyExists(alreadyExistsMessage(name));
  }

  private static String alreadyExistsMessage(String name) {
    return "Registered Model (name=" + name + ") already exists.";
  }
}
