package dev.slipway.registry.tracking.internal;

import java.util.Set;

/** The comparison operators of MLflow's filter syntax. */
public enum Comparator {
  EQUAL("="),
  NOT_EQUAL("!="),
  GREATER(">"),
  GREATER_OR_EQUAL(">="),
  LESS("<"),
  LESS_OR_EQUAL("<="),
  LIKE("LIKE"),
  ILIKE("ILIKE"),
  IN("IN"),
  NOT_IN("NOT IN");

  /** What metrics and numeric attributes accept. */
  static final Set<Comparator> NUMERIC =
      Set.of(EQUAL, NOT_EQUAL, GREATER, GREATER_OR_EQUAL, LESS, LESS_OR_EQUAL);
  /** What params, tags and string attributes accept. */
  static final Set<Comparator> STRING = Set.of(EQUAL, NOT_EQUAL, LIKE, ILIKE, IN, NOT_IN);

  private final String symbol;

  Comparator(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  static Comparator fromSymbol(String symbol) {
    for (Comparator comparator : values()) {
      if (comparator.symbol.equals(symbol)) {
        return comparator;
      }
    }
    return null;
  }

  boolean takesList() {
    return this == IN || this == NOT_IN;
  }
}
