package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.slipway.core.testing.Fixtures;
import dev.slipway.serving.grpc.ModelInferRequest;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics}: request counts by outcome and latency histograms, in Prometheus text. */
class MetricsTest {
  private static final int REST_SUCCESSES = 5;
  private static final int GRPC_SUCCESSES = 2;

  /** Client mistakes over REST: caught by the signature, and caught while decoding the body. */
  private static final List<String> REST_MISTAKES = List.of(
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}",
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,30],\"datatype\":\"FP32\",\"data\":[1]}]}",
      "{\"inputs\": [");

  // One Prometheus sample line: name, optional {labels}, value (timestamps are not used here).
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

  private record Sample(String name, Map<String, String> labels, double value) {}

  @TempDir static Path repository;
  // A server of its own: its registry starts at zero, so counts are exactly what this test sent.
  static ServingFixture fixture;
  static float[][] rows;

  @BeforeAll
  static void start() {
    ServingFixture.addVersion(repository, "bc", 1, "bc_mlp.onnx", "model.onnx");
    fixture = ServingFixture.start(repository);
    rows = Fixtures.breastCancerFeatures();
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void metrics_countRequestsByModelProtocolAndOutcome_andTimeThem() {
    for (int row = 0; row < REST_SUCCESSES; row++) {
      assertThat(fixture.post("/v2/models/bc/infer", ServingFixture.floatRequest("input",
          new float[][] {rows[row]})).status().code()).isEqualTo(200);
    }
    for (String mistake : REST_MISTAKES) {
      assertThat(fixture.post("/v2/models/bc/infer", mistake).status().code()).isEqualTo(400);
    }
    assertThat(fixture.post("/v2/models/nope/infer", ServingFixture.floatRequest("input",
        new float[][] {rows[0]})).status().code()).isEqualTo(404);

    for (int row = 0; row < GRPC_SUCCESSES; row++) {
      fixture.grpc.modelInfer(
          ServingFixture.grpcFloatRequest("bc", "input", new float[][] {rows[row]}).build());
    }
    ModelInferRequest.Builder wrongCount =
        ServingFixture.grpcFloatRequest("bc", "input", new float[][] {rows[0]});
    wrongCount.getInputsBuilder(0).getContentsBuilder().addFp32Contents(0f);
    assertThatThrownBy(() -> fixture.grpc.modelInfer(wrongCount.build()))
        .isInstanceOf(StatusRuntimeException.class);

    AggregatedHttpResponse scrape = fixture.get("/metrics");
    assertThat(scrape.status().code()).isEqualTo(200);
    assertThat(scrape.contentType().toString()).startsWith("text/plain");
    String text = scrape.contentUtf8();
    assertThat(text).contains("# TYPE slipway_inference_requests_total counter",
        "# TYPE slipway_inference_duration_seconds histogram");
    List<Sample> samples = parse(text);

    int restRequests = REST_SUCCESSES + REST_MISTAKES.size();
    assertThat(requests(samples, "rest", "success")).isEqualTo(REST_SUCCESSES);
    assertThat(requests(samples, "rest", "client_error")).isEqualTo(REST_MISTAKES.size());
    assertThat(requests(samples, "rest", "server_error")).isZero();
    assertThat(requests(samples, "grpc", "success")).isEqualTo(GRPC_SUCCESSES);
    assertThat(requests(samples, "grpc", "client_error")).isEqualTo(1);
    assertThat(value(samples, "slipway_inference_unknown_model_total",
        Map.of("protocol", "rest"))).isEqualTo(1);

    Map<String, String> rest = Map.of("model", "bc", "version", "1", "protocol", "rest");
    List<Sample> buckets = samples.stream()
        .filter(sample -> sample.name().equals("slipway_inference_duration_seconds_bucket"))
        .filter(sample -> sample.labels().entrySet().containsAll(rest.entrySet()))
        .toList();
    assertThat(buckets).hasSizeGreaterThan(10);
    // Buckets are cumulative: each holds at least what the one before it does, in order of le.
    List<Sample> byBound = new ArrayList<>(buckets);
    byBound.sort((a, b) -> Double.compare(bound(a), bound(b)));
    for (int i = 1; i < byBound.size(); i++) {
      assertThat(byBound.get(i).value()).isGreaterThanOrEqualTo(byBound.get(i - 1).value());
    }
    assertThat(byBound.get(byBound.size() - 1).labels()).containsEntry("le", "+Inf");
    assertThat(byBound.get(byBound.size() - 1).value()).isEqualTo(restRequests);
    assertThat(value(samples, "slipway_inference_duration_seconds_count", rest))
        .isEqualTo(restRequests);
    assertThat(value(samples, "slipway_inference_duration_seconds_sum", rest)).isPositive();
  }

  private static double requests(List<Sample> samples, String protocol, String outcome) {
    return value(samples, "slipway_inference_requests_total",
        Map.of("model", "bc", "version", "1", "protocol", protocol, "outcome", outcome));
  }

  /** The one sample of {@code name} whose labels include {@code labels}. */
  private static double value(List<Sample> samples, String name, Map<String, String> labels) {
    List<Sample> matching = samples.stream()
        .filter(sample -> sample.name().equals(name))
        .filter(sample -> sample.labels().entrySet().containsAll(labels.entrySet()))
        .toList();
    assertThat(matching).as("%s%s", name, labels).hasSize(1);
    return matching.get(0).value();
  }

  private static double bound(Sample bucket) {
    return number(bucket.labels().get("le"));
  }

  /** A Prometheus number, which spells infinities +Inf and -Inf. */
  private static double number(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  private static List<Sample> parse(String exposition) {
    List<Sample> samples = new ArrayList<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line.trim());
      assertThat(sample.matches()).as("a Prometheus sample: %s", line).isTrue();
      Map<String, String> labels = new HashMap<>();
      if (sample.group(2) != null) {
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      samples.add(new Sample(sample.group(1), labels, number(sample.group(3))));
    }
    return samples;
  }
}
