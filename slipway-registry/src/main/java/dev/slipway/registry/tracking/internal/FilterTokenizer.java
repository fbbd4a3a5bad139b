package dev.slipway.registry.tracking.internal;

import dev.slipway.registry.tracking.internal.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits an MLflow filter or order_by clause into tokens. Quotes inside strings are written
 * twice ({@code 'it''s'}); backslashes are kept as they are, so LIKE patterns keep their escapes.
 */
final class FilterTokenizer {
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

  private final String input;
  private final BiFunction<String, Integer, RuntimeException> error;
  private int position;

  /** {@code error} builds the exception for a problem at a character position. */
  private FilterTokenizer(String input, BiFunction<String, Integer, RuntimeException> error) {
    this.input = input;
    this.error = error;
  }

  static List<Token> tokenize(String input, BiFunction<String, Integer, RuntimeException> error) {
    return new FilterTokenizer(input, error).all();
  }

  private List<Token> all() {
    List<Token> tokens = new ArrayList<>();
    while (true) {
      while (position < input.length() && Character.isWhitespace(input.charAt(position))) {
        position++;
      }
      if (position >= input.length()) {
        tokens.add(new Token(Kind.END, "", input.length(), input.length()));
        return tokens;
      }
      tokens.add(next());
    }
  }

  private Token next() {
    char c = input.charAt(position);
    int start = position;
    if (Character.isLetter(c) || c == '_') {
      while (position < input.length() && isWordPart(input.charAt(position))) {
        position++;
      }
      return new Token(Kind.WORD, input.substring(start, position), start, position);
    }
    if (c == '`') {
      return quoted('`', Kind.BACKTICKED, "backticked key");
    }
    if (c == '\'') {
      return quoted('\'', Kind.SINGLE_QUOTED, "string");
    }
    if (c == '"') {
      return quoted('"', Kind.DOUBLE_QUOTED, "string");
    }
    if (Character.isDigit(c) || c == '.' || c == '+' || c == '-') {
      return number();
    }
    switch (c) {
      case '(':
        position++;
        return new Token(Kind.OPEN_PAREN, "(", start, position);
      case ')':
        position++;
        return new Token(Kind.CLOSE_PAREN, ")", start, position);
      case ',':
        position++;
        return new Token(Kind.COMMA, ",", start, position);
      case '=':
        position++;
        return new Token(Kind.OPERATOR, "=", start, position);
      case '!':
      case '<':
      case '>':
        return comparison(c);
      default:
        throw error.apply("unexpected character '" + c + "'", start);
    }
  }

  private static boolean isWordPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '/';
  }

  private Token comparison(char first) {
    int start = position;
    position++;
    boolean equalsFollows = position < input.length() && input.charAt(position) == '=';
    if (equalsFollows) {
      position++;
    } else if (first == '!') {
      throw error.apply("'!' must be followed by '=' (the operator is !=)", start);
    }
    return new Token(Kind.OPERATOR, input.substring(start, position), start, position);
  }

  private Token number() {
    int start = position;
    Matcher matcher = NUMBER.matcher(input).region(start, input.length());
    if (!matcher.lookingAt()) {
      throw error.apply("unexpected character '" + input.charAt(start) + "'", start);
    }
    position = matcher.end();
    if (position < input.length() && isWordPart(input.charAt(position))) {
      throw error.apply("malformed number '" + input.substring(start, wordEnd(position)) + "'",
          start);
    }
    return new Token(Kind.NUMBER, input.substring(start, position), start, position);
  }

  private int wordEnd(int from) {
    int end = from;
    while (end < input.length() && isWordPart(input.charAt(end))) {
      end++;
    }
    return end;
  }

  private Token quoted(char quote, Kind kind, String what) {
    int start = position;
    StringBuilder text = new StringBuilder();
    position++;
    while (position < input.length()) {
      char c = input.charAt(position);
      if (c == quote) {
        if (position + 1 < input.length() && input.charAt(position + 1) == quote) {
          text.append(quote);
          position += 2;
          continue;
        }
        position++;
        return new Token(kind, text.toString(), start, position);
      }
      text.append(c);
      position++;
    }
    throw error.apply("unterminated " + what + " (missing closing " + quote + ")", start);
  }
}
