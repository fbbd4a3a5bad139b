package dev.slipway.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.features.FeatureRegistry.Action;
import dev.slipway.features.FeatureRegistry.Change;
import dev.slipway.features.FeatureRegistry.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureRegistryTest {
  @TempDir Path dir;

  FeatureDefinitions load(String yaml) throws IOException {
    Path file = dir.resolve("features.yaml");
    Files.writeString(file, yaml);
    return FeatureDefinitions.load(file);
  }

  @Test
  void firstPlanAddsEverythingAndApplyStartsAtVersionOne() throws IOException {
    FeatureRegistry registry = FeatureRegistry.open(dir.resolve("data"));
    FeatureRegistry.Plan plan = registry.plan(load(FeatureDefinitionsTest.VALID));
    assertThat(plan.changes()).extracting(Change::action).containsOnly(Action.ADDED);
    assertThat(plan.changes()).extracting(Change::name).containsExactly("driver", "driver_src",
        "driver_stats", "driver_derived", "model_v1");
    registry.apply(load(FeatureDefinitionsTest.VALID));
    assertThat(registry.version(Kind.FEATURE_VIEW, "driver_stats")).contains(1);
    assertThat(registry.plan(load(FeatureDefinitionsTest.VALID)).isEmpty()).isTrue();
    try (Stream<Path> files = Files.list(dir.resolve("data"))) {
      assertThat(files).extracting(p -> p.getFileName().toString())
          .containsExactly("registry.json");
    }
  }

  @Test
  void changesAreSummarizedPerFieldAndBumpTheVersion() throws IOException {
    FeatureRegistry registry = FeatureRegistry.open(dir.resolve("data"));
    registry.apply(load(FeatureDefinitionsTest.VALID));
    String changed = FeatureDefinitionsTest.VALID.replace("ttl: 2h", "ttl: 7d")
        .replace("trips: int64}", "trips: int64, acc_rate: float32}")
        .replace("  - name: model_v1\n    features: [\"driver_stats:conv_rate\", "
            + "\"driver_derived:score\"]\n", "  - name: model_v2\n    features: "
            + "[\"driver_stats:acc_rate\"]\n");
    FeatureRegistry.Plan plan = registry.plan(load(changed));
    assertThat(plan.of(Kind.FEATURE_VIEW, Action.CHANGED)).singleElement().satisfies(change -> {
      assertThat(change.name()).isEqualTo("driver_stats");
      assertThat(change.fieldChanges()).containsExactly("features.acc_rate: (none) -> float32",
          "ttl: 2h -> 7d");
    });
    assertThat(plan.of(Kind.FEATURE_SERVICE, Action.ADDED)).extracting(Change::name)
        .containsExactly("model_v2");
    assertThat(plan.of(Kind.FEATURE_SERVICE, Action.REMOVED)).extracting(Change::name)
        .containsExactly("model_v1");
    assertThat(plan.of(Kind.ENTITY, Action.CHANGED)).isEmpty();

    registry.apply(load(changed));
    FeatureRegistry reopened = FeatureRegistry.open(dir.resolve("data"));
    assertThat(reopened.version(Kind.FEATURE_VIEW, "driver_stats")).contains(2);
    assertThat(reopened.version(Kind.ENTITY, "driver")).contains(1);
    assertThat(reopened.version(Kind.FEATURE_SERVICE, "model_v1")).isEmpty();
    assertThat(reopened.version(Kind.FEATURE_SERVICE, "model_v2")).contains(1);
    assertThat(reopened.plan(load(changed)).isEmpty()).isTrue();

    FeatureRegistry.Plan back = reopened.apply(load(FeatureDefinitionsTest.VALID));
    assertThat(back.of(Kind.FEATURE_VIEW, Action.CHANGED)).hasSize(1);
    assertThat(reopened.version(Kind.FEATURE_VIEW, "driver_stats")).contains(3);
    assertThat(reopened.version(Kind.FEATURE_SERVICE, "model_v1")).contains(1);
  }

  @Test
  void expressionChangesShowInThePlan() throws IOException {
    FeatureRegistry registry = FeatureRegistry.open(dir.resolve("data"));
    registry.apply(load(FeatureDefinitionsTest.VALID));
    FeatureRegistry.Plan plan = registry.plan(load(FeatureDefinitionsTest.VALID
        .replace("rate * 2 + math:sqrt(distance)", "rate * 3")));
    assertThat(plan.of(Kind.ON_DEMAND_FEATURE_VIEW, Action.CHANGED)).singleElement()
        .extracting(Change::fieldChanges).asList().containsExactly(
            "features.score: float64 = rate * 2 + math:sqrt(distance) -> float64 = rate * 3");
  }
}
