package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * MLflow's order_by clauses ({@code "last_updated_timestamp DESC"}) as SQL, with tie-breakers
 * appended so that pages never overlap or skip rows.
 */
public final class OrderBy {
  private OrderBy() {}

  /**
   * @param columns allowed keys and their SQL columns
   * @param tieBreakers SQL terms appended unless their column was ordered on already
   */
  public static String toSql(List<String> clauses, Map<String, String> columns,
      List<String> tieBreakers) {
    List<String> terms = new ArrayList<>();
    Set<String> usedColumns = new LinkedHashSet<>();
    for (String clause : clauses) {
      if (clause == null || clause.isBlank()) {
        continue;
      }
      String[] parts = clause.trim().split("\\s+");
      String key = parts[0].toLowerCase(Locale.ROOT);
      String column = columns.get(key);
      if (column == null || parts.length > 2) {
        throw MlflowException.invalid("Invalid order_by clause '" + clause + "'. Valid keys are "
            + String.join(", ", columns.keySet()) + ", optionally followed by ASC or DESC.");
      }
      String direction = parts.length == 2 ? parts[1].toUpperCase(Locale.ROOT) : "ASC";
      if (!direction.equals("ASC") && !direction.equals("DESC")) {
        throw MlflowException.invalid("Invalid order_by clause '" + clause
            + "': the direction must be ASC or DESC.");
      }
      if (usedColumns.add(column)) {
        terms.add(column + " " + direction);
      }
    }
    for (String tieBreaker : tieBreakers) {
      String column = tieBreaker.split("\\s+")[0];
      if (usedColumns.add(column)) {
        terms.add(tieBreaker);
      }
    }
    return String.join(", ", terms);
  }
}
