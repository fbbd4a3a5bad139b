package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import dev.slipway.core.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent requests share runtime calls, and each gets exactly its own rows back. */
class DynamicBatchingTest {
  @TempDir Path repository;

  @Test
  void concurrentRequests_shareRuntimeCalls_andGetTheirOwnRows() throws Exception {
    ServingFixture.addVersion(repository, "bc", 1, "bc_mlp.onnx", "model.onnx");
    // A long delay makes sure concurrent requests meet in a batch even on a busy machine.
    Files.writeString(repository.resolve("bc").resolve("config.yaml"),
        "max_batch_size: 16\nmax_queue_delay_microseconds: 200000\n");
    float[][] rows = Fixtures.breastCancerFeatures();
    double[] reference = Fixtures.breastCancerReferenceP1();
    // Sizes 1..6: 21 rows in all, more than one batch of 16 can take.
    int[] sizes = {1, 2, 3, 4, 5, 6};
    try (ServingFixture fixture = ServingFixture.start(repository)) {
      List<CompletableFuture<AggregatedHttpResponse>> responses = new ArrayList<>();
      int first = 0;
      List<Integer> firstRows = new ArrayList<>();
      for (int size : sizes) {
        float[][] part = Arrays.copyOfRange(rows, first, first + size);
        firstRows.add(first);
        first += size;
        responses.add(fixture.http.execute(RequestHeaders.of(HttpMethod.POST,
            "/v2/models/bc/infer", HttpHeaderNames.CONTENT_TYPE, MediaType.JSON),
            ServingFixture.floatRequest("input", part)).aggregate());
      }
      for (int i = 0; i < sizes.length; i++) {
        AggregatedHttpResponse response = responses.get(i).join();
        assertThat(response.status().code()).as(response.contentUtf8()).isEqualTo(200);
        JsonNode output = ServingFixture.json(response).path("outputs").get(0);
        assertThat(output.path("shape").toString()).isEqualTo("[" + sizes[i] + ",2]");
        for (int row = 0; row < sizes[i]; row++) {
          int source = firstRows.get(i) + row;
          assertThat(output.path("data").get(row * 2 + 1).asDouble()).as("row %d", source)
              .isCloseTo(reference[source], within(1e-5));
        }
      }

      String metrics = fixture.get("/metrics").contentUtf8();
      // Warm-up scores outside the batcher, so every counted call here is a client batch.
      double calls = metric(metrics, "slipway_batch_size_count");
      double batchedRows = metric(metrics, "slipway_batch_size_sum");
      double largest = metric(metrics, "slipway_batch_size_max");
      assertThat(batchedRows).isEqualTo(21);
      assertThat(calls).as(metrics).isLessThan(sizes.length);
      assertThat(largest).isGreaterThan(6).isLessThanOrEqualTo(16);
    }
  }

  private static double metric(String metrics, String name) {
    Matcher matcher = Pattern.compile("(?m)^" + name + "\\{[^}]*model=\"bc\"[^}]*\\} (\\S+)$")
        .matcher(metrics);
    assertThat(matcher.find()).as(name + " in\n" + metrics).isTrue();
    return Double.parseDouble(matcher.group(1));
  }
}
