package dev.slipway.registry.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import dev.slipway.registry.MlflowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A small Java client for Slipway's registry over its MLflow-compatible HTTP API, including the
 * writes the official MLflow Java client lacks: register a model from local files, promote it by
 * alias or stage, read its audit history.
 */
public final class RegistryClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = "/api/2.0/mlflow";
  private static final String SLIPWAY = "/api/2.0/slipway";
  private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";

  private final WebClient http;
  private final String user;

  private RegistryClient(WebClient http, String user) {
    this.http = http;
    this.user = user;
  }

  /**
   * A client for the server at {@code baseUrl} ({@code http://127.0.0.1:8080}); {@code user} is
   * recorded as the actor of promotions in the audit trail.
   */
  public static RegistryClient of(String baseUrl, String user) {
    return new RegistryClient(WebClient.builder(baseUrl)
        .responseTimeout(Duration.ofMinutes(2))
        .maxResponseLength(0)
        .build(), user);
  }

  /**
   * Uploads a model file or folder and registers it as a new version of {@code name} (creating the
   * registered model when needed). With a run id, the files go under that run's artifacts and the
   * version links to the run.
   *
   * @return the new version's JSON as MLflow returns it ({@code model_version})
   */
  public JsonNode register(Path modelPath, String name, String runId) {
    if (!Files.exists(modelPath)) {
      throw MlflowException.invalid(modelPath + ": no such file or folder");
    }
    String destination = runId == null
        ? "uploads/" + UUID.randomUUID() + "/model"
        : runArtifactPath(runId) + "/model";
    upload(modelPath, destination);
    ObjectNode create = JSON.createObjectNode().put("name", name);
    AggregatedHttpResponse created = send(HttpMethod.POST, API + "/registered-models/create",
        create);
    if (created.status().code() != 200 && !created.contentUtf8()
        .contains("RESOURCE_ALREADY_EXISTS")) {
      throw failure(created);
    }
    ObjectNode version = JSON.createObjectNode()
        .put("name", name)
        .put("source", "mlflow-artifacts:/" + destination);
    if (runId != null) {
      version.put("run_id", runId);
    }
    return call(HttpMethod.POST, API + "/model-versions/create", version).path("model_version");
  }

  private String runArtifactPath(String runId) {
    JsonNode run = get(API + "/runs/get", QueryParams.of("run_id", runId));
    String uri = run.path("run").path("info").path("artifact_uri").asText();
    String prefix = "mlflow-artifacts:/";
    if (!uri.startsWith(prefix)) {
      throw MlflowException.invalid("run " + runId + " keeps artifacts at " + uri
          + " (expected " + prefix + "..., served by this registry)");
    }
    return uri.substring(prefix.length()).replaceAll("^/+", "");
  }

  private void upload(Path modelPath, String destination) {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> tree = Files.walk(modelPath)) {
      tree.filter(Files::isRegularFile).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path file : files) {
      String relative = Files.isDirectory(modelPath)
          ? modelPath.relativize(file).toString().replace('\\', '/')
          : file.getFileName().toString();
      byte[] content;
      try {
        content = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      AggregatedHttpResponse response = http.execute(RequestHeaders.of(HttpMethod.PUT,
          ARTIFACTS + destination + "/" + relative, HttpHeaderNames.CONTENT_TYPE,
          MediaType.OCTET_STREAM), HttpData.wrap(content)).aggregate().join();
      if (response.status().code() != 200) {
        throw failure(response);
      }
    }
  }

  /** Every registered model ({@code registered_models} of MLflow's search answer). */
  public List<JsonNode> listModels() {
    List<JsonNode> models = new ArrayList<>();
    String pageToken = null;
    do {
      QueryParams query = pageToken == null ? QueryParams.of("max_results", "1000")
          : QueryParams.of("max_results", "1000", "page_token", pageToken);
      JsonNode page = get(API + "/registered-models/search", query);
      page.path("registered_models").forEach(models::add);
      pageToken = page.path("next_page_token").asText(null);
    } while (pageToken != null && !pageToken.isEmpty());
    return models;
  }

  /** A registered model ({@code registered_model}). */
  public JsonNode model(String name) {
    return get(API + "/registered-models/get", QueryParams.of("name", name))
        .path("registered_model");
  }

  /** All versions of a model, oldest first. */
  public List<JsonNode> versions(String name) {
    List<JsonNode> versions = new ArrayList<>();
    get(API + "/model-versions/search",
        QueryParams.of("filter", "name='" + name.replace("'", "\\'") + "'",
            "max_results", "10000"))
        .path("model_versions").forEach(versions::add);
    versions.sort((a, b) -> Long.compare(a.path("version").asLong(), b.path("version").asLong()));
    return versions;
  }

  /** Points {@code alias} at a version (through the validation gate for gated aliases). */
  public void setAlias(String name, String version, String alias) {
    call(HttpMethod.POST, API + "/registered-models/alias",
        JSON.createObjectNode().put("name", name).put("alias", alias).put("version", version));
  }

  /** Moves a version to a stage (through the validation gate for gated stages). */
  public JsonNode transitionStage(String name, String version, String stage,
      boolean archiveExisting) {
    return call(HttpMethod.POST, API + "/model-versions/transition-stage",
        JSON.createObjectNode().put("name", name).put("version", version).put("stage", stage)
            .put("archive_existing_versions", archiveExisting)).path("model_version");
  }

  /** Every stage and alias change of a model, oldest first: who, when, from, to. */
  public List<JsonNode> history(String name) {
    List<JsonNode> entries = new ArrayList<>();
    String pageToken = null;
    do {
      QueryParams query = pageToken == null ? QueryParams.of("name", name)
          : QueryParams.of("name", name, "page_token", pageToken);
      JsonNode page = get(SLIPWAY + "/registered-models/history", query);
      page.path("entries").forEach(entries::add);
      pageToken = page.path("next_page_token").asText(null);
    } while (pageToken != null && !pageToken.isEmpty());
    return entries;
  }

  /**
   * Records a threshold check for a version ({@code metric comparator threshold}); the gate reads
   * these before a gated promotion.
   */
  public JsonNode recordValidation(String name, String version, ObjectNode check) {
    ObjectNode body = check.deepCopy().put("name", name).put("version", version);
    return call(HttpMethod.POST, SLIPWAY + "/model-versions/validations", body);
  }

  /** The raw answer of a GET on any API path, for calls this client does not wrap. */
  public JsonNode get(String path, QueryParams query) {
    AggregatedHttpResponse response = http.execute(RequestHeaders.of(HttpMethod.GET,
        path + (query.isEmpty() ? "" : "?" + query.toQueryString()),
        "X-Slipway-User", user)).aggregate().join();
    return parse(response);
  }

  private JsonNode call(HttpMethod method, String path, ObjectNode body) {
    return parse(send(method, path, body));
  }

  private AggregatedHttpResponse send(HttpMethod method, String path, ObjectNode body) {
    return http.execute(RequestHeaders.of(method, path, HttpHeaderNames.CONTENT_TYPE,
        MediaType.JSON, "X-Slipway-User", user), body.toString()).aggregate().join();
  }

  private static JsonNode parse(AggregatedHttpResponse response) {
    if (response.status().code() != 200) {
      throw failure(response);
    }
    try {
      return JSON.readTree(response.contentUtf8());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MlflowException failure(AggregatedHttpResponse response) {
    MlflowException.ErrorCode code = MlflowException.ErrorCode.INTERNAL_ERROR;
    String message = response.status() + ": " + response.contentUtf8();
    try {
      JsonNode error = JSON.readTree(response.contentUtf8());
      if (error.has("error_code")) {
        code = MlflowException.ErrorCode.valueOf(error.path("error_code").asText());
        message = error.path("message").asText();
      }
    } catch (IOException | IllegalArgumentException e) {
      // Not an MLflow error body: keep the status and raw text.
    }
    return new MlflowException(code, message);
  }
}
