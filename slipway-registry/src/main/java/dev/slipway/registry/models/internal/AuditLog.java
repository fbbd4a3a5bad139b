package dev.slipway.registry.models.internal;

import dev.slipway.registry.models.AuditEntry;
import dev.slipway.registry.models.ModelStage;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Writes stage, alias and name changes to registry_audit inside the changing transaction, and
 * answers "what did this alias or stage point to at time T" from it. Entries are ordered by
 * (changed_at, id): ids are taken under the model's row lock, so they follow the change order.
 */
public final class AuditLog {
  private AuditLog() {}

  public static void stageChange(Handle handle, String name, int version, String fromStage,
      String toStage, String actor, long now) {
    insert(handle, name, AuditEntry.Kind.STAGE, Integer.toString(version), version, version,
        fromStage, toStage, actor, now);
  }

  public static void aliasChange(Handle handle, String name, String alias, Integer fromVersion,
      Integer toVersion, String actor, long now) {
    insert(handle, name, AuditEntry.Kind.ALIAS, alias, fromVersion, toVersion, null, null, actor,
        now);
  }

  /** Moves the model's history to its new name, then records the rename itself. */
  public static void rename(Handle handle, String name, String newName, String actor, long now) {
    handle.createUpdate("UPDATE registry_audit SET name = :newName WHERE name = :name")
        .bind("newName", newName).bind("name", name).execute();
    insert(handle, newName, AuditEntry.Kind.RENAME, newName, null, null, name, newName, actor,
        now);
  }

  private static void insert(Handle handle, String name, AuditEntry.Kind kind, String subject,
      Integer fromVersion, Integer toVersion, String fromValue, String toValue, String actor,
      long now) {
    handle.createUpdate("INSERT INTO registry_audit (name, change_kind, subject, from_version,"
            + " to_version, from_value, to_value, actor, changed_at) VALUES (:name, :kind,"
            + " :subject, :fromVersion, :toVersion, :fromValue, :toValue, :actor, :now)")
        .bind("name", name).bind("kind", kind.name()).bind("subject", subject)
        .bind("fromVersion", fromVersion).bind("toVersion", toVersion)
        .bind("fromValue", fromValue).bind("toValue", toValue)
        .bind("actor", truncate(actor)).bind("now", now).execute();
  }

  /** The model's history, oldest first. */
  public static List<AuditEntry> history(Handle handle, String name, int offset, int limit) {
    return handle.createQuery("SELECT id, name, change_kind, subject, from_version, to_version,"
            + " from_value, to_value, actor, changed_at FROM registry_audit WHERE name = :name"
            + " ORDER BY changed_at, id LIMIT :limit OFFSET :offset")
        .bind("name", name).bind("limit", limit).bind("offset", offset)
        .map((row, ctx) -> new AuditEntry(row.getLong("id"), row.getString("name"),
            AuditEntry.Kind.valueOf(row.getString("change_kind")), row.getString("subject"),
            row.getObject("from_version", Integer.class),
            row.getObject("to_version", Integer.class), row.getString("from_value"),
            row.getString("to_value"), row.getString("actor"), row.getLong("changed_at")))
        .list();
  }

  public static boolean hasHistory(Handle handle, String name) {
    return handle.createQuery("SELECT COUNT(*) FROM registry_audit WHERE name = :name")
        .bind("name", name).mapTo(Integer.class).one() > 0;
  }

  /** The version {@code alias} pointed to at {@code time}; empty when it pointed nowhere. */
  public static Optional<Integer> aliasAt(Handle handle, String name, String alias, long time) {
    return handle.createQuery("SELECT to_version FROM registry_audit WHERE name = :name AND"
            + " change_kind = 'ALIAS' AND subject = :alias AND changed_at <= :time"
            + " ORDER BY changed_at DESC, id DESC LIMIT 1")
        .bind("name", name).bind("alias", alias).bind("time", time)
        .map((row, ctx) -> row.getObject("to_version", Integer.class))
        .findFirst().flatMap(Optional::ofNullable);
  }

  /**
   * The highest version that was in {@code stage} at {@code time} (what {@code
   * models:/NAME/Stage} resolved to then): each version's last stage entry up to that time.
   */
  public static Optional<Integer> stageAt(Handle handle, String name, ModelStage stage,
      long time) {
    return handle.createQuery("SELECT a.to_version FROM registry_audit a WHERE a.name = :name"
            + " AND a.change_kind = 'STAGE' AND a.changed_at <= :time AND a.to_value = :stage"
            + " AND NOT EXISTS (SELECT 1 FROM registry_audit b WHERE b.name = a.name"
            + " AND b.change_kind = 'STAGE' AND b.subject = a.subject AND b.changed_at <= :time"
            + " AND (b.changed_at > a.changed_at OR (b.changed_at = a.changed_at AND b.id >"
            + " a.id))) ORDER BY a.to_version DESC LIMIT 1")
        .bind("name", name).bind("time", time).bind("stage", stage.displayName())
        .mapTo(Integer.class).findFirst();
  }

  private static String truncate(String actor) {
    String value = actor == null || actor.isBlank() ? "unknown" : actor;
    return value.length() > 256 ? value.substring(0, 256) : value;
  }
}
