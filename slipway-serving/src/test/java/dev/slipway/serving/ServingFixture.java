package dev.slipway.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import dev.slipway.core.testing.Fixtures;
import dev.slipway.serving.grpc.GRPCInferenceServiceGrpc;
import dev.slipway.serving.grpc.InferTensorContents;
import dev.slipway.serving.grpc.ModelInferRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A model repository in a temporary folder and a running server over it, with clients. */
final class ServingFixture implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  final Path repository;
  final InferenceServer server;
  final WebClient http;
  final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc;

  private ServingFixture(Path repository, InferenceServer server) {
    this.repository = repository;
    this.server = server;
    String base = "http://127.0.0.1:" + server.port();
    this.http = WebClient.builder(base).factory(ClientFactory.ofDefault())
        .maxResponseLength(0).responseTimeout(Duration.ofSeconds(30)).build();
    this.grpc = GrpcClients.builder(base).maxResponseLength(0)
        .responseTimeout(Duration.ofSeconds(30))
        .build(GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub.class);
  }

  static ServingFixture start(Path repository, Duration pollInterval) {
    return of(repository, InferenceServer.builder(repository).port(0)
        .pollInterval(pollInterval).build().start());
  }

  /** Clients for an already started server. */
  static ServingFixture of(Path repository, InferenceServer server) {
    return new ServingFixture(repository, server);
  }

  static ServingFixture start(Path repository) {
    return start(repository, Duration.ZERO);
  }

  /** Copies a fixture file into {@code repository/model/version/fileName}. */
  static Path addVersion(Path repository, String model, int version, String fixture,
      String fileName) {
    try {
      Path folder = Files.createDirectories(repository.resolve(model).resolve(Integer.toString(
          version)));
      return Files.copy(Fixtures.path(fixture), folder.resolve(fileName));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  AggregatedHttpResponse post(String path, String body) {
    return http.execute(RequestHeaders.of(HttpMethod.POST, path,
        HttpHeaderNames.CONTENT_TYPE, MediaType.JSON), body)
        .aggregate().join();
  }

  AggregatedHttpResponse get(String path) {
    return http.get(path).aggregate().join();
  }

  /** Any method, any bytes; no Content-Type header when {@code contentType} is null. */
  AggregatedHttpResponse execute(HttpMethod method, String path, byte[] body,
      MediaType contentType) {
    RequestHeadersBuilder headers = RequestHeaders.builder(method, path);
    if (contentType != null) {
      headers.contentType(contentType);
    }
    return http.execute(headers.build(), HttpData.wrap(body)).aggregate().join();
  }

  static JsonNode json(AggregatedHttpResponse response) {
    try {
      return JSON.readTree(response.contentUtf8());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An inference request body for one FP32 input of {@code rows} x width. */
  static String floatRequest(String input, float[][] rows) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode tensor = body.putArray("inputs").addObject();
    tensor.put("name", input).put("datatype", "FP32");
    tensor.putArray("shape").add(rows.length).add(rows[0].length);
    ArrayNode data = tensor.putArray("data");
    for (float[] row : rows) {
      ArrayNode nested = data.addArray();
      for (float value : row) {
        nested.add(value);
      }
    }
    return body.toString();
  }

  /** A gRPC inference request for one FP32 input of rows x width, as typed fp32_contents. */
  static ModelInferRequest.Builder grpcFloatRequest(String model, String input, float[][] rows) {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (float[] row : rows) {
      for (float value : row) {
        contents.addFp32Contents(value);
      }
    }
    return ModelInferRequest.newBuilder().setModelName(model).addInputs(
        ModelInferRequest.InferInputTensor.newBuilder().setName(input).setDatatype("FP32")
            .addShape(rows.length).addShape(rows[0].length).setContents(contents));
  }

  /** The same request with its elements in raw_input_contents, little-endian. */
  static ModelInferRequest.Builder grpcRawFloatRequest(String model, String input,
      float[][] rows) {
    ByteBuffer bytes = ByteBuffer.allocate(rows.length * rows[0].length * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      for (float value : row) {
        bytes.putFloat(value);
      }
    }
    return ModelInferRequest.newBuilder().setModelName(model)
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(input)
            .setDatatype("FP32").addShape(rows.length).addShape(rows[0].length))
        .addRawInputContents(ByteString.copyFrom(bytes.array()));
  }

  /** Decodes little-endian FP32 raw_output_contents. */
  static float[] littleEndianFloats(ByteString raw) {
    ByteBuffer bytes = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[raw.size() / Float.BYTES];
    bytes.asFloatBuffer().get(values);
    return values;
  }

  @Override
  public void close() {
    server.close();
  }
}
