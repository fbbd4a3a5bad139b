package dev.slipway.registry.models;

/**
 * One stage, alias or name change of a registered model, as written in the same transaction.
 *
 * <ul>
 *   <li>{@link Kind#STAGE}: subject is the version number; fromValue and toValue are stages,
 *       toValue "Deleted" when the version was deleted.
 *   <li>{@link Kind#ALIAS}: subject is the alias; fromVersion is null when it was new,
 *       toVersion null when it was deleted.
 *   <li>{@link Kind#RENAME}: fromValue and toValue are the old and new model names.
 * </ul>
 *
 * @param name the model's current name (history follows renames)
 * @param actor who made the change, "unknown" when nobody was named
 */
public record AuditEntry(
    long id,
    String name,
    Kind kind,
    String subject,
    Integer fromVersion,
    Integer toVersion,
    String fromValue,
    String toValue,
    String actor,
    long changedAt) {
  /** What changed. */
  public enum Kind { STAGE, ALIAS, RENAME }

  /** The stage recorded for a version that was deleted. */
  public static final String DELETED = "Deleted";
}
