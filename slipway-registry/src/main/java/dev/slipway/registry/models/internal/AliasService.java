package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.ModelVersion;
import dev.slipway.registry.models.RegistryEvent;
import java.util.Optional;

/** Aliases: each points to exactly one live version; every change is gated and audited. */
public final class AliasService {
  private final Transactions transactions;
  private final PromotionGate gate;

  public AliasService(Transactions transactions, PromotionGate gate) {
    this.transactions = transactions;
    this.gate = gate;
  }

  public void set(String name, String alias, int version, String actor) {
    RegistryNames.modelName(name);
    RegistryNames.alias(alias);
    transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      ModelVersion target = VersionRows.find(handle, name, version).orElseThrow(() ->
          VersionRows.notFound(name, version));
      Optional<Integer> current = AliasRows.version(handle, name, alias);
      gate.checkAlias(handle, target, alias, current);
      if (current.equals(Optional.of(version))) {
        return null;
      }
      long now = transactions.now();
      AliasRows.set(handle, name, alias, version);
      AuditLog.aliasChange(handle, name, alias, current.orElse(null), version, actor, now);
      var data = events.add(RegistryEvent.MODEL_VERSION_ALIAS_SET, now, name, version, actor)
          .put("alias", alias);
      current.ifPresent(previous -> data.put("previous_version", previous.toString()));
      return null;
    });
  }

  /** Deletes the alias; a missing alias is no error, as in MLflow. */
  public void delete(String name, String alias, String actor) {
    RegistryNames.modelName(name);
    if (alias == null || alias.isEmpty()) {
      throw MlflowException.invalid("Missing value for required parameter 'alias'. See the API"
          + " docs for more information about request parameters.");
    }
    transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      Optional<Integer> current = AliasRows.version(handle, name, alias);
      if (current.isEmpty()) {
        return null;
      }
      long now = transactions.now();
      AliasRows.delete(handle, name, alias);
      AuditLog.aliasChange(handle, name, alias, current.get(), null, actor, now);
      events.add(RegistryEvent.MODEL_VERSION_ALIAS_DELETED, now, name, current.get(), actor)
          .put("alias", alias);
      return null;
    });
  }

  public ModelVersion get(String name, String alias) {
    RegistryNames.modelName(name);
    return transactions.read(handle -> {
      Integer version = AliasRows.version(handle, name, alias).orElseThrow(() ->
          ModelRows.exists(handle, name)
              ? MlflowException.notFound("Registered model alias " + alias + " not found.")
              : ModelRows.notFound(name));
      return VersionRows.require(handle, name, version);
    });
  }
}
