package dev.slipway.serving;

import dev.slipway.core.ModelLoadException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Deployments that name their model by registry URI ({@code models:/churn@production}, {@code
 * models:/churn/Production}, {@code models:/churn/3}). Each poll resolves the URI again; when the
 * alias or stage has moved, the server loads and warms the new version, then switches, and a
 * failed load keeps the old version serving.
 */
public final class RegistryDeployments implements ModelSource {
  /** What a model URI points at now: a registry version and its (immutable) artifact folder. */
  public record Resolution(long version, Path artifacts) {}

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  private final Map<String, String> uris;
  private final Function<String, Resolution> resolver;

  /**
   * @param uris deployment name to model URI
   * @param resolver resolves a model URI, throwing with a message a user can act on
   */
  public RegistryDeployments(Map<String, String> uris, Function<String, Resolution> resolver) {
    uris.keySet().forEach(RegistryDeployments::checkName);
    this.uris = new LinkedHashMap<>(uris);
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /** Parses {@code NAME=URI} pairs as given on the command line. */
  public static Map<String, String> parse(List<String> specs) {
    Map<String, String> uris = new LinkedHashMap<>();
    for (String spec : specs) {
      int equals = spec.indexOf('=');
      if (equals <= 0 || !spec.startsWith("models:/", equals + 1)) {
        throw new IllegalArgumentException("deployment '" + spec
            + "' (expected NAME=models:/MODEL@ALIAS, NAME=models:/MODEL/STAGE or"
            + " NAME=models:/MODEL/VERSION)");
      }
      String name = checkName(spec.substring(0, equals));
      if (uris.put(name, spec.substring(equals + 1)) != null) {
        throw new IllegalArgumentException("deployment '" + name + "' given twice");
      }
    }
    return uris;
  }

  private static String checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("deployment name '" + name
          + "' (expected letters, digits, '_', '.', '-', at most 128 characters)");
    }
    return name;
  }

  @Override
  public List<String> modelNames() {
    return List.copyOf(uris.keySet());
  }

  @Override
  public String fingerprint(String name) {
    try {
      Resolution resolution = resolver.apply(uris.get(name));
      return resolution.version() + "@" + resolution.artifacts();
    } catch (RuntimeException e) {
      // Unresolvable now: a changing fingerprint makes the next load record why.
      return "unresolved:" + e.getMessage();
    }
  }

  @Override
  public Optional<SourceModel> model(String name) {
    String uri = uris.get(name);
    if (uri == null) {
      return Optional.empty();
    }
    Resolution resolution;
    try {
      resolution = resolver.apply(uri);
    } catch (RuntimeException e) {
      throw new ModelLoadException("deployment '" + name + "' (" + uri + "): " + e.getMessage(),
          e);
    }
    TreeMap<Long, Path> versions = new TreeMap<>();
    versions.put(resolution.version(), resolution.artifacts());
    // A registered version may carry its serving config (batching, threads) as config.yaml
    // beside its artifact; registered artifacts are immutable, so the version identifies it.
    ModelConfig config = ModelConfig.read(resolution.artifacts());
    return Optional.of(new SourceModel(config, "", versions));
  }

  @Override
  public String describe() {
    return "the registry deployments " + uris;
  }
}
