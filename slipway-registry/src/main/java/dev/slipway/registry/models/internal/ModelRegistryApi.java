package dev.slipway.registry.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.ServerBuilder;
import dev.slipway.registry.MlflowException;
import dev.slipway.registry.internal.MlflowHttp;
import dev.slipway.registry.internal.MlflowRequest;
import dev.slipway.registry.models.ModelRegistry;
import dev.slipway.registry.models.ModelVersion;
import dev.slipway.registry.models.NewModelVersion;
import dev.slipway.registry.models.SearchPage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MLflow's model registry REST API (2.x, under {@code /api/2.0/mlflow}) with MLflow's methods and
 * shapes, over a {@link ModelRegistry}. Slipway's additions (validations, history, webhooks)
 * are registered by {@link SlipwayRegistryApi} under {@code /api/2.0/slipway}.
 *
 * <p>Changes are attributed to the {@code X-Slipway-User} header, else the body's {@code user}
 * field, else "unknown" (see {@link SlipwayHttp#actor}).
 */
public final class ModelRegistryApi {
  private final ModelRegistry registry;

  private ModelRegistryApi(ModelRegistry registry) {
    this.registry = registry;
  }

  /** Registers MLflow's registry endpoints and Slipway's registry additions on {@code server}. */
  public static void registerOn(ServerBuilder server, ModelRegistry registry) {
    new ModelRegistryApi(registry).registerMlflow(server);
    SlipwayRegistryApi.registerOn(server, registry);
  }

  private void registerMlflow(ServerBuilder server) {
    String models = "/registered-models";
    MlflowHttp.route(server, HttpMethod.POST, models + "/create", this::createRegisteredModel);
    MlflowHttp.route(server, HttpMethod.POST, models + "/rename", this::renameRegisteredModel);
    MlflowHttp.route(server, HttpMethod.PATCH, models + "/update", this::updateRegisteredModel);
    MlflowHttp.route(server, HttpMethod.DELETE, models + "/delete", this::deleteRegisteredModel);
    MlflowHttp.route(server, HttpMethod.GET, models + "/get", this::getRegisteredModel);
    MlflowHttp.route(server, HttpMethod.GET, models + "/search", this::searchRegisteredModels);
    MlflowHttp.route(server, HttpMethod.POST, models + "/get-latest-versions",
        this::getLatestVersions);
    MlflowHttp.route(server, HttpMethod.GET, models + "/get-latest-versions",
        this::getLatestVersions);
    MlflowHttp.route(server, HttpMethod.POST, models + "/set-tag", this::setRegisteredModelTag);
    MlflowHttp.route(server, HttpMethod.DELETE, models + "/delete-tag",
        this::deleteRegisteredModelTag);
    MlflowHttp.route(server, HttpMethod.POST, models + "/alias", this::setAlias);
    MlflowHttp.route(server, HttpMethod.DELETE, models + "/alias", this::deleteAlias);
    MlflowHttp.route(server, HttpMethod.GET, models + "/alias", this::getByAlias);

    String versions = "/model-versions";
    MlflowHttp.route(server, HttpMethod.POST, versions + "/create", this::createModelVersion);
    MlflowHttp.route(server, HttpMethod.PATCH, versions + "/update", this::updateModelVersion);
    MlflowHttp.route(server, HttpMethod.POST, versions + "/transition-stage",
        this::transitionStage);
    MlflowHttp.route(server, HttpMethod.DELETE, versions + "/delete", this::deleteModelVersion);
    MlflowHttp.route(server, HttpMethod.GET, versions + "/get", this::getModelVersion);
    MlflowHttp.route(server, HttpMethod.GET, versions + "/search", this::searchModelVersions);
    MlflowHttp.route(server, HttpMethod.GET, versions + "/get-download-uri",
        this::getDownloadUri);
    MlflowHttp.route(server, HttpMethod.POST, versions + "/set-tag", this::setModelVersionTag);
    MlflowHttp.route(server, HttpMethod.DELETE, versions + "/delete-tag",
        this::deleteModelVersionTag);
  }

  // Registered models

  private JsonNode createRegisteredModel(MlflowRequest request) {
    return registeredModel(registry.createRegisteredModel(request.requiredString("name"),
        request.string("description"), tags(request), SlipwayHttp.actor(request)));
  }

  private JsonNode renameRegisteredModel(MlflowRequest request) {
    return registeredModel(registry.renameRegisteredModel(request.requiredString("name"),
        request.requiredString("new_name"), SlipwayHttp.actor(request)));
  }

  private JsonNode updateRegisteredModel(MlflowRequest request) {
    return registeredModel(registry.updateRegisteredModel(request.requiredString("name"),
        request.string("description")));
  }

  private JsonNode deleteRegisteredModel(MlflowRequest request) {
    registry.deleteRegisteredModel(request.requiredString("name"), SlipwayHttp.actor(request));
    return null;
  }

  private JsonNode getRegisteredModel(MlflowRequest request) {
    return registeredModel(registry.getRegisteredModel(request.requiredString("name")));
  }

  private JsonNode searchRegisteredModels(MlflowRequest request) {
    int maxResults = PageToken.maxResults(request.optionalLong("max_results"),
        RegisteredModelService.DEFAULT_MAX_RESULTS, RegisteredModelService.MAX_RESULTS);
    var page = registry.searchRegisteredModels(request.string("filter"), maxResults,
        request.strings("order_by"), request.string("page_token"));
    ObjectNode body = RegistryJson.object();
    RegistryJson.putList(body, "registered_models", page.items(), RegistryJson::registeredModel);
    RegistryJson.putIfSet(body, "next_page_token", page.nextPageToken());
    return body;
  }

  private JsonNode getLatestVersions(MlflowRequest request) {
    return modelVersions(registry.getLatestVersions(request.requiredString("name"),
        request.strings("stages")));
  }

  private JsonNode setRegisteredModelTag(MlflowRequest request) {
    registry.setRegisteredModelTag(request.requiredString("name"), request.requiredString("key"),
        request.string("value"));
    return null;
  }

  private JsonNode deleteRegisteredModelTag(MlflowRequest request) {
    registry.deleteRegisteredModelTag(request.requiredString("name"),
        request.requiredString("key"));
    return null;
  }

  private JsonNode setAlias(MlflowRequest request) {
    registry.setRegisteredModelAlias(request.requiredString("name"),
        request.requiredString("alias"), version(request), SlipwayHttp.actor(request));
    return null;
  }

  private JsonNode deleteAlias(MlflowRequest request) {
    registry.deleteRegisteredModelAlias(request.requiredString("name"),
        request.requiredString("alias"), SlipwayHttp.actor(request));
    return null;
  }

  private JsonNode getByAlias(MlflowRequest request) {
    return modelVersion(registry.getModelVersionByAlias(request.requiredString("name"),
        request.requiredString("alias")));
  }

  // Model versions

  private JsonNode createModelVersion(MlflowRequest request) {
    NewModelVersion spec = new NewModelVersion(request.requiredString("name"),
        request.requiredString("source"), request.string("run_id"),
        request.string("description"), request.string("run_link"), tags(request));
    return modelVersion(registry.createModelVersion(spec, SlipwayHttp.actor(request)));
  }

  private JsonNode updateModelVersion(MlflowRequest request) {
    return modelVersion(registry.updateModelVersion(request.requiredString("name"),
        version(request), request.string("description")));
  }

  private JsonNode transitionStage(MlflowRequest request) {
    return modelVersion(registry.transitionModelVersionStage(request.requiredString("name"),
        version(request), request.requiredString("stage"),
        request.bool("archive_existing_versions", false), SlipwayHttp.actor(request)));
  }

  private JsonNode deleteModelVersion(MlflowRequest request) {
    registry.deleteModelVersion(request.requiredString("name"), version(request),
        SlipwayHttp.actor(request));
    return null;
  }

  private JsonNode getModelVersion(MlflowRequest request) {
    return modelVersion(registry.getModelVersion(request.requiredString("name"),
        version(request)));
  }

  private JsonNode searchModelVersions(MlflowRequest request) {
    int maxResults = PageToken.maxResults(request.optionalLong("max_results"),
        ModelVersionService.DEFAULT_MAX_RESULTS, ModelVersionService.MAX_RESULTS);
    SearchPage<ModelVersion> page = registry.searchModelVersions(request.string("filter"),
        maxResults, request.strings("order_by"), request.string("page_token"));
    ObjectNode body = RegistryJson.object();
    RegistryJson.putList(body, "model_versions", page.items(), RegistryJson::modelVersion);
    RegistryJson.putIfSet(body, "next_page_token", page.nextPageToken());
    return body;
  }

  private JsonNode getDownloadUri(MlflowRequest request) {
    return RegistryJson.object().put("artifact_uri", registry.getModelVersionDownloadUri(
        request.requiredString("name"), version(request)));
  }

  private JsonNode setModelVersionTag(MlflowRequest request) {
    registry.setModelVersionTag(request.requiredString("name"), version(request),
        request.requiredString("key"), request.string("value"));
    return null;
  }

  private JsonNode deleteModelVersionTag(MlflowRequest request) {
    registry.deleteModelVersionTag(request.requiredString("name"), version(request),
        request.requiredString("key"));
    return null;
  }

  // Request and response helpers

  /** MLflow sends versions as strings; numbers are accepted too. */
  static int version(MlflowRequest request) {
    return RegistryNames.version(request.requiredString("version"));
  }

  /** MLflow's repeated {@code {"key", "value"}} tags. */
  private static Map<String, String> tags(MlflowRequest request) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (JsonNode tag : request.objects("tags")) {
      JsonNode key = tag.get("key");
      if (key == null || !key.isValueNode() || key.asText().isEmpty()) {
        throw MlflowException.invalid("Every tag needs a 'key': " + tag);
      }
      JsonNode value = tag.get("value");
      tags.put(key.asText(), value == null || value.isNull() ? null : value.asText());
    }
    return tags;
  }

  private static JsonNode registeredModel(dev.slipway.registry.models.RegisteredModel model) {
    ObjectNode body = RegistryJson.object();
    body.set("registered_model", RegistryJson.registeredModel(model));
    return body;
  }

  private static JsonNode modelVersion(ModelVersion version) {
    ObjectNode body = RegistryJson.object();
    body.set("model_version", RegistryJson.modelVersion(version));
    return body;
  }

  private static JsonNode modelVersions(List<ModelVersion> versions) {
    ObjectNode body = RegistryJson.object();
    RegistryJson.putList(body, "model_versions", versions, RegistryJson::modelVersion);
    return body;
  }
}
