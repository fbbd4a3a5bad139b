package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * MLflow's search filter grammar for the registry ({@code name LIKE 'fraud%' AND tags.team =
 * 'risk'}), translated into a SQL condition with bound parameters: clauses joined by AND, each a
 * key, a comparator and a quoted string, a number, or a parenthesized list for IN.
 */
public final class SearchFilter {
  /** How values compare. */
  public enum ValueType { STRING, NUMBER }

  /** A searchable attribute: its SQL column, value type and allowed comparators. */
  public record Attribute(String column, ValueType type, Set<String> comparators) {}

  /**
   * What one entity allows.
   *
   * @param tagCondition SQL with {@code %1$s} for the key parameter and {@code %2$s} for the
   *     value condition, e.g. an EXISTS over the tag table
   */
  public record Spec(Map<String, Attribute> attributes, String tagCondition,
      Set<String> tagComparators) {}

  /** The translated condition ("TRUE" for an empty filter) and its bindings. */
  public record Sql(String condition, Map<String, Object> bindings) {}

  public static final Set<String> STRING_COMPARATORS = Set.of("=", "!=", "LIKE", "ILIKE");
  public static final Set<String> NUMBER_COMPARATORS = Set.of("=", "!=", "<", "<=", ">", ">=");

  private final String filter;
  private final Spec spec;
  private final List<String> tokens;
  private final Map<String, Object> bindings = new LinkedHashMap<>();
  private int position;

  private SearchFilter(String filter, Spec spec) {
    this.filter = filter;
    this.spec = spec;
    this.tokens = Tokenizer.tokens(filter);
  }

  /**
   * Translates {@code filter} for {@code spec}.
   *
   * @throws MlflowException INVALID_PARAMETER_VALUE naming the offending part
   */
  public static Sql toSql(String filter, Spec spec) {
    if (filter == null || filter.isBlank()) {
      return new Sql("TRUE", Map.of());
    }
    return new SearchFilter(filter, spec).parse();
  }

  private Sql parse() {
    List<String> conditions = new ArrayList<>();
    conditions.add(clause());
    while (position < tokens.size()) {
      String next = tokens.get(position++);
      if (!next.equalsIgnoreCase("AND")) {
        throw invalid("expected AND between clauses, found '" + next + "'"
            + (next.equalsIgnoreCase("OR") ? " (OR is not supported)" : ""));
      }
      conditions.add(clause());
    }
    return new Sql(String.join(" AND ", conditions), bindings);
  }

  private String clause() {
    String key = next("a key");
    String comparator = next("a comparator").toUpperCase(Locale.ROOT);
    if (comparator.equals("<>")) {
      comparator = "!=";
    }
    String tagKey = tagKey(key);
    if (tagKey != null) {
      checkComparator(key, comparator, spec.tagComparators());
      String keyParameter = bind(tagKey);
      String valueCondition = condition("t.tag_value", comparator, ValueType.STRING);
      return String.format(spec.tagCondition(), keyParameter, valueCondition);
    }
    Attribute attribute = spec.attributes().get(key.toLowerCase(Locale.ROOT));
    if (attribute == null) {
      throw invalid("invalid key '" + key + "'; valid keys are "
          + String.join(", ", spec.attributes().keySet()) + " and tags.<key>");
    }
    checkComparator(key, comparator, attribute.comparators());
    return condition(attribute.column(), comparator, attribute.type());
  }

  private String condition(String column, String comparator, ValueType type) {
    if (comparator.equals("IN")) {
      List<String> parameters = new ArrayList<>();
      expect("(");
      do {
        parameters.add(bind(value(type)));
      } while (optional(","));
      expect(")");
      return column + " IN (" + String.join(", ", parameters) + ")";
    }
    String parameter = bind(value(type));
    return switch (comparator) {
      case "ILIKE" -> "LOWER(" + column + ") LIKE LOWER(" + parameter + ")";
      case "!=" -> column + " <> " + parameter;
      default -> column + " " + comparator + " " + parameter;
    };
  }

  private Object value(ValueType type) {
    String token = next("a value");
    boolean quoted = token.length() >= 2 && (token.charAt(0) == '\'' || token.charAt(0) == '"');
    if (type == ValueType.STRING) {
      if (!quoted) {
        throw invalid("value " + token + " must be quoted with single or double quotes");
      }
      return Tokenizer.unquote(token);
    }
    try {
      return Long.parseLong(quoted ? Tokenizer.unquote(token) : token);
    } catch (NumberFormatException e) {
      throw invalid("expected an integer, found " + token);
    }
  }

  private static String tagKey(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    for (String prefix : List.of("tags.", "tag.")) {
      if (lower.startsWith(prefix) && key.length() > prefix.length()) {
        return Tokenizer.unquote(key.substring(prefix.length()));
      }
    }
    return null;
  }

  private void checkComparator(String key, String comparator, Set<String> allowed) {
    if (!allowed.contains(comparator)) {
      throw invalid("comparator '" + comparator + "' is not supported for '" + key
          + "'; use one of " + String.join(", ", allowed.stream().sorted().toList()));
    }
  }

  private String bind(Object value) {
    String name = "f" + bindings.size();
    bindings.put(name, value);
    return ":" + name;
  }

  private String next(String expected) {
    if (position >= tokens.size()) {
      throw invalid("expected " + expected + " at the end");
    }
    return tokens.get(position++);
  }

  private boolean optional(String token) {
    if (position < tokens.size() && tokens.get(position).equals(token)) {
      position++;
      return true;
    }
    return false;
  }

  private void expect(String token) {
    String found = next("'" + token + "'");
    if (!found.equals(token)) {
      throw invalid("expected '" + token + "', found '" + found + "'");
    }
  }

  private MlflowException invalid(String problem) {
    return MlflowException.invalid("Invalid filter '" + filter + "': " + problem);
  }

  /** Splits a filter into keys, comparators, quoted strings, numbers and punctuation. */
  static final class Tokenizer {
    private Tokenizer() {}

    static List<String> tokens(String text) {
      List<String> tokens = new ArrayList<>();
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '\'' || c == '"' || c == '`') {
          int end = closingQuote(text, i);
          tokens.add(text.substring(i, end + 1));
          i = end + 1;
        } else if (c == '(' || c == ')' || c == ',') {
          tokens.add(String.valueOf(c));
          i++;
        } else if (c == '=' || c == '!' || c == '<' || c == '>') {
          int end = i + 1;
          if (end < text.length() && (text.charAt(end) == '=' || text.charAt(end) == '>')) {
            end++;
          }
          tokens.add(text.substring(i, end));
          i = end;
        } else {
          int end = i;
          while (end < text.length() && isWordChar(text.charAt(end))) {
            end++;
          }
          // A key such as tags.`my key` or tags."my key" continues into its quoted part.
          if (end > i && text.charAt(end - 1) == '.' && end < text.length()
              && (text.charAt(end) == '`' || text.charAt(end) == '"')) {
            end = closingQuote(text, end) + 1;
          }
          if (end == i) {
            throw MlflowException.invalid("Invalid filter '" + text + "': unexpected character '"
                + c + "'");
          }
          tokens.add(text.substring(i, end));
          i = end;
        }
      }
      return tokens;
    }

    private static boolean isWordChar(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-' || c == '+';
    }

    private static int closingQuote(String text, int start) {
      char quote = text.charAt(start);
      int end = text.indexOf(quote, start + 1);
      if (end >= 0) {
        return end;
      }
      throw MlflowException.invalid("Invalid filter '" + text + "': unclosed quote " + quote);
    }

    /**
     * Strips matching quotes; unquoted text is returned unchanged. Backslashes are kept, so LIKE
     * patterns keep their escapes; a value holding one kind of quote uses the other kind.
     */
    static String unquote(String token) {
      if (token.length() < 2) {
        return token;
      }
      char first = token.charAt(0);
      if ((first != '\'' && first != '"' && first != '`')
          || token.charAt(token.length() - 1) != first) {
        return token;
      }
      return token.substring(1, token.length() - 1);
    }
  }
}
