package dev.slipway.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreStoreTest {
  private static final Instant DAY_1 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant DAY_2 = Instant.parse("2026-01-02T00:00:00Z");

  @TempDir Path folder;
  private OnlineStore online;
  private ScoreStore scores;

  @BeforeEach
  void open() {
    online = OnlineStores.rocksDb(folder);
    scores = new ScoreStore(online);
  }

  @AfterEach
  void close() {
    online.close();
  }

  private static ScoreStore.Scores scores(double p1, long version, Instant dataTime) {
    return new ScoreStore.Scores(Map.of("probabilities_1", p1, "label", 1L), "bc", version,
        dataTime.plusSeconds(60), dataTime);
  }

  @Test
  void read_afterWrite_returnsScoresModelAndTimes() {
    scores.write("churn", Map.of(EntityKey.of(42L), scores(0.75, 3, DAY_1)));

    ScoreStore.Scores read = scores.read("churn", EntityKey.of("42")).orElseThrow();

    assertThat(read.scores()).containsEntry("probabilities_1", 0.75).containsEntry("label", 1);
    assertThat(read.modelName()).isEqualTo("bc");
    assertThat(read.modelVersion()).isEqualTo(3L);
    assertThat(read.dataTime()).isEqualTo(DAY_1);
    assertThat(read.scoredAt()).isEqualTo(DAY_1.plusSeconds(60));
    assertThat(scores.read("churn", EntityKey.of(43L))).isEmpty();
    assertThat(scores.read("fraud", EntityKey.of(42L))).isEmpty();
  }

  @Test
  void write_olderWindow_neverReplacesANewerOne() {
    scores.write("churn", Map.of(EntityKey.of(42L), scores(0.9, 2, DAY_2)));
    scores.write("churn", Map.of(EntityKey.of(42L), scores(0.1, 1, DAY_1)));

    assertThat(scores.read("churn", EntityKey.of(42L)).orElseThrow().modelVersion())
        .isEqualTo(2L);
  }

  @Test
  void baseline_isKeptApartFromEntities() {
    scores.writeBaseline("churn", scores(0.3, 1, DAY_1));

    assertThat(scores.baseline("churn").orElseThrow().scores())
        .containsEntry("probabilities_1", 0.3);
    assertThat(scores.read("churn", EntityKey.of("baseline"))).isEmpty();
    assertThat(scores.baseline("fraud")).isEmpty();
  }
}
