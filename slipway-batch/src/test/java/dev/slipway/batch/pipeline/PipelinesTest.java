package dev.slipway.batch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelinesTest {
  @TempDir Path folder;

  private Path yaml(String text) throws Exception {
    return Files.writeString(folder.resolve("pipelines.yaml"), text);
  }

  @Test
  void load_fullSpec_readsEveryField() throws Exception {
    Map<String, PipelineSpec> specs = Pipelines.load(yaml("""
        pipelines:
          churn_daily:
            schedule: "0 2 * * *"
            engine: spark
            model: models:/churn@production
            source:
              file: data/customers.parquet
            key: customer_id
            timestamp: event_timestamp
            features: [a, b]
            sinks:
              parquet: scores/churn
              jdbc: {url: "jdbc:postgresql://127.0.0.1:5432/test", table: churn_scores}
              online:
                deployment: churn
                fallback:
                  inline_model: churn
                  baseline: {probabilities_1: 0.25}
            retries: 2
            retry_backoff: 10s
        """));

    PipelineSpec spec = specs.get("churn_daily");
    assertThat(spec.schedule()).isEqualTo("0 2 * * *");
    assertThat(spec.engine()).isEqualTo(PipelineSpec.Engine.SPARK);
    assertThat(spec.source()).isEqualTo(
        new PipelineSpec.Source.File(folder.resolve("data/customers.parquet")));
    assertThat(spec.keys()).containsExactly("customer_id");
    assertThat(spec.features()).containsExactly("a", "b");
    assertThat(spec.sinks().parquet()).isEqualTo(folder.resolve("scores/churn"));
    assertThat(spec.sinks().jdbc().table()).isEqualTo("churn_scores");
    assertThat(spec.sinks().online()).isEqualTo(new PipelineSpec.OnlineScores("churn", "churn",
        Map.of("probabilities_1", 0.25), false));
    assertThat(spec.retries()).isEqualTo(2);
    assertThat(spec.retryBackoff()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void load_mistakes_nameFilePipelineAndField() throws Exception {
    String base = """
        pipelines:
          p:
            model: models:/m/1
            source: {file: x.csv}
            sinks: {parquet: out}
        """;
    List<String[]> cases = List.of(
        new String[] {base + "    schedul: \"0 2 * * *\"\n", "unknown key 'schedul'"},
        new String[] {base + "    schedule: \"0 25 * * *\"\n", "schedule '0 25 * * *'"},
        new String[] {base + "    engine: flink\n", "engine 'flink' (expected local or spark)"},
        new String[] {base.replace("models:/m/1", "m.onnx"), "expected a registry URI"},
        new String[] {base.replace("{parquet: out}", "{}"), "expected at least one of"},
        new String[] {base.replace("{file: x.csv}", "{file: x.csv, jdbc: {url: u, query: q}}"),
            "exactly one of file, feature_view, jdbc"},
        new String[] {base + "    retries: -1\n", "retries -1"},
        new String[] {base + "    retries: 2.5\n", "retries 2.5"},
        new String[] {base.replace("{parquet: out}", "{online: {deployment: d}}"),
            "online needs key"},
        new String[] {base + "    engine: spark\n", "engine spark needs key"},
        new String[] {base + "    schedule: \"0 2 30 2 *\"\n", "never fires"},
        new String[] {base.replace("models:/m/1", "models:/m@"), "expected a registry URI"},
        new String[] {base + "    retry_backoff: soon\n", "retry_backoff 'soon'"});
    for (String[] bad : cases) {
      Path file = yaml(bad[0]);
      assertThatThrownBy(() -> Pipelines.load(file)).as(bad[1])
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining(file + ":2: pipeline 'p'")
          .hasMessageContaining(bad[1]);
    }
  }

  @Test
  void load_keyGivenTwice_isRefusedNamingItsLine() throws Exception {
    Path file = yaml("""
        pipelines:
          a:
            model: models:/m/1
            source: {file: x.csv}
            sinks: {parquet: out}
          a:
            model: models:/m/2
            source: {file: y.csv}
            sinks: {parquet: out2}
        """);

    assertThatThrownBy(() -> Pipelines.load(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith(file + ": cannot read YAML (Duplicate field 'a'")
        .hasMessageContaining("line: 6");
  }

  @Test
  void load_missingFile_namesIt() {
    assertThatThrownBy(() -> Pipelines.load(folder.resolve("nope.yaml")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("nope.yaml: no such file");
  }
}
