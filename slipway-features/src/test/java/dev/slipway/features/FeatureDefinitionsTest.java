package dev.slipway.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureDefinitionsTest {
  static final String VALID = """
      entities:
        - name: driver
          join_keys: {driver_id: int64}
          description: a driver
      sources:
        - name: driver_src
          path: data/driver.parquet
          timestamp_field: event_ts
          created_timestamp_field: created_ts
      feature_views:
        - name: driver_stats
          entities: [driver]
          source: driver_src
          ttl: 2h
          online: true
          features: {conv_rate: float64, trips: int64}
      on_demand_feature_views:
        - name: driver_derived
          request_fields: {distance: float64}
          inputs: {rate: "driver_stats:conv_rate", trips: "driver_stats:trips"}
          features:
            - name: score
              type: float64
              expression: "rate * 2 + math:sqrt(distance)"
            - name: busy
              type: bool
              expression: "trips > 10 ? true : false"
      feature_services:
        - name: model_v1
          features: ["driver_stats:conv_rate", "driver_derived:score"]
      """;

  @TempDir Path dir;

  Path write(String yaml) throws IOException {
    Path file = dir.resolve("features.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void loadsAValidFile() throws IOException {
    FeatureDefinitions defs = FeatureDefinitions.load(write(VALID));
    assertThat(defs.entities().get("driver").joinKeys())
        .containsExactly(new Entity.JoinKey("driver_id", ValueType.INT64));
    DataSource source = defs.sources().get("driver_src");
    assertThat(source.path()).isEqualTo(dir.resolve("data/driver.parquet").toAbsolutePath());
    assertThat(source.format()).isEqualTo(DataSource.Format.PARQUET);
    assertThat(source.createdTimestampField()).isEqualTo("created_ts");
    FeatureView view = defs.featureViews().get("driver_stats");
    assertThat(view.ttl()).isEqualTo(Duration.ofHours(2));
    assertThat(view.online()).isTrue();
    assertThat(view.features()).extracting(Feature::name).containsExactly("conv_rate", "trips");
    assertThat(defs.typeOf("driver_derived:busy")).contains(ValueType.BOOL);
    assertThat(defs.serviceFeatures("model_v1")).hasSize(2);
    assertThat(defs.expression("driver_derived", "score")
        .evaluate(Map.of("rate", 0.5, "distance", 16.0, "trips", 3L))).isEqualTo(5.0);
    assertThat(defs.expression("driver_derived", "busy")
        .evaluate(Map.of("rate", 0.5, "distance", 16.0, "trips", 30L))).isEqualTo(true);
  }

  @Test
  void ttlForms() throws IOException {
    for (var entry : Map.of("0", Duration.ZERO, "7d", Duration.ofDays(7), "30m",
        Duration.ofMinutes(30), "1w", Duration.ofDays(7)).entrySet()) {
      FeatureDefinitions defs = FeatureDefinitions.load(write(VALID.replace("ttl: 2h",
          "ttl: " + entry.getKey())));
      assertThat(defs.featureViews().get("driver_stats").ttl()).isEqualTo(entry.getValue());
    }
  }

  void assertRefused(String yaml, String... fragments) throws IOException {
    Path file = write(yaml);
    assertThatThrownBy(() -> FeatureDefinitions.load(file))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContainingAll(fragments);
  }

  @Test
  void refusesUnknownKeys() throws IOException {
    assertRefused(VALID.replace("online: true", "onlin: true"), "feature_views[0] 'driver_stats'",
        "unknown field 'onlin'");
    assertRefused(VALID + "extra: 1\n", "unknown field 'extra'");
    // The definition's line is named: feature_views[0] starts on line 11.
    assertRefused(VALID.replace("online: true", "onlin: true"),
        "features.yaml:11: feature_views[0] 'driver_stats'");
  }

  @Test
  void refusesUnresolvedReferences() throws IOException {
    assertRefused(VALID.replace("entities: [driver]", "entities: [rider]"),
        "feature view 'driver_stats'", "field 'entities'", "entity 'rider' is not defined");
    assertRefused(VALID.replace("source: driver_src", "source: nope"),
        "feature view 'driver_stats'", "field 'source'", "source 'nope' is not defined");
    assertRefused(VALID.replace("\"driver_derived:score\"]", "\"driver_derived:nope\"]"),
        "feature service 'model_v1'", "field 'features'", "'driver_derived:nope'");
    assertRefused(VALID.replace("trips: \"driver_stats:trips\"", "trips: \"driver_stats:x\""),
        "on-demand feature view 'driver_derived'", "field 'inputs.trips'",
        "'driver_stats:x' is not defined");
  }

  @Test
  void refusesDuplicatesBadTypesAndBadTtl() throws IOException {
    assertRefused(VALID.replace("- name: driver_derived", "- name: driver_stats"),
        "feature view 'driver_stats'", "also used by an on-demand feature view");
    assertRefused(VALID.replace("conv_rate: float64,", "conv_rate: decimal,"),
        "feature_views[0] 'driver_stats'", "field 'features'", "'conv_rate'", "decimal",
        "expected one of");
    assertRefused(VALID.replace("ttl: 2h", "ttl: 2 hours"), "field 'ttl'", "'2 hours'");
    assertRefused(VALID.replace("path: data/driver.parquet", "path: data/driver.json"),
        "sources[0] 'driver_src'", "field 'path'", "expected a .parquet or .csv");
    assertRefused(VALID.replace("- name: driver\n", "- name: driver\n    x: 1\n"),
        "entities[0] 'driver'", "unknown field 'x'");
  }

  @Test
  void refusesDuplicateEntityNames() throws IOException {
    assertRefused(VALID.replace("sources:", """
          - name: driver
            join_keys: {driver_id: int64}
        sources:"""), "entity 'driver' is defined more than once");
  }

  String withExpression(String expression) {
    return VALID.replace("\"rate * 2 + math:sqrt(distance)\"", "\"" + expression + "\"");
  }

  @Test
  void refusesBadAndUnsafeExpressions() throws IOException {
    String where = "on-demand feature view 'driver_derived', feature 'score', field 'expression'";
    assertRefused(withExpression("rate * (2"), where, "not allowed or not valid");
    assertRefused(withExpression("new('java.io.File', 'x')"), where, "not allowed or not valid");
    assertRefused(withExpression("''.getClass().forName('java.lang.Runtime')"), where,
        "not allowed or not valid");
    assertRefused(withExpression("rate.class"), where);
    assertRefused(withExpression("for (var i : [1,2]) { rate }"), where,
        "not allowed or not valid");
    assertRefused(withExpression("while (true) { rate }"), where, "not allowed or not valid");
    assertRefused(withExpression("rate = 3"), where, "not allowed or not valid");
    assertRefused(withExpression("x -> x"), where, "not allowed or not valid");
    assertRefused(withExpression("unknown_var * 2"), where, "variable 'unknown_var'");
    assertRefused(withExpression("rate > 1"), where, "gave Boolean", "expected float64");
    assertRefused(withExpression("math:getClass()"), where);
  }
}
