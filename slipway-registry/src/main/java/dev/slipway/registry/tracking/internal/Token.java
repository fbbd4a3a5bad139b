package dev.slipway.registry.tracking.internal;

import java.util.Locale;

/**
 * One lexical unit of a filter or order_by clause.
 *
 * @param start index of the first character in the input
 * @param end index after the last character (closing quote included)
 */
record Token(Kind kind, String text, int start, int end) {
  enum Kind {
    /** Unquoted name or keyword: letters, digits, {@code _ . - /}, starting with a letter. */
    WORD,
    /** {@code `key with spaces`}: a key, never a value. */
    BACKTICKED,
    /** {@code 'text'}: a string value. */
    SINGLE_QUOTED,
    /** {@code "text"}: a string value, or a key right after {@code metrics.} and the like. */
    DOUBLE_QUOTED,
    NUMBER,
    OPERATOR,
    OPEN_PAREN,
    CLOSE_PAREN,
    COMMA,
    END
  }

  boolean isKeyword(String keyword) {
    return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
  }

  boolean isString() {
    return kind == Kind.SINGLE_QUOTED || kind == Kind.DOUBLE_QUOTED;
  }

  /** How the token reads in an error message. */
  String describe() {
    return switch (kind) {
      case END -> "the end";
      case SINGLE_QUOTED -> "the string '" + text + "'";
      case DOUBLE_QUOTED -> "the string \"" + text + "\"";
      case BACKTICKED -> "`" + text + "`";
      default -> "'" + text + "'";
    };
  }

  String upper() {
    return text.toUpperCase(Locale.ROOT);
  }
}
