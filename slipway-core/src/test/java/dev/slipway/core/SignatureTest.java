package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SignatureTest {
  private final Signature signature = Signature.of(
      List.of(new TensorSpec("a", DataType.FP32, new long[] {-1, 2}),
          new TensorSpec("b", DataType.INT64, new long[] {-1})),
      List.of(new TensorSpec("y", DataType.FP32, new long[] {-1})));

  private static Tensor a(int rows) {
    return Tensor.ofFloats("a", new long[] {rows, 2}, new float[rows * 2]);
  }

  private static Tensor b(int rows) {
    return Tensor.ofLongs("b", new long[] {rows}, new long[rows]);
  }

  @Test
  void conform_ordersInputsAsSigned() {
    assertThat(signature.conform(List.of(b(3), a(3)))).extracting(Tensor::name)
        .containsExactly("a", "b");
  }

  @Test
  void conform_missingInput_namesIt() {
    assertThatThrownBy(() -> signature.conform(List.of(a(1))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("input 'b': missing");
  }

  @Test
  void conform_unknownInput_namesItAndTheExpected() {
    Tensor c = Tensor.ofLongs("c", new long[] {1}, new long[1]);
    assertThatThrownBy(() -> signature.conform(List.of(a(1), b(1), c)))
        .hasMessageContaining("input 'c': unknown").hasMessageContaining("[a, b]");
  }

  @Test
  void conform_wrongDatatype_namesBoth() {
    Tensor wrong = Tensor.ofDoubles("a", new long[] {1, 2}, new double[2]);
    assertThatThrownBy(() -> signature.conform(List.of(wrong, b(1))))
        .hasMessageContaining("input 'a': datatype FP64 (expected FP32)");
  }

  @Test
  void conform_wrongShape_showsExpectedShape() {
    Tensor wrong = Tensor.ofFloats("a", new long[] {1, 3}, new float[3]);
    assertThatThrownBy(() -> signature.conform(List.of(wrong, b(1))))
        .hasMessageContaining("shape [1, 3] (expected [-1, 2]");
  }

  @Test
  void conform_batchSizesDisagree_isRefused() {
    assertThatThrownBy(() -> signature.conform(List.of(a(2), b(3))))
        .hasMessageContaining("input 'b': batch size 3 (expected 2");
  }

  @Test
  void conform_sameInputTwice_isRefused() {
    assertThatThrownBy(() -> signature.conform(List.of(a(1), a(1), b(1))))
        .hasMessageContaining("given more than once");
  }

  @Test
  void concatRowsThenRows_roundTrips() {
    Tensor first = Tensor.ofFloats("a", new long[] {1, 2}, new float[] {1, 2});
    Tensor second = Tensor.ofFloats("a", new long[] {2, 2}, new float[] {3, 4, 5, 6});
    Tensor joined = Tensor.concatRows(List.of(first, second));
    assertThat(joined.shape()).containsExactly(3, 2);
    assertThat(joined.rows(1, 3).floats()).containsExactly(3, 4, 5, 6);
  }
}
