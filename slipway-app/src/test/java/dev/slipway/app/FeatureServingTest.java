package dev.slipway.app;

import static dev.slipway.app.AppTesting.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import dev.slipway.app.AppTesting.Result;
import dev.slipway.app.internal.Platform;
import dev.slipway.core.examples.LogisticRegressionOnnx;
import dev.slipway.registry.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature store end to end, as a user drives it: definitions applied, features materialized
 * from Parquet into the embedded online store, served at {@code POST /v1/features/online} in
 * Feast's shape with on-demand features, and a point-in-time training set from the CLI.
 */
class FeatureServingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEFINITIONS = """
      entities:
        - name: customer
          join_keys: {customer_id: int64}
      sources:
        - name: customer_src
          path: customers.parquet
          timestamp_field: event_ts
      feature_views:
        - name: customer_stats
          entities: [customer]
          source: customer_src
          ttl: 0
          online: true
          features: {tenure_years: float64, support_calls: int64}
      on_demand_feature_views:
        - name: customer_derived
          request_fields: {discount: float64}
          inputs: {tenure: "customer_stats:tenure_years"}
          features:
            - name: loyalty
              type: float64
              expression: "tenure * 10 + discount"
      feature_services:
        - name: churn_v1
          features: ["customer_stats:tenure_years", "customer_stats:support_calls",
                     "customer_derived:loyalty"]
      """;

  @TempDir Path project;


  private void writeProject() throws Exception {
    Files.writeString(project.resolve("features.yaml"), DEFINITIONS);
    Files.writeString(project.resolve("entities3.csv"),
        "customer_id,event_timestamp\n3,2026-04-01 00:00:00\n");
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = duck.createStatement()) {
      // Customer 1 changes over time; the online store must keep the latest row.
      sql.execute("COPY (SELECT * FROM (VALUES"
          + " (1::BIGINT, TIMESTAMP '2026-01-01 00:00:00', 1.0::DOUBLE, 0::BIGINT),"
          + " (1::BIGINT, TIMESTAMP '2026-02-01 00:00:00', 1.5::DOUBLE, 2::BIGINT),"
          + " (2::BIGINT, TIMESTAMP '2026-01-15 00:00:00', 4.0::DOUBLE, 5::BIGINT))"
          + " AS t(customer_id, event_ts, tenure_years, support_calls)) TO '"
          + project.resolve("customers.parquet") + "' (FORMAT parquet)");
      sql.execute("COPY (SELECT * FROM (VALUES"
          + " (1::BIGINT, TIMESTAMP '2026-01-20 00:00:00', 0.0::DOUBLE),"
          + " (1::BIGINT, TIMESTAMP '2026-03-01 00:00:00', 0.0::DOUBLE),"
          + " (2::BIGINT, TIMESTAMP '2026-01-01 00:00:00', 0.0::DOUBLE))"
          + " AS t(customer_id, event_timestamp, discount)) TO '"
          + project.resolve("entities.parquet") + "' (FORMAT parquet)");
    }
  }

  @Test
  void applyMaterializeServeAndBuildTrainingSet() throws Exception {
    writeProject();
    String yaml = project.resolve("features.yaml").toString();
    String dataDir = project.resolve(".slipway").toString();

    Result applied = run("features", "apply", "--file", yaml, "--data-dir", dataDir);
    assertThat(applied.exitCode()).as(applied.err()).isZero();
    assertThat(applied.out()).contains("ADDED").contains("customer_stats").contains("Applied.");
    assertThat(run("features", "apply", "--file", yaml, "--data-dir", dataDir).out())
        .contains("No changes");

    Result materialized = run("features", "materialize", "--file", yaml, "--data-dir", dataDir,
        "--start", "2025-01-01T00:00:00Z", "--end", "2027-01-01T00:00:00Z");
    assertThat(materialized.exitCode()).as(materialized.err()).isZero();
    assertThat(materialized.out()).contains("customer_stats: 3 rows read, 2 entities written");

    Result historical = run("features", "historical", "--file", yaml, "--data-dir", dataDir,
        "--entities", project.resolve("entities.parquet").toString(), "--service", "churn_v1",
        "--output", project.resolve("training.parquet").toString());
    assertThat(historical.exitCode()).as(historical.err()).isZero();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = duck.createStatement();
        var rows = sql.executeQuery("SELECT customer_id, event_timestamp,"
            + " customer_stats__tenure_years FROM '" + project.resolve("training.parquet")
            + "' ORDER BY customer_id, event_timestamp")) {
      // Point in time: Jan 20 sees January's 1.0, Mar 1 sees February's 1.5, customer 2 on
      // Jan 1 predates its first row.
      assertThat(rows.next()).isTrue();
      assertThat(rows.getDouble(3)).isEqualTo(1.0);
      assertThat(rows.next()).isTrue();
      assertThat(rows.getDouble(3)).isEqualTo(1.5);
      assertThat(rows.next()).isTrue();
      rows.getDouble(3);
      assertThat(rows.wasNull()).isTrue();
    }

    Platform.Options options = AppTesting.options(Path.of(dataDir));
    options.features = Path.of(yaml);
    // Entity-reference scoring: churn's input is churn_v1's three features, fetched by id.
    Path repository = project.resolve("models");
    LogisticRegressionOnnx.write(repository.resolve("churn/1/model.onnx"),
        new float[] {0.2f, -0.1f, 0.05f}, 0f);
    options.bindFeatures = List.of("churn=churn_v1");
    options.featureDefaults = List.of("customer_stats:support_calls=0");
    try (Platform platform = Platform.serve(Registry.open(options.registryConfig()), options,
        repository, Map.of())) {
      WebClient http = WebClient.of(platform.baseUrl());
      AggregatedHttpResponse answer = post(http, """
          {"feature_service": "churn_v1",
           "entities": {"customer_id": [1, 2, 999], "discount": [0.5, 0.0, 1.0]}}""");
      assertThat(answer.status().code()).as(answer.contentUtf8()).isEqualTo(200);
      JsonNode body = JSON.readTree(answer.contentUtf8());
      assertThat(body.path("metadata").path("feature_names").toString()).isEqualTo(
          "[\"customer_id\",\"discount\",\"tenure_years\",\"support_calls\",\"loyalty\"]");
      JsonNode tenure = body.path("results").get(2);
      assertThat(tenure.path("values").get(0).asDouble()).isEqualTo(1.5);
      assertThat(tenure.path("values").get(1).asDouble()).isEqualTo(4.0);
      assertThat(tenure.path("statuses").toString())
          .isEqualTo("[\"PRESENT\",\"PRESENT\",\"NOT_FOUND\"]");
      assertThat(tenure.path("event_timestamps").get(0).asText())
          .isEqualTo("2026-02-01T00:00:00Z");
      JsonNode loyalty = body.path("results").get(4);
      assertThat(loyalty.path("values").get(0).asDouble()).isCloseTo(15.5, within(1e-9));
      assertThat(loyalty.path("statuses").get(2).asText()).isEqualTo("NOT_FOUND");

      AggregatedHttpResponse unknown = post(http, """
          {"features": ["customer_stats:nope"], "entities": {"customer_id": [1]}}""");
      assertThat(unknown.status().code()).isEqualTo(400);
      assertThat(unknown.contentUtf8()).contains("customer_stats:nope");
      AggregatedHttpResponse missingKey = post(http, """
          {"features": ["customer_stats:tenure_years"], "entities": {"id": [1]}}""");
      assertThat(missingKey.status().code()).isEqualTo(400);
      assertThat(missingKey.contentUtf8()).contains("entities.customer_id");
      AggregatedHttpResponse wrongType = post(http, """
          {"features": ["customer_stats:tenure_years"], "entities": {"customer_id": ["x"]}}""");
      assertThat(wrongType.status().code()).isEqualTo(400);
      // Push: customer 3 appears online without a materialization; a bad cell changes nothing.
      AggregatedHttpResponse refusedPush = postTo(http, "/v1/features/push", """
          {"feature_view": "customer_stats", "to": "online", "df": {
            "customer_id": [3, 4], "event_ts": ["2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z"],
            "tenure_years": [2.5, "lots"], "support_calls": [1, 2]}}""");
      assertThat(refusedPush.status().code()).isEqualTo(400);
      assertThat(refusedPush.contentUtf8()).contains("df.tenure_years row 1");
      AggregatedHttpResponse pushed = postTo(http, "/v1/features/push", """
          {"feature_view": "customer_stats", "to": "online_and_offline", "df": {
            "customer_id": [3], "event_ts": ["2026-03-01T00:00:00Z"],
            "tenure_years": [2.5], "support_calls": [1]}}""");
      assertThat(pushed.status().code()).as(pushed.contentUtf8()).isEqualTo(200);
      JsonNode three = JSON.readTree(post(http, """
          {"features": ["customer_stats:tenure_years"], "entities": {"customer_id": [3, 4]}}""")
          .contentUtf8()).path("results").get(1);
      assertThat(three.path("values").get(0).asDouble()).isEqualTo(2.5);
      assertThat(three.path("statuses").get(1).asText()).isEqualTo("NOT_FOUND");
      // The pushed row also reached the offline store: a training set sees it.
      Result withPushed = run("features", "historical", "--file", yaml, "--data-dir", dataDir,
          "--entities", project.resolve("entities3.csv").toString(), "--features",
          "customer_stats:tenure_years", "--output", project.resolve("pushed.parquet").toString());
      assertThat(withPushed.exitCode()).as(withPushed.err()).isZero();
      try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
          Statement sql = duck.createStatement();
          var rows = sql.executeQuery("SELECT customer_stats__tenure_years FROM '"
              + project.resolve("pushed.parquet") + "'")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getDouble(1)).isEqualTo(2.5);
      }

      AggregatedHttpResponse scored = http.execute(RequestHeaders.of(HttpMethod.POST,
          "/v2/models/churn/infer", HttpHeaderNames.CONTENT_TYPE, MediaType.JSON), """
          {"inputs": [
            {"name": "customer_id", "datatype": "INT64", "shape": [2], "data": [1, 2]},
            {"name": "discount", "datatype": "FP64", "shape": [2], "data": [0.5, 0.0]}]}""")
          .aggregate().join();
      assertThat(scored.status().code()).as(scored.contentUtf8()).isEqualTo(200);
      JsonNode probabilities = JSON.readTree(scored.contentUtf8()).path("outputs").get(0)
          .path("data");
      // Customer 1: [1.5, 2, 1.5 * 10 + 0.5]; customer 2: [4.0, 5, 40.0].
      assertThat(probabilities.get(0).asDouble())
          .isCloseTo(1 / (1 + Math.exp(-(0.3 - 0.2 + 0.775))), within(1e-6));
      assertThat(probabilities.get(1).asDouble())
          .isCloseTo(1 / (1 + Math.exp(-(0.8 - 0.5 + 2.0))), within(1e-6));
      AggregatedHttpResponse unknownCustomer = http.execute(RequestHeaders.of(HttpMethod.POST,
          "/v2/models/churn/infer", HttpHeaderNames.CONTENT_TYPE, MediaType.JSON), """
          {"inputs": [
            {"name": "customer_id", "datatype": "INT64", "shape": [1], "data": [999]},
            {"name": "discount", "datatype": "FP64", "shape": [1], "data": [0.0]}]}""")
          .aggregate().join();
      assertThat(unknownCustomer.status().code()).isEqualTo(400);
      assertThat(unknownCustomer.contentUtf8()).contains("customer_id=999")
          .contains("customer_stats:tenure_years").contains("NOT_FOUND");

      assertThat(http.get("/metrics").aggregate().join().contentUtf8())
          .contains("slipway_features_online_read_duration_seconds_count")
          .contains("slipway_features_online_misses_total")
          .containsPattern("slipway_features_freshness_seconds\\{view=\"customer_stats\"\\}"
              + " [0-9.E]+");
    }
  }

  private static AggregatedHttpResponse post(WebClient http, String body) {
    return postTo(http, "/v1/features/online", body);
  }

  private static AggregatedHttpResponse postTo(WebClient http, String path, String body) {
    return http.execute(RequestHeaders.of(HttpMethod.POST, path,
        HttpHeaderNames.CONTENT_TYPE, MediaType.JSON), body).aggregate().join();
  }
}
