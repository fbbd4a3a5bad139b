package dev.slipway.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.spark.testing.LocalEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch pipeline with {@code engine: spark}, run by the slipway command as a user would: the
 * quickstart's registry, model and feature view, the job submitted with a spark-submit-like
 * command (this module's class path, {@code local[2]}), and the same pipeline on the local
 * engine writing the same scores.
 */
class SparkPipelineTest extends LocalEngineTestBase {
  private static final String PIPELINES = """
      pipelines:
        churn_local:
          model: models:/churn@production
          source: {feature_view: customer_profile}
          sinks: {parquet: out/local}
        churn_spark:
          engine: spark
          model: models:/churn@production
          source: {feature_view: customer_profile}
          sinks: {parquet: out/spark}
      """;

  @TempDir
  Path dir;

  @Test
  void sparkEnginePipeline_writesTheScoresOfTheLocalEngine()
      throws IOException, InterruptedException {
    LocalEngine.Ran quickstart = localEngine.slipway("quickstart", "--no-wait", "--port", "0",
        "--dir", dir.toString());
    assertThat(quickstart.exitCode()).as(quickstart.output()).isZero();
    Path features = dir.resolve("features");
    Path pipelines = Files.writeString(features.resolve("spark-pipelines.yaml"), PIPELINES);
    String submit = Path.of(System.getProperty("java.home"), "bin", "java") + " -cp "
        + System.getProperty("java.class.path") + " " + SparkScoringJob.class.getName()
        + " --master local[2]";
    List<String> common = List.of("--file", pipelines.toString(), "--data-dir", dir.toString(),
        "--features", features.resolve("features.yaml").toString());

    LocalEngine.Ran local = localEngine.slipway(concat(List.of("pipeline", "run", "churn_local"),
        common));
    LocalEngine.Ran onSpark = localEngine.slipway(concat(List.of("pipeline", "run",
        "churn_spark", "--spark-submit", submit), common));

    assertThat(local.exitCode()).as(local.output()).isZero();
    assertThat(onSpark.exitCode()).as(onSpark.output()).isZero();
    assertThat(onSpark.output()).contains("SUCCEEDED").contains("1000 scored")
        .contains("model churn version 1");
    Dataset<Row> localScores = spark.read().parquet(features.resolve("out/local") + "/*/*");
    Dataset<Row> sparkScores = spark.read().parquet(features.resolve("out/spark") + "/*/*");
    assertThat(sparkScores.columns()).containsExactly(localScores.columns());
    assertThat(sparkScores.count()).isEqualTo(1000);
    assertThat(sparkScores.exceptAll(localScores).count()).isZero();
    assertThat(localScores.exceptAll(sparkScores).count()).isZero();
  }

  private static String[] concat(List<String> first, List<String> second) {
    return java.util.stream.Stream.concat(first.stream(), second.stream())
        .toArray(String[]::new);
  }
}
