package dev.slipway.serving;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Where served models come from: a Triton-style folder of models, or registry deployments that
 * follow an alias or stage. The server polls {@link #fingerprint} and reloads a model whenever it
 * changes.
 */
public interface ModelSource {
  /** One model as the source offers it now: its config and its versions' artifact folders. */
  record SourceModel(ModelConfig config, String configFingerprint,
      SortedMap<Long, Path> versions) {}

  /** The models this source offers now. */
  List<String> modelNames();

  /** A cheap change detector: differs whenever {@link #model} would answer differently. */
  String fingerprint(String name);

  /**
   * The model's config and versions, or empty when the source has no such model.
   *
   * @throws dev.slipway.core.ModelLoadException when the model exists but cannot be read
   */
  Optional<SourceModel> model(String name);

  /** For messages: "the repository /srv/models", "registry deployments". */
  String describe();
}
