package dev.slipway.core.tabular;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.slipway.core.DataType;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.core.runtime.RuntimeOptions;
import dev.slipway.core.tabular.TabularScorer.OutputColumn;
import dev.slipway.core.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TabularScorerTest {
  private static final List<String> FEATURES =
      IntStream.range(0, 30).mapToObj(i -> "f" + i).toList();
  private final Model model =
      ModelLoader.withInstalledRuntimes().load(Fixtures.path("bc_mlp.onnx"), RuntimeOptions.DEFAULT);

  @AfterEach
  void close() {
    model.close();
  }

  @Test
  void bind_matrixModel_takesEveryColumnButPassThrough() {
    List<String> columns = new ArrayList<>(FEATURES);
    columns.add(0, "id");
    columns.add("label");
    TabularScorer scorer = TabularScorer.bind(model, columns, List.of(), Set.of("id", "label"));
    assertThat(scorer.featureColumns()).isEqualTo(FEATURES);
    assertThat(scorer.outputColumns()).containsExactly(
        new OutputColumn("probabilities_0", DataType.FP32, 0, 0),
        new OutputColumn("probabilities_1", DataType.FP32, 0, 1));
  }

  @Test
  void bind_wrongColumnCount_namesTheCountAndTheFix() {
    List<String> columns = new ArrayList<>(FEATURES);
    columns.add("label");
    assertThatThrownBy(() -> TabularScorer.bind(model, columns, List.of(), Set.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("takes 30 feature columns, the input offers 31")
        .hasMessageContaining("--key");
  }

  @Test
  void bind_unknownFeature_namesIt() {
    assertThatThrownBy(() -> TabularScorer.bind(model, FEATURES, List.of("nope"), Set.of()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("feature column 'nope'");
  }

  @Test
  void scoreFloats_fp32Matrix_givesWhatScoreGives() {
    float[][] rows = Fixtures.breastCancerFeatures();
    float[] floats = new float[40 * 30];
    double[] doubles = new double[40 * 30];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = rows[i / 30][i % 30];
      doubles[i] = floats[i];
    }
    TabularScorer scorer = TabularScorer.bind(model, FEATURES, List.of(), Set.of());

    assertThat(scorer.takesFloats()).isTrue();
    Object[] fromFloats = scorer.scoreFloats(floats, 33);
    Object[] fromDoubles = scorer.score(doubles, 33);
    assertThat((float[]) fromFloats[1]).hasSize(33).containsExactly((float[]) fromDoubles[1]);
  }

  @Test
  void score_breastCancer_matchesPytorchReference() {
    float[][] rows = Fixtures.breastCancerFeatures();
    double[] reference = Fixtures.breastCancerReferenceP1();
    double[] values = new double[rows.length * 30];
    for (int row = 0; row < rows.length; row++) {
      for (int f = 0; f < 30; f++) {
        values[row * 30 + f] = rows[row][f];
      }
    }
    TabularScorer scorer = TabularScorer.bind(model, FEATURES, List.of(), Set.of());
    Object[] columns = scorer.score(values, rows.length);
    float[] p0 = (float[]) columns[0];
    float[] p1 = (float[]) columns[1];
    assertThat(p1).hasSize(rows.length);
    for (int row = 0; row < rows.length; row++) {
      assertThat((double) p1[row]).as("row %d", row).isCloseTo(reference[row], within(1e-5));
      assertThat(p0[row] + p1[row]).isCloseTo(1f, within(1e-5f));
    }
  }
}
