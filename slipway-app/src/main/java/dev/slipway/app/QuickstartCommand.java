package dev.slipway.app;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.app.internal.ExampleFeatures;
import dev.slipway.app.internal.ExamplePipelines;
import dev.slipway.batch.pipeline.PipelineRun;
import dev.slipway.batch.pipeline.PipelineScheduler;
import dev.slipway.app.internal.ExampleRepository;
import dev.slipway.app.internal.FeatureStores;
import dev.slipway.app.internal.Platform;
import dev.slipway.core.SlipwayException;
import dev.slipway.core.examples.LogisticRegressionOnnx;
import dev.slipway.features.online.OnlineStore;
import dev.slipway.registry.MlflowException;
import dev.slipway.registry.Registry;
import dev.slipway.registry.models.MetricComparator;
import dev.slipway.registry.models.ModelRegistry;
import dev.slipway.registry.models.ModelVersion;
import dev.slipway.registry.models.NewModelVersion;
import dev.slipway.registry.models.ValidationCheck;
import dev.slipway.registry.tracking.Metric;
import dev.slipway.registry.tracking.Param;
import dev.slipway.registry.tracking.Run;
import dev.slipway.registry.tracking.RunStatus;
import dev.slipway.registry.tracking.TrackingStore;
import dev.slipway.serving.grpc.GRPCInferenceServiceGrpc;
import dev.slipway.serving.grpc.InferTensorContents;
import dev.slipway.serving.grpc.ModelInferRequest;
import dev.slipway.serving.grpc.ModelInferResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slipway quickstart}: trains an example model and records the run in experiment tracking,
 * registers it, passes the validation gate, promotes it to the {@code production} alias, serves
 * that deployment on embedded defaults, scores it once through each interface, and prints commands
 * to try by hand.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = "Tracks, registers, promotes and serves an example churn model, then scores it"
        + " over REST and gRPC.")
final class QuickstartCommand implements Runnable {
  private static final float[] SAMPLE_CUSTOMER = {0.5f, 1.05f, 4f, 0f};
  private static final String ACTOR = "quickstart";
  private static final String ENTITY_BODY = "{\"inputs\":[{\"name\":\"customer_id\","
      + "\"datatype\":\"INT64\",\"shape\":[1],\"data\":[42]}]}";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", defaultValue = ".slipway/quickstart",
      description = "Data folder: embedded registry database and artifacts"
          + " (default: ${DEFAULT-VALUE}).")
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
    ExampleRepository.Example example = ExampleRepository.train();
    out.printf(Locale.ROOT, "1. Trained a churn model on 5,000 generated customers (seed %d):"
        + " held-out accuracy %.3f, log loss %.3f%n", ExampleRepository.SEED, example.accuracy(),
        example.logLoss());
    Platform.Options options = new Platform.Options();
    options.dataDir = dir;
    options.host = host;
    options.port = port;
    options.maxRequestBytes = 64L * 1024 * 1024;
    options.pollSeconds = 2;
    Registry registry = Registry.open(options.registryConfig());
    int version;
    try {
      version = trackRegisterAndPromote(registry, example, out);
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
    try {
      Path features = ExampleFeatures.write(dir.resolve("features"));
      long written;
      try (OnlineStore store = FeatureStores.online(options.onlineStore, dir)) {
        written = ExampleFeatures.materialize(features, store);
      }
      out.printf("4. Feature store: %s defines customer_profile (4 features by customer_id);"
          + " materialized the latest of 2 snapshots for %d customers into the embedded online"
          + " store%n", features, written);
      options.features = features;
      options.bindFeatures = List.of(ExampleRepository.MODEL + "=" + ExampleFeatures.SERVICE);
      options.pipelines = ExamplePipelines.write(dir.resolve("features"), example.churnRate());
    } catch (IOException | SQLException | RuntimeException e) {
      registry.close();
      throw new SlipwayException("cannot prepare the example feature store: " + e.getMessage(),
          e);
    }
    Platform platform = Platform.serve(registry, options, null, Map.of(ExampleRepository.MODEL,
        "models:/" + ExampleRepository.MODEL + "@production"));
    try {
      float byId = tour(platform, version, out);
      batchTour(platform, byId, dir, out);
    } catch (RuntimeException e) {
      platform.close();
      throw e;
    }
    if (noWait) {
      platform.close();
      out.println("Quickstart done (--no-wait): server stopped.");
      out.flush();
      return;
    }
    out.println("Serving until Ctrl-C.");
    out.flush();
    ServeCommand.waitUntilStopped(platform);
  }

  /** Steps 2 and 3: the run in tracking, the registered version, the gate and the alias. */
  private static int trackRegisterAndPromote(Registry registry, ExampleRepository.Example example,
      PrintWriter out) {
    String runId = trackRun(registry, example);
    out.printf("2. Tracked run %s in experiment 'quickstart': params seed, iterations,"
        + " learning_rate; metrics accuracy, log_loss; artifact model/model.onnx%n", runId);

    ModelRegistry models = registry.models();
    try {
      models.createRegisteredModel(ExampleRepository.MODEL, "Predicts which customers leave",
          Map.of(), ACTOR);
    } catch (MlflowException e) {
      if (e.errorCode() != MlflowException.ErrorCode.RESOURCE_ALREADY_EXISTS) {
        throw e;
      }
    }
    ModelVersion version = models.createModelVersion(NewModelVersion.of(ExampleRepository.MODEL,
        "runs:/" + runId + "/model").withRunId(runId), ACTOR);
    models.recordValidation(ExampleRepository.MODEL, version.version(),
        ValidationCheck.threshold("accuracy-at-least-0.6", "accuracy", example.accuracy(),
            MetricComparator.GREATER_OR_EQUAL, 0.6));
    models.setRegisteredModelAlias(ExampleRepository.MODEL, "production", version.version(),
        ACTOR);
    out.printf(Locale.ROOT, "3. Registered %s version %d from runs:/%s/model; validation"
        + " accuracy %.3f >= 0.6 passed; alias production -> version %d%n",
        ExampleRepository.MODEL, version.version(), runId, example.accuracy(), version.version());
    return version.version();
  }

  /**
   * Steps 5 to 8: the deployment answering over REST and gRPC and by entity; returns the score
   * of customer 42 by entity.
   */
  private static float tour(Platform platform, int version, PrintWriter out) {
    String base = platform.baseUrl();
    out.printf("5. Serving deployment churn = models:/churn@production (version %d) on %s%n",
        version, base);
    float rest = scoreOverRest(base, restBody());
    out.printf(Locale.ROOT, "6. REST  POST /v2/models/churn/infer  customer %s -> churn"
        + " probability %.4f%n", Arrays.toString(SAMPLE_CUSTOMER), rest);
    float grpc = scoreOverGrpc(base);
    out.printf(Locale.ROOT, "7. gRPC  inference.GRPCInferenceService/ModelInfer      -> churn"
        + " probability %.4f%n", grpc);
    if (Math.abs(rest - grpc) > 1e-6) {
      throw new SlipwayException("REST and gRPC disagree: " + rest + " vs " + grpc);
    }
    float byId = scoreOverRest(base, ENTITY_BODY);
    out.printf(Locale.ROOT, "8. By entity: POST /v2/models/churn/infer  customer_id 42 ->"
        + " features from the online store -> churn probability %.4f%n", byId);
    return byId;
  }

  /**
   * Steps 9 to 12: the nightly batch pipeline run once, then score look-ups answered by the
   * batch, by inline scoring for a customer who signed up since, and by the baseline for one
   * nobody knows; then commands to try by hand.
   */
  private static void batchTour(Platform platform, float byId, Path dir, PrintWriter out) {
    String base = platform.baseUrl();
    PipelineScheduler scheduler = platform.pipelines().scheduler();
    PipelineRun run = scheduler.runner().run(scheduler.pipeline(ExamplePipelines.PIPELINE),
        PipelineRun.Trigger.MANUAL);
    if (run.status() != PipelineRun.Status.SUCCEEDED) {
      throw new SlipwayException("batch pipeline " + ExamplePipelines.PIPELINE + " failed: "
          + run.error());
    }
    out.printf("9. Batch: pipeline %s (cron 0 2 * * *) ran once: %d customers scored with %s"
        + " version %d, written to a Parquet partition and the score store%n",
        ExamplePipelines.PIPELINE, run.rowsScored(), run.modelName(), run.modelVersion());
    JsonNode batch = lookUp(base, "42");
    float precomputed = (float) batch.path("scores").path("probability").asDouble();
    out.printf(Locale.ROOT, "10. GET /v1/scores/churn/42     -> %s, churn probability %.4f%n",
        batch.path("source").asText(), precomputed);
    if (!batch.path("source").asText().equals("precomputed")
        || Math.abs(precomputed - byId) > 1e-6) {
      throw new SlipwayException("the batch score of customer 42 (" + batch + ") differs from"
          + " its online score " + byId);
    }
    pushNewCustomer(base);
    JsonNode inline = lookUp(base, Long.toString(NEW_CUSTOMER));
    out.printf(Locale.ROOT, "11. GET /v1/scores/churn/%d   -> %s (signed up after the batch;"
        + " features pushed online), churn probability %.4f%n", NEW_CUSTOMER,
        inline.path("source").asText(), inline.path("scores").path("probability").asDouble());
    JsonNode baseline = lookUp(base, "999999");
    out.printf(Locale.ROOT, "12. GET /v1/scores/churn/999999 -> %s (no score, no features),"
        + " churn probability %.4f%n", baseline.path("source").asText(),
        baseline.path("scores").path("probability").asDouble());
    if (!inline.path("source").asText().equals("inline")
        || !baseline.path("source").asText().equals("baseline")) {
      throw new SlipwayException("score fallbacks answered " + inline + " and " + baseline);
    }
    out.println();
    out.println("Try it yourself:");
    out.printf("  curl -s %s/v2/models/churn%n", base);
    out.printf("  curl -s -X POST %s/v2/models/churn/infer -H 'Content-Type: application/json'"
        + " \\%n       -d '%s'%n", base, restBody());
    out.printf("  curl -s -X POST %s/v2/models/churn/infer -H 'Content-Type: application/json'"
        + " \\%n       -d '%s'%n", base, ENTITY_BODY);
    out.printf("  curl -s -X POST %s/v1/features/online -H 'Content-Type: application/json'"
        + " \\%n       -d '{\"feature_service\":\"%s\",\"entities\":{\"customer_id\":[1,2,42]}}'%n",
        base, ExampleFeatures.SERVICE);
    out.printf("  curl -s '%s/api/2.0/mlflow/registered-models/get?name=churn'%n", base);
    out.printf("  ./slipway models show churn --url %s%n", base);
    out.printf("  ./slipway models history churn --url %s%n", base);
    out.printf("  curl -s %s/v1/scores/churn/42%n", base);
    out.printf("  curl -s %s/v1/pipelines%n", base);
    out.printf("  curl -s -X POST %s/v1/pipelines/%s/runs%n", base, ExamplePipelines.PIPELINE);
    out.printf("  ./slipway predict --model models:/churn@production --data-dir %s \\%n"
        + "       --input %s --output scores.csv --key customer_id --key event_ts%n"
        + "       (offline prediction; stop the server first: it holds the embedded registry)%n",
        dir, dir.resolve("features").resolve("customer_profiles.parquet"));
    out.printf("  curl -s %s/metrics | grep -E 'slipway_(inference_requests|scores_lookups)'%n",
        base);
    out.flush();
  }

  private static final long NEW_CUSTOMER = 5_001;

  private static JsonNode lookUp(String base, String customer) {
    AggregatedHttpResponse response = WebClient.of(base)
        .get("/v1/scores/" + ExamplePipelines.DEPLOYMENT + "/" + customer).aggregate().join();
    if (response.status().code() != 200) {
      throw new SlipwayException("score look-up of " + customer + " answered "
          + response.status() + ": " + response.contentUtf8());
    }
    try {
      return new ObjectMapper().readTree(response.contentUtf8());
    } catch (IOException e) {
      throw new SlipwayException("score look-up answered no JSON: " + response.contentUtf8());
    }
  }

  /** A customer who signed up after the batch ran: pushed to the online store only. */
  private static void pushNewCustomer(String base) {
    String body = "{\"feature_view\": \"customer_profile\", \"to\": \"online\", \"df\": {"
        + "\"customer_id\": [" + NEW_CUSTOMER + "], \"event_ts\": [\"" + Instant.now() + "\"],"
        + " \"tenure_years\": [0.1], \"monthly_charges_100\": [1.1], \"support_calls\": [3],"
        + " \"annual_contract\": [0]}}";
    AggregatedHttpResponse response = WebClient.of(base).execute(
        RequestHeaders.of(HttpMethod.POST, "/v1/features/push",
            HttpHeaderNames.CONTENT_TYPE, MediaType.JSON), body).aggregate().join();
    if (response.status().code() != 200) {
      throw new SlipwayException("feature push answered " + response.status() + ": "
          + response.contentUtf8());
    }
  }

  /** Records the training run and uploads the model under its artifacts. */
  private static String trackRun(Registry registry, ExampleRepository.Example example) {
    TrackingStore tracking = registry.tracking();
    String experimentId;
    try {
      experimentId = tracking.getExperimentByName("quickstart").experimentId();
    } catch (MlflowException e) {
      experimentId = tracking.createExperiment("quickstart");
    }
    long now = System.currentTimeMillis();
    Run run = tracking.createRun(experimentId, ACTOR, "churn-logistic-regression", now,
        List.of());
    String runId = run.info().runId();
    tracking.logBatch(runId,
        List.of(new Metric("accuracy", example.accuracy(), now, 0),
            new Metric("log_loss", example.logLoss(), now, 0)),
        List.of(new Param("seed", Long.toString(ExampleRepository.SEED)),
            new Param("iterations", Integer.toString(ExampleRepository.ITERATIONS)),
            new Param("learning_rate", Double.toString(ExampleRepository.LEARNING_RATE))),
        List.of());
    String artifacts = run.info().artifactUri().substring(Registry.ARTIFACT_ROOT_URI.length());
    try {
      registry.artifacts().put(artifacts + "/model/model.onnx",
          new ByteArrayInputStream(example.onnx()));
    } catch (IOException e) {
      throw new SlipwayException("cannot store the example model: " + e.getMessage(), e);
    }
    tracking.updateRun(runId, RunStatus.FINISHED, System.currentTimeMillis(), null);
    return runId;
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

  private static float scoreOverRest(String base, String request) {
    AggregatedHttpResponse response = WebClient.of(base).execute(
        RequestHeaders.of(HttpMethod.POST, "/v2/models/" + ExampleRepository.MODEL + "/infer",
            HttpHeaderNames.CONTENT_TYPE, MediaType.JSON), request).aggregate().join();
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
