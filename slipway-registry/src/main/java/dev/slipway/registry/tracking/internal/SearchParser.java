package dev.slipway.registry.tracking.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.tracking.internal.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Parses MLflow's search syntax by recursive descent over {@link FilterTokenizer}'s tokens:
 *
 * <pre>
 * filter     := comparison (AND comparison)*
 * comparison := identifier comparator value
 * identifier := [prefix '.'] (word | `backticked` | "quoted")   prefix: metrics, params, tags,
 *                                                               attributes (and their aliases)
 * value      := number | 'string' | "string" | '(' string (',' string)* ')'
 * order_by   := identifier [ASC | DESC]
 * </pre>
 *
 * Every error is INVALID_PARAMETER_VALUE naming the character position and the token found.
 */
public final class SearchParser {
  private final String input;
  private final String what;
  private final SearchFields fields;
  private final List<Token> tokens;
  private int index;

  private SearchParser(String input, String what, SearchFields fields) {
    this.input = input;
    this.what = what;
    this.fields = fields;
    this.tokens = FilterTokenizer.tokenize(input, this::error);
  }

  /** The comparisons of a filter, all of which must hold; empty for a null or blank filter. */
  public static List<Comparison> filter(String filter, SearchFields fields) {
    if (filter == null || filter.isBlank()) {
      return List.of();
    }
    return new SearchParser(filter, "filter", fields).comparisons();
  }

  /** One order_by clause such as {@code metrics.acc DESC}. */
  public static OrderTerm orderBy(String clause, SearchFields fields) {
    if (clause == null || clause.isBlank()) {
      throw MlflowException.invalid("Invalid order_by clause '" + clause + "': it is empty");
    }
    return new SearchParser(clause, "order_by clause", fields).orderTerm();
  }

  private List<Comparison> comparisons() {
    List<Comparison> comparisons = new ArrayList<>();
    while (true) {
      comparisons.add(comparison());
      Token next = peek();
      if (next.kind() == Kind.END) {
        return comparisons;
      }
      if (next.isKeyword("OR")) {
        throw error("OR is not supported; MLflow filters combine comparisons with AND only",
            next);
      }
      if (!next.isKeyword("AND")) {
        throw error("expected AND or the end of the filter but found " + next.describe(), next);
      }
      advance();
    }
  }

  private Comparison comparison() {
    Identifier identifier = identifier();
    boolean numeric = fields.numeric(identifier.type, identifier.key);
    Token operatorToken = peek();
    Comparator comparator = comparator(identifier);
    if (!(numeric ? Comparator.NUMERIC : Comparator.STRING).contains(comparator)) {
      throw error("'" + comparator.symbol() + "' cannot compare " + identifier.describe() + " ("
          + (numeric ? "numbers take =, !=, >, >=, <, <=" : "strings take =, !=, LIKE, ILIKE,"
          + " IN, NOT IN") + ")", operatorToken);
    }
    List<Object> values = new ArrayList<>();
    if (comparator.takesList()) {
      values.addAll(stringList(identifier));
    } else if (numeric) {
      values.add(number(identifier));
    } else {
      values.add(string(identifier));
    }
    return new Comparison(identifier.type, identifier.key, comparator, values);
  }

  private OrderTerm orderTerm() {
    Identifier identifier = identifier();
    boolean ascending = true;
    Token next = peek();
    if (next.isKeyword("ASC") || next.isKeyword("DESC")) {
      ascending = next.isKeyword("ASC");
      advance();
      next = peek();
    }
    if (next.kind() != Kind.END) {
      throw error("expected ASC, DESC or the end of the clause but found " + next.describe(),
          next);
    }
    return new OrderTerm(identifier.type, identifier.key, ascending);
  }

  /** A parsed identifier and the token it started at, for messages. */
  private record Identifier(EntityType type, String key, Token token) {
    String describe() {
      return type.singular() + " '" + key + "'";
    }
  }

  private Identifier identifier() {
    Token token = advance();
    if (token.kind() == Kind.BACKTICKED || token.kind() == Kind.DOUBLE_QUOTED) {
      return attribute(token.text(), token);
    }
    if (token.kind() != Kind.WORD || isReservedWord(token)) {
      throw error("expected an identifier such as metrics.<key>, params.<key>, tags.<key> or"
          + " attributes.<name> but found " + token.describe(), token);
    }
    String text = token.text();
    int dot = text.indexOf('.');
    if (dot < 0) {
      // MLflow reads a bare name as an attribute: "status = 'FINISHED'".
      return attribute(text, token);
    }
    String prefix = text.substring(0, dot);
    EntityType type = EntityType.fromPrefix(prefix);
    if (type == null || !fields.supports(type)) {
      throw error("unknown entity type '" + prefix + "' (expected " + expectedPrefixes() + ")",
          token);
    }
    String key = text.substring(dot + 1);
    if (key.isEmpty()) {
      Token quoted = peek();
      boolean adjacent = quoted.start() == token.end();
      if (!adjacent || (quoted.kind() != Kind.BACKTICKED && quoted.kind() != Kind.DOUBLE_QUOTED)) {
        throw error("expected a key right after '" + text + "' (quote keys with spaces or"
            + " symbols in backticks: " + text + "`my key`)", quoted);
      }
      advance();
      key = quoted.text();
    }
    if (key.isEmpty()) {
      throw error("empty key after '" + prefix + ".'", token);
    }
    return type == EntityType.ATTRIBUTE ? attribute(key, token) : new Identifier(type, key, token);
  }

  private Identifier attribute(String name, Token token) {
    String canonical = fields.canonicalAttribute(name);
    if (canonical == null) {
      List<String> known = new ArrayList<>();
      fields.attributeNames().forEach(known::add);
      throw error("unknown " + fields.what() + " attribute '" + name + "' (expected one of "
          + String.join(", ", known) + ")", token);
    }
    return new Identifier(EntityType.ATTRIBUTE, canonical, token);
  }

  private String expectedPrefixes() {
    List<String> prefixes = new ArrayList<>();
    for (EntityType type : EntityType.values()) {
      if (fields.supports(type)) {
        prefixes.add(switch (type) {
          case METRIC -> "metrics";
          case PARAM -> "params";
          case TAG -> "tags";
          case ATTRIBUTE -> "attributes";
        });
      }
    }
    return prefixes.stream().collect(Collectors.joining(", "));
  }

  private static boolean isReservedWord(Token token) {
    for (String keyword : List.of("AND", "OR", "NOT", "IN", "LIKE", "ILIKE")) {
      if (token.isKeyword(keyword)) {
        return true;
      }
    }
    return false;
  }

  private Comparator comparator(Identifier identifier) {
    Token token = advance();
    Comparator comparator = null;
    if (token.kind() == Kind.OPERATOR) {
      comparator = Comparator.fromSymbol(token.text());
    } else if (token.isKeyword("LIKE") || token.isKeyword("ILIKE") || token.isKeyword("IN")) {
      comparator = Comparator.fromSymbol(token.upper());
    } else if (token.isKeyword("NOT")) {
      Token in = advance();
      if (!in.isKeyword("IN")) {
        throw error("expected IN after NOT but found " + in.describe(), in);
      }
      comparator = Comparator.NOT_IN;
    }
    if (comparator == null) {
      throw error("expected a comparison operator (=, !=, >, >=, <, <=, LIKE, ILIKE, IN,"
          + " NOT IN) after " + identifier.describe() + " but found " + token.describe(), token);
    }
    return comparator;
  }

  private Object number(Identifier identifier) {
    Token token = advance();
    if (token.kind() != Kind.NUMBER) {
      throw error("expected a number to compare " + identifier.describe() + " with but found "
          + token.describe(), token);
    }
    String text = token.text();
    if (identifier.type == EntityType.ATTRIBUTE && text.matches("[+-]?\\d+")) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw error("number " + text + " is out of range", token);
      }
    }
    return Double.parseDouble(text);
  }

  private String string(Identifier identifier) {
    Token token = advance();
    if (!token.isString()) {
      throw error("expected a quoted string to compare " + identifier.describe() + " with but"
          + " found " + token.describe() + " (use single or double quotes)", token);
    }
    return token.text();
  }

  private List<String> stringList(Identifier identifier) {
    Token open = advance();
    if (open.kind() != Kind.OPEN_PAREN) {
      throw error("expected '(' to start the list of values for " + identifier.describe()
          + " but found " + open.describe(), open);
    }
    List<String> values = new ArrayList<>();
    while (true) {
      values.add(string(identifier));
      Token next = advance();
      if (next.kind() == Kind.CLOSE_PAREN) {
        return values;
      }
      if (next.kind() != Kind.COMMA) {
        throw error("expected ',' or ')' in the list of values but found " + next.describe(),
            next);
      }
    }
  }

  private Token peek() {
    return tokens.get(index);
  }

  private Token advance() {
    Token token = tokens.get(index);
    if (token.kind() != Kind.END) {
      index++;
    }
    return token;
  }

  private MlflowException error(String problem, Token token) {
    return error(problem, token.start());
  }

  private MlflowException error(String problem, int position) {
    String where = position >= input.length() ? "at the end (position " + position + ")"
        : "at position " + position;
    return MlflowException.invalid("Invalid " + what + " '" + input + "': " + problem + " "
        + where);
  }
}
