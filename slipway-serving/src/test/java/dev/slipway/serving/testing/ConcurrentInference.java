package dev.slipway.serving.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import dev.slipway.serving.grpc.GRPCInferenceServiceGrpc;
import dev.slipway.serving.grpc.InferTensorContents;
import dev.slipway.serving.grpc.ModelInferRequest;
import dev.slipway.serving.grpc.ModelInferResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongToDoubleFunction;

/**
 * Two REST clients and one gRPC client scoring one FP32 row against a model, one request at a
 * time each, until stopped (or a bounded count). Records which version answered, every failure,
 * and answers whose value does not match the version that claims them.
 */
public final class ConcurrentInference implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_REQUESTS_PER_CLIENT = 50_000;

  private final Map<String, Long> answers = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final LongAdder wrongValues = new LongAdder();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService clients = Executors.newFixedThreadPool(3);
  private final List<Future<?>> futures = new ArrayList<>();
  private final WebClient http;
  private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc;
  private final String model;
  private final String input;
  private final float[] row;
  private final LongToDoubleFunction expectedByVersion;

  /**
   * @param expectedByVersion the first output value each version should answer for {@code row}
   */
  public ConcurrentInference(String baseUrl, String model, String input, float[] row,
      LongToDoubleFunction expectedByVersion) {
    this.http = WebClient.builder(baseUrl).responseTimeout(Duration.ofSeconds(30)).build();
    this.grpc = GrpcClients.builder(baseUrl).responseTimeout(Duration.ofSeconds(30))
        .build(GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub.class);
    this.model = model;
    this.input = input;
    this.row = row.clone();
    this.expectedByVersion = expectedByVersion;
  }

  public ConcurrentInference start() {
    futures.add(clients.submit(this::rest));
    futures.add(clients.submit(this::rest));
    futures.add(clients.submit(this::grpc));
    return this;
  }

  /** Answers so far from {@code version}. */
  public long answersFrom(long version) {
    return answers.getOrDefault(Long.toString(version), 0L);
  }

  public Map<String, Long> answers() {
    return Map.copyOf(answers);
  }

  public List<String> failures() {
    return List.copyOf(failures);
  }

  public long wrongValues() {
    return wrongValues.sum();
  }

  /** Stops the clients and waits for their last requests. */
  public void stop() throws Exception {
    running.set(false);
    for (Future<?> future : futures) {
      future.get(30, TimeUnit.SECONDS);
    }
    clients.shutdown();
  }

  @Override
  public void close() throws Exception {
    if (running.get()) {
      stop();
    }
  }

  private void record(String version, double value) {
    answers.merge(version, 1L, Long::sum);
    if (Math.abs(value - expectedByVersion.applyAsDouble(Long.parseLong(version))) > 1e-6) {
      wrongValues.increment();
    }
  }

  private String restBody() {
    StringBuilder data = new StringBuilder();
    for (float value : row) {
      data.append(data.length() == 0 ? "" : ",").append(value);
    }
    return "{\"inputs\":[{\"name\":\"" + input + "\",\"datatype\":\"FP32\",\"shape\":[1,"
        + row.length + "],\"data\":[" + data + "]}]}";
  }

  private void rest() {
    String body = restBody();
    for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && running.get(); i++) {
      AggregatedHttpResponse response = http.execute(RequestHeaders.of(HttpMethod.POST,
          "/v2/models/" + model + "/infer", HttpHeaderNames.CONTENT_TYPE, MediaType.JSON), body)
          .aggregate().join();
      if (response.status().code() != 200) {
        failures.add("REST " + response.status() + " " + response.contentUtf8());
        continue;
      }
      try {
        JsonNode answer = JSON.readTree(response.contentUtf8());
        record(answer.path("model_version").asText(),
            answer.path("outputs").get(0).path("data").get(0).asDouble());
      } catch (IOException e) {
        failures.add("REST unreadable answer " + e);
      }
    }
  }

  private void grpc() {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (float value : row) {
      contents.addFp32Contents(value);
    }
    ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(model)
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(input)
            .setDatatype("FP32").addShape(1).addShape(row.length).setContents(contents))
        .build();
    for (int i = 0; i < MAX_REQUESTS_PER_CLIENT && running.get(); i++) {
      try {
        ModelInferResponse response = grpc.modelInfer(request);
        record(response.getModelVersion(),
            response.getOutputs(0).getContents().getFp32Contents(0));
      } catch (RuntimeException e) {
        failures.add("gRPC " + e);
      }
    }
  }
}
