package dev.slipway.registry.models;

import dev.slipway.registry.MlflowException;

/** How a validation compares a metric value with its threshold or with production's value. */
public enum MetricComparator {
  GREATER_OR_EQUAL(">="),
  GREATER(">"),
  LESS_OR_EQUAL("<="),
  LESS("<");

  private final String symbol;

  MetricComparator(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  /** True when {@code value} compares as required with {@code reference}; NaN never passes. */
  public boolean test(double value, double reference) {
    if (Double.isNaN(value) || Double.isNaN(reference)) {
      return false;
    }
    return switch (this) {
      case GREATER_OR_EQUAL -> value >= reference;
      case GREATER -> value > reference;
      case LESS_OR_EQUAL -> value <= reference;
      case LESS -> value < reference;
    };
  }

  /**
   * @throws MlflowException INVALID_PARAMETER_VALUE for anything but {@code >= > <= <}
   */
  public static MetricComparator parse(String symbol) {
    for (MetricComparator comparator : values()) {
      if (comparator.symbol.equals(symbol == null ? null : symbol.trim())) {
        return comparator;
      }
    }
    throw MlflowException.invalid("Invalid comparator '" + symbol
        + "'; use one of >=, >, <=, <");
  }

  @Override
  public String toString() {
    return symbol;
  }
}
