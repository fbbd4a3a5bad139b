package dev.slipway.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.features.online.FeatureStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pre-encoded writer gives valid JSON, every value as Jackson's generator would write it. */
class OnlineFeaturesAnswerTest {
  private static final Instant MORNING = Instant.parse("2026-12-02T08:00:00Z");
  private static final Instant NOON = Instant.parse("2026-12-02T12:00:00.250Z");

  private final OnlineFeaturesAnswer writer = new OnlineFeaturesAnswer();

  @Test
  void write_valuesOfEveryType_readBackAsWritten() throws Exception {
    JsonNode entities = RestApi.JSON.readTree("{\"customer_id\": [7, 8, 9], \"say \\\"hi\\\"\":"
        + " [\"a\", \"b\", \"c\"]}");
    List<OnlineFeatureRetrieval.Column> columns = List.of(
        new OnlineFeatureRetrieval.Column("profile:score", "score",
            new Object[] {0.73258936f, Float.NaN, null},
            new FeatureStatus[] {FeatureStatus.PRESENT, FeatureStatus.PRESENT,
                FeatureStatus.NOT_FOUND},
            new Instant[] {MORNING, NOON, null}),
        new OnlineFeatureRetrieval.Column("profile:mixed", "mixed",
            new Object[] {1.0E-300, 12345678901L, "line\nbreak \"quoted\""},
            new FeatureStatus[] {FeatureStatus.PRESENT, FeatureStatus.OUTSIDE_MAX_AGE,
                FeatureStatus.PRESENT},
            new Instant[] {MORNING, NOON, NOON}),
        new OnlineFeatureRetrieval.Column("flags:active", "active",
            new Object[] {true, false, 3},
            new FeatureStatus[] {FeatureStatus.PRESENT, FeatureStatus.NULL_VALUE,
                FeatureStatus.PRESENT},
            new Instant[] {NOON, NOON, MORNING}));

    JsonNode answer = written(entities, columns, 3, false);

    assertThat(answer.path("metadata").path("feature_names").toString())
        .isEqualTo("[\"customer_id\",\"say \\\"hi\\\"\",\"score\",\"mixed\",\"active\"]");
    JsonNode results = answer.path("results");
    assertThat(results).hasSize(5);
    assertThat(results.get(0).toString()).isEqualTo("{\"values\":[7,8,9],"
        + "\"statuses\":[\"PRESENT\",\"PRESENT\",\"PRESENT\"],\"event_timestamps\":"
        + "[\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]}");
    assertThat(results.get(1).path("values").toString()).isEqualTo("[\"a\",\"b\",\"c\"]");

    JsonNode score = results.get(2);
    assertThat(score.path("values").get(0).floatValue()).isEqualTo(0.73258936f);
    assertThat(score.path("values").get(1).asText()).isEqualTo("NaN");
    assertThat(score.path("values").get(2).isNull()).isTrue();
    assertThat(score.path("statuses").toString())
        .isEqualTo("[\"PRESENT\",\"PRESENT\",\"NOT_FOUND\"]");
    assertThat(score.path("event_timestamps").toString())
        .isEqualTo("[\"2026-12-02T08:00:00Z\",\"2026-12-02T12:00:00.250Z\","
            + "\"1970-01-01T00:00:00Z\"]");

    JsonNode mixed = results.get(3);
    assertThat(mixed.path("values").get(0).doubleValue()).isEqualTo(1.0E-300);
    assertThat(mixed.path("values").get(1).longValue()).isEqualTo(12345678901L);
    assertThat(mixed.path("values").get(2).asText()).isEqualTo("line\nbreak \"quoted\"");
    assertThat(mixed.path("statuses").get(1).asText()).isEqualTo("OUTSIDE_MAX_AGE");
    assertThat(mixed.path("event_timestamps").get(0).asText()).isEqualTo(MORNING.toString());

    assertThat(results.get(4).path("values").toString()).isEqualTo("[true,false,3]");
    assertThat(results.get(4).path("statuses").get(1).asText()).isEqualTo("NULL_VALUE");
    assertThat(results.get(4).path("event_timestamps").get(2).asText())
        .isEqualTo(MORNING.toString());
  }

  @Test
  void write_fullNames_namesEachFeatureByView() throws Exception {
    JsonNode entities = RestApi.JSON.readTree("{\"customer_id\": [7]}");
    List<OnlineFeatureRetrieval.Column> columns = List.of(new OnlineFeatureRetrieval.Column(
        "profile:score", "score", new Object[] {Float.NEGATIVE_INFINITY},
        new FeatureStatus[] {FeatureStatus.PRESENT}, new Instant[] {MORNING}));

    JsonNode answer = written(entities, columns, 1, true);

    assertThat(answer.path("metadata").path("feature_names").toString())
        .isEqualTo("[\"customer_id\",\"profile__score\"]");
    assertThat(answer.path("results").get(1).path("values").toString())
        .isEqualTo("[\"-Infinity\"]");
  }

  private JsonNode written(JsonNode entities, List<OnlineFeatureRetrieval.Column> columns,
      int rows, boolean fullNames) throws Exception {
    return RestApi.JSON.readTree(writer.write(entities, columns, rows, fullNames).array());
  }
}
