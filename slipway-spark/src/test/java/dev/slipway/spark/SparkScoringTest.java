package dev.slipway.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import dev.slipway.core.InvalidInputException;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.core.runtime.RuntimeOptions;
import dev.slipway.core.tabular.TabularScorer;
import dev.slipway.core.testing.Fixtures;
import dev.slipway.spark.internal.ModelCache;
import dev.slipway.spark.testing.LocalSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkScoringTest {
  private static final int ROWS = 569;
  private static SparkSession spark;

  @TempDir
  Path temp;

  @BeforeAll
  static void startSpark() {
    spark = LocalSpark.start();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void score_breastCancer_matchesPyTorchAndInProcessScorer() {
    Dataset<Row> input = LocalSpark.csv(spark, Fixtures.path("breast_cancer.csv"));

    SparkScoring.Result result = SparkScoring.builder(Fixtures.path("bc_mlp.onnx"))
        .keys(List.of("label"))
        .build()
        .score(spark, input);
    List<Row> rows = result.scored().collectAsList();

    assertThat(result.scored().schema().fields()).extracting(StructField::name, StructField::dataType)
        .containsExactly(
            tuple("label", DataTypes.IntegerType),
            tuple("probabilities_0", DataTypes.FloatType),
            tuple("probabilities_1", DataTypes.FloatType),
            tuple("model_name", DataTypes.StringType),
            tuple("model_version", DataTypes.LongType));
    assertThat(rows).hasSize(ROWS);
    double[] reference = Fixtures.breastCancerReferenceP1();
    float[][] inProcess = scoreInProcess(LocalSpark.breastCancerCells());
    float[] labels = Fixtures.breastCancerLabels();
    for (int i = 0; i < ROWS; i++) {
      Row row = rows.get(i);
      assertThat(row.getInt(0)).as("label of row %d", i).isEqualTo((int) labels[i]);
      assertThat((double) row.getFloat(2)).as("p1 of row %d", i)
          .isCloseTo(reference[i], within(1e-5));
      assertThat(row.getFloat(1)).as("p0 of row %d", i).isEqualTo(inProcess[0][i]);
      assertThat(row.getFloat(2)).as("p1 of row %d", i).isEqualTo(inProcess[1][i]);
      assertThat(row.getString(3)).isEqualTo("bc_mlp");
      assertThat(row.isNullAt(4)).isTrue();
    }
    assertThat(result.quarantined().count()).isZero();
  }

  @Test
  void score_anyBatchSizeAndPartitioning_givesTheSameScores() {
    Dataset<Row> input = LocalSpark.csv(spark, Fixtures.path("breast_cancer.csv"));
    SparkScoring.Builder scoring = SparkScoring.builder(Fixtures.path("bc_mlp.onnx"))
        .keys(List.of("label"));
    List<Row> expected = scoring.build().score(spark, input).scored().collectAsList();
    int loadsBefore = ModelCache.loads();

    // 7 rows per call leaves a short last block in each of the 3 partitions.
    List<Row> actual = scoring.batchSize(7).modelVersion(3L).modelName("bc").build()
        .score(spark, input.repartition(3)).scored()
        .collectAsList();

    assertThat(ModelCache.loads()).as("model loads in this JVM").isEqualTo(loadsBefore);
    assertThat(actual).hasSize(ROWS);
    assertThat(actual).extracting(row -> row.getString(3), row -> row.getLong(4))
        .containsOnly(tuple("bc", 3L));
    assertThat(sortedScores(actual)).containsExactlyElementsOf(sortedScores(expected));
  }

  @Test
  void score_withoutKeys_keepsEveryColumnThatIsNotAFeature() {
    Dataset<Row> input = LocalSpark.csv(spark, Fixtures.path("breast_cancer.csv"));
    List<String> features = new ArrayList<>(List.of(input.columns()));
    features.remove("label");

    SparkScoring.Result result = SparkScoring.builder(Fixtures.path("bc_mlp.onnx"))
        .features(features)
        .build()
        .score(spark, input);

    assertThat(result.scored().columns()).containsExactly("label", "probabilities_0",
        "probabilities_1", "model_name", "model_version");
  }

  @Test
  void score_nullAndNonNumericCells_areQuarantinedWithRowNumberAndColumn() throws IOException {
    Path csv = temp.resolve("bad.csv");
    List<String> lines = new ArrayList<>(Files.readAllLines(Fixtures.path("breast_cancer.csv"))
        .subList(0, 7));
    // A space in a header must survive Spark's column parsing.
    lines.set(0, lines.get(0).replaceFirst("mean_radius", "mean radius"));
    lines.set(2, lines.get(2).replaceFirst("^[^,]*,", ","));
    lines.set(5, replaceCell(lines.get(5), 23, "abc"));
    Files.write(csv, lines);

    SparkScoring.Result result = SparkScoring.builder(Fixtures.path("bc_mlp.onnx"))
        .keys(List.of("label"))
        .build()
        .score(spark, LocalSpark.csv(spark, csv));

    assertThat(result.quarantined().collectAsList())
        .extracting(row -> row.getLong(0), row -> row.getString(1))
        .containsExactly(
            tuple(2L, "column 'mean radius' is null"),
            tuple(5L, "column 'worst_area' is not a number: 'abc'"));
    double[] reference = Fixtures.breastCancerReferenceP1();
    List<Row> scored = result.scored().collectAsList();
    assertThat(scored).hasSize(4);
    int[] scoredRows = {0, 2, 3, 5};
    for (int i = 0; i < scoredRows.length; i++) {
      assertThat((double) scored.get(i).getFloat(2)).isCloseTo(reference[scoredRows[i]],
          within(1e-5));
    }
  }

  @Test
  void score_missingKeyOrWrongFeatureCount_failsOnTheDriverNamingIt() {
    Dataset<Row> input = LocalSpark.csv(spark, Fixtures.path("breast_cancer.csv"));
    SparkScoring.Builder scoring = SparkScoring.builder(Fixtures.path("bc_mlp.onnx"));

    assertThatThrownBy(() -> scoring.keys(List.of("patient")).build().score(spark, input))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("key column 'patient': not in the input");
    assertThatThrownBy(() -> scoring.keys(List.of()).features(List.of("mean_radius")).build()
        .score(spark, input))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("takes 30 feature columns, the input offers 1");
  }

  private static float[][] scoreInProcess(double[][] cells) {
    int width = 30;
    double[] values = new double[cells.length * width];
    for (int i = 0; i < cells.length; i++) {
      System.arraycopy(cells[i], 0, values, i * width, width);
    }
    List<String> columns = new ArrayList<>();
    for (int f = 0; f < width; f++) {
      columns.add("f" + f);
    }
    columns.add("label");
    try (Model model = ModelLoader.withInstalledRuntimes()
        .load(Fixtures.path("bc_mlp.onnx"), RuntimeOptions.DEFAULT)) {
      TabularScorer scorer = TabularScorer.bind(model, columns, List.of(), List.of("label"));
      Object[] scores = scorer.score(values, cells.length);
      return new float[][] {(float[]) scores[0], (float[]) scores[1]};
    }
  }

  private static List<String> sortedScores(List<Row> rows) {
    return rows.stream().map(row -> row.get(0) + "," + row.getFloat(1) + "," + row.getFloat(2))
        .sorted().toList();
  }

  private static String replaceCell(String line, int column, String value) {
    String[] cells = line.split(",", -1);
    cells[column] = value;
    return String.join(",", cells);
  }
}
