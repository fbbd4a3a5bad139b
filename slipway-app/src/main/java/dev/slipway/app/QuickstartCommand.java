package dev.slipway.app;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import dev.slipway.app.internal.ExampleRepository;
import dev.slipway.core.SlipwayException;
import dev.slipway.core.examples.ChurnExample;
import dev.slipway.core.examples.LogisticRegressionOnnx;
import dev.slipway.serving.InferenceServer;
import dev.slipway.serving.grpc.GRPCInferenceServiceGrpc;
import dev.slipway.serving.grpc.InferTensorContents;
import dev.slipway.serving.grpc.ModelInferRequest;
import dev.slipway.serving.grpc.ModelInferResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slipway quickstart}: builds an example model, serves it on embedded defaults, scores it
 * once through each interface, and prints commands to try by hand.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = "Serves an example churn model and scores it over REST and gRPC.")
final class QuickstartCommand implements Runnable {
  private static final float[] SAMPLE_CUSTOMER = {0.5f, 1.05f, 4f, 0f};

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", defaultValue = ".slipway/quickstart",
      description = "Where the example repository is written (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind.")
  String host;

  @Option(names = "--port", defaultValue = "8080",
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--no-wait",
      description = "Exit after the tour instead of serving until Ctrl-C.")
  boolean noWait;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    Path repository = dir.resolve("models");
    float[] fitted;
    try {
      fitted = ExampleRepository.write(repository);
    } catch (IOException e) {
      throw new SlipwayException("cannot write the example repository under " + dir + ": "
          + e.getMessage(), e);
    }
    out.printf("1. Trained a churn model on 5,000 generated customers (seed 42): features %s,"
        + "%n   weights %s -> %s/%s/1/model.onnx (ONNX, dynamic batching on)%n",
        Arrays.toString(ChurnExample.FEATURES), Arrays.toString(fitted), repository,
        ExampleRepository.MODEL);
    InferenceServer server = InferenceServer.builder(repository).host(host).port(port)
        .pollInterval(Duration.ofSeconds(2)).build().start();
    String base = "http://" + host + ":" + server.port();
    out.printf("2. Serving %s on %s (Open Inference Protocol, REST and gRPC on one port)%n",
        repository, base);
    try {
      float rest = scoreOverRest(base);
      out.printf(Locale.ROOT, "3. REST  POST /v2/models/churn/infer  customer %s -> churn"
          + " probability %.4f%n", Arrays.toString(SAMPLE_CUSTOMER), rest);
      float grpc = scoreOverGrpc(base);
      out.printf(Locale.ROOT, "4. gRPC  inference.GRPCInferenceService/ModelInfer      -> churn"
          + " probability %.4f%n", grpc);
      if (Math.abs(rest - grpc) > 1e-6) {
        throw new SlipwayException("REST and gRPC disagree: " + rest + " vs " + grpc);
      }
      out.println();
      out.println("Try it yourself:");
      out.printf("  curl -s %s/v2/models/churn%n", base);
      out.printf("  curl -s -X POST %s/v2/models/churn/infer -H 'Content-Type: application/json'"
          + " \\%n       -d '%s'%n", base, restBody());
      out.printf("  curl -s %s/metrics | grep slipway_inference_requests%n", base);
      out.printf("  Add a version: copy a model to %s/churn/2/model.onnx; it is loaded within"
          + " seconds.%n", repository);
      out.flush();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    if (noWait) {
      server.close();
      out.println("Quickstart done (--no-wait): server stopped.");
      out.flush();
      return;
    }
    out.println("Serving until Ctrl-C.");
    out.flush();
    ServeCommand.waitUntilStopped(server);
  }

  private static String restBody() {
    StringBuilder data = new StringBuilder();
    for (float value : SAMPLE_CUSTOMER) {
      data.append(data.length() == 0 ? "" : ",").append(value);
    }
    return "{\"inputs\":[{\"name\":\"" + LogisticRegressionOnnx.INPUT
        + "\",\"datatype\":\"FP32\",\"shape\":[1," + SAMPLE_CUSTOMER.length + "],\"data\":[["
        + data + "]]}]}";
  }

  private static float scoreOverRest(String base) {
    AggregatedHttpResponse response = WebClient.of(base).execute(
        RequestHeaders.of(HttpMethod.POST, "/v2/models/" + ExampleRepository.MODEL + "/infer",
            HttpHeaderNames.CONTENT_TYPE, MediaType.JSON), restBody()).aggregate().join();
    if (response.status().code() != 200) {
      throw new SlipwayException("REST inference answered " + response.status() + ": "
          + response.contentUtf8());
    }
    String body = response.contentUtf8();
    int data = body.indexOf("\"data\":[");
    int end = body.indexOf(']', data);
    return Float.parseFloat(body.substring(data + "\"data\":[".length(), end));
  }

  private static float scoreOverGrpc(String base) {
    GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub =
        GrpcClients.newClient(base, GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub.class);
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    for (float value : SAMPLE_CUSTOMER) {
      contents.addFp32Contents(value);
    }
    ModelInferResponse response = stub.modelInfer(ModelInferRequest.newBuilder()
        .setModelName(ExampleRepository.MODEL)
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
            .setName(LogisticRegressionOnnx.INPUT)
            .setDatatype("FP32")
            .addShape(1)
            .addShape(SAMPLE_CUSTOMER.length)
            .setContents(contents))
        .build());
    return response.getOutputs(0).getContents().getFp32Contents(0);
  }
}
