package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.CommonPools;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import dev.slipway.features.DataSource;
import dev.slipway.features.Entity;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureService;
import dev.slipway.features.FeatureView;
import dev.slipway.features.OnDemandFeatureView;
import dev.slipway.features.ValueType;
import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.OnlineRow;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.features.online.OnlineStores;
import dev.slipway.features.online.RedisTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code POST /v1/features/online} over both online stores: Feast's column-major answer with
 * every status, on-demand features, a client's mistakes as 400s naming the field, and many reads
 * in flight at once (the read does not hold the event loop while Redis answers).
 */
class OnlineFeaturesHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final Instant FRESH = NOW.minus(Duration.ofMinutes(10));
  private static final Instant STALE = NOW.minus(Duration.ofHours(3));

  @TempDir Path folder;
  // Unique per run: CI shares this Redis, and runs must neither see nor delete others' keys.
  private final String redisPrefix = "slipway-test-" + UUID.randomUUID();
  private boolean usedRedis;

  @AfterEach
  void deleteRedisKeysOfThisRun() {
    if (usedRedis) {
      RedisTestSupport.deleteKeys(redisPrefix);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"rocksdb", "redis"})
  void answersStatusesOnDemandFeaturesAndClientMistakes(String kind) throws Exception {
    try (OnlineStore store = store(kind); InferenceServer server = server(store)) {
      store.write("stats", List.of(
          row(1, FRESH, 0.25f, 7L, 1.5),
          row(2, FRESH, 0.5f, 8L, null),
          row(3, STALE, 0.75f, 9L, 2.5)));
      WebClient http = WebClient.of("http://127.0.0.1:" + server.port());

      JsonNode answer = ok(http, """
          {"feature_service": "churn",
           "entities": {"customer_id": [1, 2, 3, 999], "bonus": [1.0, 2.0, 3.0, 4.0]}}""");
      assertThat(answer.path("metadata").path("feature_names").toString())
          .isEqualTo("[\"customer_id\",\"bonus\",\"score\",\"calls\",\"tenure\",\"boosted\"]");
      JsonNode results = answer.path("results");
      assertThat(results.get(0).path("values").toString()).isEqualTo("[1,2,3,999]");
      JsonNode score = results.get(2);
      assertThat(score.path("values").toString()).isEqualTo("[0.25,0.5,0.75,null]");
      assertThat(score.path("statuses").toString()).isEqualTo(
          "[\"PRESENT\",\"PRESENT\",\"OUTSIDE_MAX_AGE\",\"NOT_FOUND\"]");
      assertThat(score.path("event_timestamps").get(0).asText()).isEqualTo(FRESH.toString());
      assertThat(score.path("event_timestamps").get(2).asText()).isEqualTo(STALE.toString());
      assertThat(results.get(3).path("values").toString()).isEqualTo("[7,8,9,null]");
      JsonNode tenure = results.get(4);
      assertThat(tenure.path("values").get(0).asDouble()).isEqualTo(1.5);
      assertThat(tenure.path("statuses").get(1).asText()).isEqualTo("NULL_VALUE");
      JsonNode boosted = results.get(5);
      assertThat(boosted.path("values").get(0).asDouble()).isEqualTo(0.25 * 10 + 1.0);
      assertThat(boosted.path("statuses").toString()).isEqualTo(
          "[\"PRESENT\",\"PRESENT\",\"NOT_FOUND\",\"NOT_FOUND\"]");

      // Refs in another order than the view's, one twice, with full names.
      JsonNode reordered = ok(http, """
          {"features": ["stats:tenure", "stats:score", "stats:tenure"],
           "entities": {"customer_id": [1]}, "full_feature_names": true}""");
      assertThat(reordered.path("metadata").path("feature_names").toString()).isEqualTo(
          "[\"customer_id\",\"stats__tenure\",\"stats__score\",\"stats__tenure\"]");
      assertThat(reordered.path("results").get(2).path("values").get(0).asDouble())
          .isEqualTo(0.25);

      assertError(http, "{\"feature_service\": \"nope\", \"entities\": {\"customer_id\": [1]}}",
          "feature_service: 'nope'");
      assertError(http, "{\"features\": [\"stats:nope\"], \"entities\": {\"customer_id\": [1]}}",
          "stats:nope");
      assertError(http, "{\"features\": [\"other:score\"], \"entities\": {\"customer_id\": [1]}}",
          "no feature view 'other'");
      assertError(http, "{\"features\": [\"stats:score\"], \"entities\": {\"id\": [1]}}",
          "entities.customer_id");
      assertError(http, "{\"features\": [\"derived:boosted\"], \"entities\": {\"customer_id\":"
          + " [1]}}", "entities.bonus");
      assertError(http, "{\"features\": [\"stats:score\"], \"entities\": {\"customer_id\":"
          + " [\"x\"]}}", "entities.customer_id");
      assertError(http, "{\"features\": [\"stats:score\"], \"entities\": {\"customer_id\": [1],"
          + " \"bonus\": [1.0, 2.0]}}", "entities.bonus");
      assertError(http, "{\"features\": [\"stats:score\"", "");
      assertError(http, "[]", "request body");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"rocksdb", "redis"})
  void manyReadsInFlightEachGetItsOwnEntity(String kind) throws Exception {
    int entities = 50;
    try (OnlineStore store = store(kind); InferenceServer server = server(store)) {
      List<OnlineRow> rows = new ArrayList<>();
      for (int id = 0; id < entities; id++) {
        rows.add(row(id, FRESH, id / 100f, (long) id, (double) id));
      }
      store.write("stats", rows);
      WebClient http = WebClient.of("http://127.0.0.1:" + server.port());
      Semaphore inFlight = new Semaphore(16);
      List<CompletableFuture<Void>> checks = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        int id = i % entities;
        inFlight.acquire();
        checks.add(post(http, "{\"features\": [\"stats:calls\", \"stats:tenure\"], \"entities\":"
            + " {\"customer_id\": [" + id + "]}}").thenAccept(answer -> {
              assertThat(answer.status().code()).as(answer.contentUtf8()).isEqualTo(200);
              JsonNode results = parse(answer).path("results");
              assertThat(results.get(1).path("values").get(0).asLong()).isEqualTo(id);
              assertThat(results.get(2).path("values").get(0).asDouble()).isEqualTo(id);
            }).whenComplete((ignored, error) -> inFlight.release()));
      }
      CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
          .get(60, TimeUnit.SECONDS);
    }
  }

  private OnlineStore store(String kind) {
    if (kind.equals("rocksdb")) {
      return OnlineStores.rocksDb(folder.resolve("online"));
    }
    RedisTestSupport.assumeRedisReachable(getClass().getSimpleName());
    usedRedis = true;
    // As `slipway serve` opens it: reads on a Redis connection of each server event loop.
    return OnlineStores.redis(RedisTestSupport.URI, redisPrefix, CommonPools.workerGroup());
  }

  private static InferenceServer server(OnlineStore store) {
    return InferenceServer.builder(new CompositeModelSource(List.of()))
        .host("127.0.0.1")
        .port(0)
        .pollInterval(Duration.ZERO)
        .features(definitions(), store)
        .build()
        .start();
  }

  private static FeatureDefinitions definitions() {
    FeatureView stats = new FeatureView("stats", List.of("customer"), List.of(
        new Feature("score", ValueType.FLOAT32), new Feature("calls", ValueType.INT64),
        new Feature("tenure", ValueType.FLOAT64)), "src", Duration.ofHours(1), true);
    OnDemandFeatureView derived = new OnDemandFeatureView("derived",
        List.of(new Feature("bonus", ValueType.FLOAT64)), Map.of("s", "stats:score"),
        List.of(new OnDemandFeatureView.Computed("boosted", ValueType.FLOAT64,
            "s * 10 + bonus")));
    return new FeatureDefinitions(Path.of("features.yaml"),
        List.of(new Entity("customer", List.of(new Entity.JoinKey("customer_id",
            ValueType.INT64)), null)),
        List.of(new DataSource("src", Path.of("stats.parquet"), DataSource.Format.PARQUET,
            "event_ts", null)),
        List.of(stats), List.of(derived),
        List.of(new FeatureService("churn", List.of("stats:score", "stats:calls",
            "stats:tenure", "derived:boosted"))));
  }

  private static OnlineRow row(long id, Instant eventTime, float score, Long calls,
      Double tenure) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("score", score);
    values.put("calls", calls);
    values.put("tenure", tenure);
    return new OnlineRow(EntityKey.of(id), eventTime, values);
  }

  private static CompletableFuture<AggregatedHttpResponse> post(WebClient http, String body) {
    return http.execute(RequestHeaders.of(HttpMethod.POST, "/v1/features/online",
        HttpHeaderNames.CONTENT_TYPE, MediaType.JSON), body).aggregate();
  }

  private static JsonNode ok(WebClient http, String body) throws Exception {
    AggregatedHttpResponse answer = post(http, body).get(10, TimeUnit.SECONDS);
    assertThat(answer.status().code()).as(answer.contentUtf8()).isEqualTo(200);
    return parse(answer);
  }

  private static void assertError(WebClient http, String body, String named) throws Exception {
    AggregatedHttpResponse answer = post(http, body).get(10, TimeUnit.SECONDS);
    assertThat(answer.status().code()).as(body + " -> " + answer.contentUtf8()).isEqualTo(400);
    assertThat(parse(answer).path("error").asText()).contains(named);
  }

  private static JsonNode parse(AggregatedHttpResponse answer) {
    try {
      return JSON.readTree(answer.contentUtf8());
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + answer.contentUtf8(), e);
    }
  }
}
