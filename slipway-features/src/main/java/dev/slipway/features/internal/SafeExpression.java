package dev.slipway.features.internal;

import dev.slipway.core.InvalidInputException;
import dev.slipway.features.ValueType;
import java.util.Map;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.MapContext;
import org.apache.commons.jexl3.introspection.JexlPermissions;
import org.apache.commons.jexl3.introspection.JexlSandbox;

/**
 * An on-demand feature expression in a locked-down JEXL: arithmetic, comparisons, ternaries and
 * the functions of {@link MathFunctions} under the {@code math:} namespace. The grammar refuses
 * loops, assignments, {@code new}, lambdas, method calls and pragmas at parse time; the sandbox
 * refuses access to any class but {@link MathFunctions} at run time, in case a construct slips
 * through the grammar.
 */
public final class SafeExpression {
  private static final JexlEngine ENGINE = createEngine();

  private final String where;
  private final String source;
  private final JexlScript expression;
  private final ValueType type;

  private SafeExpression(String where, String source, JexlScript expression, ValueType type) {
    this.where = where;
    this.source = source;
    this.expression = expression;
    this.type = type;
  }

  /** Parses {@code source}; {@code where} names the file and definition for errors. */
  public static SafeExpression compile(String where, String source, ValueType type) {
    if (source == null || source.isBlank()) {
      throw new InvalidInputException(where + ": empty expression (expected e.g. 'a * 2 + b')");
    }
    try {
      return new SafeExpression(where, source, ENGINE.createScript(source), type);
    } catch (JexlException e) {
      throw new InvalidInputException(where + ": expression '" + source
          + "' is not allowed or not valid (" + cleanMessage(e)
          + "); expected arithmetic, comparisons, ternaries and math: functions only");
    }
  }

  /** Variables the expression reads, to check them against declared inputs. */
  public java.util.Set<String> variables() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (java.util.List<String> path : expression.getVariables()) {
      names.add(String.join(".", path));
    }
    return names;
  }

  /** Evaluates over {@code inputs} and converts the result to the declared type. */
  public Object evaluate(Map<String, Object> inputs) {
    Object result;
    try {
      result = expression.execute(new MapContext(new java.util.HashMap<>(inputs)));
    } catch (JexlException e) {
      // A missing feature value makes the computed one missing too, unless the expression
      // tests for null itself (strict arithmetic refuses null operands).
      if (inputs.values().stream().anyMatch(java.util.Objects::isNull)) {
        return null;
      }
      throw new InvalidInputException(where + ": expression '" + source
          + "' failed (" + cleanMessage(e) + ") on inputs " + inputs);
    }
    return convert(result);
  }

  private Object convert(Object result) {
    if (result == null) {
      return null;
    }
    switch (type) {
      case INT32:
      case INT64:
        if (result instanceof Number number && !(result instanceof Double)
            && !(result instanceof Float) && !(result instanceof java.math.BigDecimal)) {
          return type == ValueType.INT32 ? (Object) number.intValue() : (Object) number.longValue();
        }
        break;
      case FLOAT32:
        if (result instanceof Number number) {
          return number.floatValue();
        }
        break;
      case FLOAT64:
        if (result instanceof Number number) {
          return number.doubleValue();
        }
        break;
      case BOOL:
        if (result instanceof Boolean) {
          return result;
        }
        break;
      case STRING:
        if (result instanceof String) {
          return result;
        }
        break;
      default:
        break;
    }
    throw new InvalidInputException(where + ": expression '" + source + "' gave "
        + result.getClass().getSimpleName() + " " + result + " (expected "
        + type.name().toLowerCase(java.util.Locale.ROOT) + ")");
  }

  private static String cleanMessage(JexlException e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message.replace('\n', ' ');
  }

  private static JexlEngine createEngine() {
    JexlFeatures features = new JexlFeatures()
        .loops(false)
        .sideEffect(false)
        .sideEffectGlobal(false)
        .newInstance(false)
        .methodCall(false)
        .lambda(false)
        .thinArrow(false)
        .fatArrow(false)
        .localVar(false)
        .annotation(false)
        .pragma(false)
        .namespacePragma(false)
        .importPragma(false)
        .structuredLiteral(false)
        .register(false);
    // Deny-by-default: no class is reachable except the functions exposed explicitly.
    JexlSandbox sandbox = new JexlSandbox(false);
    sandbox.allow(MathFunctions.class.getName());
    return new JexlBuilder()
        .features(features)
        // RESTRICTED plus the one class expressions may reach.
        .permissions(new JexlPermissions.ClassPermissions(MathFunctions.class))
        .sandbox(sandbox)
        .namespaces(Map.of("math", new MathFunctions()))
        .antish(false)
        .strict(true)
        .safe(false)
        .silent(false)
        .cache(256)
        .create();
  }

  /**
   * The only functions expressions may call, as {@code math:name(...)}. Instance methods, because
   * the sandbox checks the class of the namespace object, and only this class is allowed.
   */
  public static final class MathFunctions {
    private MathFunctions() {}

    public double abs(double x) {
      return Math.abs(x);
    }

    public double sqrt(double x) {
      return Math.sqrt(x);
    }

    public double log(double x) {
      return Math.log(x);
    }

    public double exp(double x) {
      return Math.exp(x);
    }

    public double pow(double x, double y) {
      return Math.pow(x, y);
    }

    public double min(double x, double y) {
      return Math.min(x, y);
    }

    public double max(double x, double y) {
      return Math.max(x, y);
    }

    public double round(double x) {
      return Math.round(x);
    }

    public double floor(double x) {
      return Math.floor(x);
    }

    public double ceil(double x) {
      return Math.ceil(x);
    }
  }
}
