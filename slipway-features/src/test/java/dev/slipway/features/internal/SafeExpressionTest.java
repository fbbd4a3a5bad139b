package dev.slipway.features.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidInputException;
import dev.slipway.features.ValueType;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafeExpressionTest {
  static Object eval(String source, ValueType type, Map<String, Object> inputs) {
    return SafeExpression.compile("test", source, type).evaluate(inputs);
  }

  @Test
  void arithmeticComparisonsTernariesAndMath() {
    assertThat(eval("a * 2 + b / 4", ValueType.FLOAT64, Map.of("a", 1.5, "b", 2.0)))
        .isEqualTo(3.5);
    assertThat(eval("a > b && a != 0 ? 'up' : 'down'", ValueType.STRING,
        Map.of("a", 3L, "b", 2L))).isEqualTo("up");
    assertThat(eval("math:pow(a, 2) + math:abs(b)", ValueType.FLOAT32,
        Map.of("a", 3, "b", -1.0))).isEqualTo(10.0f);
    assertThat(eval("a + b", ValueType.INT64, Map.of("a", 3, "b", 4L))).isEqualTo(7L);
    assertThat(eval("a % 3", ValueType.INT32, Map.of("a", 10L))).isEqualTo(1);
  }

  @Test
  void nullInputsGiveNullUnlessHandled() {
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("a", null);
    assertThat(eval("a * 2", ValueType.FLOAT64, inputs)).isNull();
    assertThat(eval("a == null ? -1 : a", ValueType.INT64, inputs)).isEqualTo(-1L);
  }

  @Test
  void resultTypeIsChecked() {
    assertThatThrownBy(() -> eval("a / 2.0", ValueType.INT64, Map.of("a", 3L)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContainingAll("test", "'a / 2.0'", "gave Double 1.5", "expected int64");
    assertThatThrownBy(() -> eval("'x'", ValueType.BOOL, Map.of()))
        .hasMessageContaining("expected bool");
  }

  @Test
  void refusesEscapesAtParseOrRunTime() {
    for (String source : new String[] {"new('java.io.File', 'x')",
        "a.getClass().forName('java.lang.Runtime')", "''.class", "a = 1",
        "for (var i : [1]) { i }", "while (true) {}", "var x = 1", "x -> 1",
        "#pragma jexl.namespace.r java.lang.Runtime\\n 1", "math:getClass()",
        "a.class.name"}) {
      assertThatThrownBy(() -> eval(source, ValueType.FLOAT64, Map.of("a", 1.0)))
          .as(source).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("test");
    }
  }
}
