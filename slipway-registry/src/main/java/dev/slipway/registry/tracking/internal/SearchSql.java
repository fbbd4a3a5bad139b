package dev.slipway.registry.tracking.internal;

import dev.slipway.registry.tracking.internal.SearchFields.KeyValueTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Compiles parsed filters and order_by terms into one SELECT over the searched table (aliased
 * {@code s}). The SQL text is assembled only from schema constants and generated parameter
 * names; every user-supplied value, keys included, is a bound parameter. Written in the SQL that
 * H2 (PostgreSQL mode) and PostgreSQL share.
 */
public final class SearchSql {
  private final SearchFields fields;
  private final Map<String, Object> parameters = new LinkedHashMap<>();
  private final List<String> joins = new ArrayList<>();
  private final List<String> conditions = new ArrayList<>();
  private final List<String> orderings = new ArrayList<>();
  private int aliases;

  public SearchSql(SearchFields fields) {
    this.fields = fields;
  }

  /** Registers a bound value and returns its placeholder. */
  public String bind(Object value) {
    String name = "p" + parameters.size();
    parameters.put(name, value);
    return ":" + name;
  }

  /** A list of placeholders for an IN clause, e.g. {@code (:p3, :p4)}. */
  public String bindAll(List<?> values) {
    StringJoiner list = new StringJoiner(", ", "(", ")");
    values.forEach(value -> list.add(bind(value)));
    return list.toString();
  }

  /** Adds a condition written by the caller (with placeholders from {@link #bind}). */
  public SearchSql where(String condition) {
    conditions.add(condition);
    return this;
  }

  public SearchSql filter(List<Comparison> comparisons) {
    comparisons.forEach(comparison -> conditions.add(condition(comparison)));
    return this;
  }

  /**
   * Sorts by the user's terms, then by {@code defaultAttribute} descending unless the user
   * already sorted by it, then by the table's key so that pages never overlap.
   */
  public SearchSql orderBy(List<OrderTerm> terms, String defaultAttribute) {
    terms.forEach(this::order);
    boolean hasDefault = terms.stream().anyMatch(term -> term.type() == EntityType.ATTRIBUTE
        && term.key().equals(defaultAttribute));
    if (!hasDefault) {
      order(new OrderTerm(EntityType.ATTRIBUTE, defaultAttribute, false));
    }
    orderings.add(fields.ownerColumn() + " ASC");
    return this;
  }

  /** The full statement: {@code SELECT columns FROM table s ... LIMIT ... OFFSET ...}. */
  public String select(String columns, String table, int limit, long offset) {
    StringBuilder sql = new StringBuilder("SELECT ").append(columns).append(" FROM ")
        .append(table).append(" s");
    joins.forEach(join -> sql.append(' ').append(join));
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    if (!orderings.isEmpty()) {
      sql.append(" ORDER BY ").append(String.join(", ", orderings));
    }
    sql.append(" LIMIT ").append(bind(limit)).append(" OFFSET ").append(bind(offset));
    return sql.toString();
  }

  public Map<String, Object> parameters() {
    return parameters;
  }

  private String condition(Comparison comparison) {
    if (comparison.type() == EntityType.ATTRIBUTE) {
      return compare(fields.attribute(comparison.key()).column(), comparison);
    }
    KeyValueTable table = fields.table(comparison.type());
    String alias = "f" + aliases++;
    StringBuilder sql = new StringBuilder("EXISTS (SELECT 1 FROM ").append(table.table())
        .append(' ').append(alias).append(" WHERE ").append(alias).append('.')
        .append(table.ownerColumn()).append(" = ").append(fields.ownerColumn()).append(" AND ")
        .append(alias).append('.').append(table.keyColumn()).append(" = ")
        .append(bind(comparison.key())).append(" AND ")
        .append(compare(alias + "." + table.valueColumn(), comparison));
    if (comparison.type() == EntityType.METRIC && comparison.comparator() != Comparator.NOT_EQUAL) {
      // NaN is stored as NaN, which both databases sort above every number; a NaN metric must
      // satisfy no ordering or equality, as in IEEE arithmetic.
      sql.append(" AND NOT ").append(alias).append(".is_nan");
    }
    return sql.append(')').toString();
  }

  private String compare(String column, Comparison comparison) {
    return switch (comparison.comparator()) {
      case EQUAL -> column + " = " + bind(comparison.value());
      case NOT_EQUAL -> column + " <> " + bind(comparison.value());
      case GREATER -> column + " > " + bind(comparison.value());
      case GREATER_OR_EQUAL -> column + " >= " + bind(comparison.value());
      case LESS -> column + " < " + bind(comparison.value());
      case LESS_OR_EQUAL -> column + " <= " + bind(comparison.value());
      case LIKE -> column + " LIKE " + bind(comparison.value());
      // LOWER on both sides behaves the same on H2 and PostgreSQL, whatever their collations.
      case ILIKE -> "LOWER(" + column + ") LIKE LOWER(" + bind(comparison.value()) + ")";
      case IN -> column + " IN " + bindAll(comparison.values());
      case NOT_IN -> column + " NOT IN " + bindAll(comparison.values());
    };
  }

  private void order(OrderTerm term) {
    String direction = term.ascending() ? " ASC" : " DESC";
    if (term.type() == EntityType.ATTRIBUTE) {
      String column = fields.attribute(term.key()).column();
      orderings.add("CASE WHEN " + column + " IS NULL THEN 1 ELSE 0 END");
      orderings.add(column + direction);
      return;
    }
    KeyValueTable table = fields.table(term.type());
    String alias = "o" + aliases++;
    joins.add("LEFT JOIN " + table.table() + " " + alias + " ON " + alias + "."
        + table.ownerColumn() + " = " + fields.ownerColumn() + " AND " + alias + "."
        + table.keyColumn() + " = " + bind(term.key()));
    String column = alias + "." + table.valueColumn();
    // As MLflow: entities without the key sort last in either direction, NaN metrics just
    // before them.
    if (term.type() == EntityType.METRIC) {
      orderings.add("CASE WHEN " + column + " IS NULL THEN 2 WHEN " + alias
          + ".is_nan THEN 1 ELSE 0 END");
    } else {
      orderings.add("CASE WHEN " + column + " IS NULL THEN 1 ELSE 0 END");
    }
    orderings.add(column + direction);
  }
}
