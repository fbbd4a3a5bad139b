package dev.slipway.registry.models;

/** Registry events webhooks subscribe to; sent after the changing transaction commits. */
public enum RegistryEvent {
  REGISTERED_MODEL_CREATED,
  MODEL_VERSION_CREATED,
  MODEL_VERSION_TRANSITIONED_STAGE,
  MODEL_VERSION_ALIAS_SET,
  MODEL_VERSION_ALIAS_DELETED
}
