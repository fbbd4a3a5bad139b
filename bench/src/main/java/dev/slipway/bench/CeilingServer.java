package dev.slipway.bench;

import com.google.protobuf.ByteString;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.slipway.serving.grpc.GRPCInferenceServiceGrpc;
import dev.slipway.serving.grpc.InferTensorContents;
import dev.slipway.serving.grpc.ModelInferRequest;
import dev.slipway.serving.grpc.ModelInferResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The fastest any server on Armeria could answer an inference request here: it reads the request
 * as Slipway does (REST aggregates the body, gRPC parses the message) and sends back a fixed
 * answer the size of a bc_mlp one, without decoding, validating or scoring anything. Slipway's
 * figures divided by this server's, same protocol and concurrency, show what Slipway's own work
 * costs on top of the transport.
 *
 * <p>Endpoints on one port, like Slipway: {@code POST /ceiling} (REST) and
 * {@code inference.GRPCInferenceService/ModelInfer} (gRPC); and, for the score look-up benchmark
 * (run-scores-bench.sh), {@code GET /ceiling/scores/{deployment}/{entity}}, a fixed answer the
 * size and shape of a pre-computed score look-up's; with {@code --features-answer FILE}, for the
 * online feature benchmark (run-features-bench.sh), {@code POST /ceiling/features} answering that
 * file's bytes (a real Slipway answer captured by the script) after reading the request body.
 */
public final class CeilingServer {
  private static final String USAGE = """
      Usage: CeilingServer --port PORT [--host 127.0.0.1] [--features-answer FILE]
      Serves POST /ceiling, GET /ceiling/scores/{deployment}/{entity}, gRPC ModelInfer and, with
      --features-answer, POST /ceiling/features with fixed answers; prints 'ready port=N'.""";

  /** What Slipway answers for bc_mlp and one row, byte for byte apart from the numbers. */
  static final byte[] REST_ANSWER = ("{\"model_name\":\"bc\",\"model_version\":\"1\","
      + "\"outputs\":[{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[1,2],"
      + "\"data\":[3.7252903E-9,1.0]}]}").getBytes(StandardCharsets.UTF_8);

  /**
   * What Slipway answers for a pre-computed score look-up (GET /v1/scores/churn/ID, two float
   * score columns, ScoreServerLauncher's data), same fields in the same order and about as many
   * bytes.
   */
  static final byte[] SCORES_ANSWER = ("{\"deployment\":\"churn\",\"entity\":\"42\","
      + "\"source\":\"precomputed\",\"scores\":{\"probabilities_0\":0.61803395,"
      + "\"probabilities_1\":0.38196602},\"model_name\":\"bc\",\"model_version\":1,"
      + "\"scored_at\":\"2026-12-01T00:00:00.123Z\",\"data_time\":\"2026-12-01T00:00:00Z\","
      + "\"age_seconds\":12.5}").getBytes(StandardCharsets.UTF_8);

  private CeilingServer() {}

  public static void main(String[] args) {
    Options options = Options.parse(args, Set.of("port", "host", "features-answer"), USAGE);
    int port = options.integer("port", -1);
    if (port < 0) {
      throw options.fail("--port is required");
    }
    byte[] featuresAnswer = featuresAnswer(options);
    Server server = Server.builder()
        .http(new InetSocketAddress(options.string("host", "127.0.0.1"), port))
        // Same request limit as Slipway's default, so both aggregate bodies alike.
        .maxRequestLength(64L * 1024 * 1024)
        .route().post("/ceiling").build((ctx, req) -> HttpResponse.of(req.aggregate()
            .thenApply(ignored -> HttpResponse.of(HttpStatus.OK, MediaType.JSON, REST_ANSWER))))
        // A GET has no body to read: answer at once, on the event loop, as Slipway's look-up does.
        .route().get("/ceiling/scores/{deployment}/{entity}")
            .build((ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON, SCORES_ANSWER))
        .route().post("/ceiling/features").build((ctx, req) -> HttpResponse.of(req.aggregate()
            .thenApply(ignored -> HttpResponse.of(HttpStatus.OK, MediaType.JSON, featuresAnswer))))
        .service(GrpcService.builder().addService(new FixedInference()).build())
        .build();
    server.start().join();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop().join()));
    System.out.println("ready port=" + server.activeLocalPort());
  }

  private static byte[] featuresAnswer(Options options) {
    String file = options.string("features-answer", null);
    if (file == null) {
      return "{}".getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw options.fail("--features-answer " + file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** Answers every ModelInfer with a fixed bc_mlp-sized response, raw if the request was raw. */
  static final class FixedInference extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private static final float[] PROBABILITIES = {3.7252903E-9f, 1.0f};
    private static final ModelInferResponse TYPED = answer(false);
    private static final ModelInferResponse RAW = answer(true);

    private static ModelInferResponse answer(boolean raw) {
      ModelInferResponse.InferOutputTensor.Builder output =
          ModelInferResponse.InferOutputTensor.newBuilder()
              .setName("probabilities")
              .setDatatype("FP32")
              .addShape(1)
              .addShape(PROBABILITIES.length);
      ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
          .setModelName("bc")
          .setModelVersion("1");
      if (raw) {
        ByteBuffer bytes = ByteBuffer.allocate(PROBABILITIES.length * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(PROBABILITIES);
        response.addRawOutputContents(ByteString.copyFrom(bytes.array()));
      } else {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float value : PROBABILITIES) {
          contents.addFp32Contents(value);
        }
        output.setContents(contents);
      }
      return response.addOutputs(output).build();
    }

    @Override
    public void modelInfer(
        ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
      response.onNext(request.getRawInputContentsCount() > 0 ? RAW : TYPED);
      response.onCompleted();
    }
  }
}
