package dev.slipway.registry.models.internal;

import dev.slipway.registry.models.MetricComparator;
import dev.slipway.registry.models.ValidationCheck;
import dev.slipway.registry.models.ValidationResult;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for model_version_validations; one result per (version, check name), latest wins. */
public final class ValidationRows {
  private ValidationRows() {}

  public static void upsert(Handle handle, ValidationResult result) {
    handle.createUpdate("DELETE FROM model_version_validations WHERE name = :name AND version ="
            + " :version AND check_name = :checkName")
        .bind("name", result.name()).bind("version", result.version())
        .bind("checkName", result.checkName()).execute();
    handle.createUpdate("INSERT INTO model_version_validations (name, version, check_name,"
            + " metric, metric_value, threshold, comparator, passed, details, recorded_at,"
            + " check_kind, compared_version) VALUES (:name, :version, :checkName, :metric,"
            + " :value, :threshold, :comparator, :passed, :details, :recordedAt, :kind,"
            + " :comparedVersion)")
        .bind("name", result.name()).bind("version", result.version())
        .bind("checkName", result.checkName()).bind("metric", result.metric())
        .bind("value", Double.isNaN(result.value()) ? null : result.value())
        .bind("threshold", result.threshold()).bind("comparator", result.comparator().symbol())
        .bind("passed", result.passed()).bind("details", truncate(result.details()))
        .bind("recordedAt", result.recordedAt()).bind("kind", result.kind().wireName())
        .bind("comparedVersion", result.comparedVersion()).execute();
  }

  /** The version's results by check name. */
  public static List<ValidationResult> list(Handle handle, String name, int version) {
    return handle.createQuery("SELECT name, version, check_name, check_kind, metric,"
            + " metric_value, comparator, threshold, compared_version, passed, details,"
            + " recorded_at FROM model_version_validations WHERE name = :name AND version ="
            + " :version ORDER BY check_name")
        .bind("name", name).bind("version", version)
        .map((row, ctx) -> {
          Double value = row.getObject("metric_value", Double.class);
          return new ValidationResult(row.getString("name"), row.getInt("version"),
              row.getString("check_name"), ValidationCheck.Kind.find(row.getString("check_kind")),
              row.getString("metric"), value == null ? Double.NaN : value,
              MetricComparator.parse(row.getString("comparator")),
              row.getObject("threshold", Double.class),
              row.getObject("compared_version", Integer.class), row.getBoolean("passed"),
              row.getString("details"), row.getLong("recorded_at"));
        }).list();
  }

  /** The latest value {@code version} recorded for {@code metric}, by any check. */
  public static Optional<Double> recordedValue(Handle handle, String name, int version,
      String metric) {
    return handle.createQuery("SELECT metric_value FROM model_version_validations WHERE name ="
            + " :name AND version = :version AND metric = :metric AND metric_value IS NOT NULL"
            + " ORDER BY recorded_at DESC, check_name LIMIT 1")
        .bind("name", name).bind("version", version).bind("metric", metric)
        .mapTo(Double.class).findFirst();
  }

  private static String truncate(String details) {
    return details != null && details.length() > 2000 ? details.substring(0, 2000) : details;
  }
}
