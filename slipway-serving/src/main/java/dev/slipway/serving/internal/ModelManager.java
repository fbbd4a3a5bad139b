package dev.slipway.serving.internal;

import dev.slipway.core.InvalidInputException;
import dev.slipway.core.ModelLoadException;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.serving.ModelConfig;
import dev.slipway.serving.ModelNotFoundException;
import dev.slipway.serving.ModelSource;
import dev.slipway.serving.ModelSource.SourceModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a {@link ModelSource} offers and the versions loaded from it.
 *
 * <p>Requests read an immutable snapshot through one volatile field and never wait for a load. A
 * load builds and warms new versions off to the side, publishes a new snapshot, and only then
 * retires what it replaced; retired versions close after their last request. A version that fails
 * to load leaves whatever was serving in place, and its reason shows in {@link #index()}.
 */
public final class ModelManager {
  private static final Logger log = LoggerFactory.getLogger(ModelManager.class);
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

  /** A version's state, as the repository index reports it. */
  public record VersionState(String model, String version, String state, String reason) {}

  private final ModelSource source;
  private final ModelLoader loader;
  private final InferenceMetrics metrics;
  private final Object loadLock = new Object();

  // Written under loadLock only; read without locking by every request.
  private volatile Map<String, NavigableMap<Long, ServedVersion>> served = Map.of();
  // Guarded by loadLock.
  private final Map<String, String> lastSeenFingerprints = new HashMap<>();
  // Guarded by loadLock.
  private final Set<String> explicitlyUnloaded = new HashSet<>();
  private final Map<String, VersionState> failures = new ConcurrentHashMap<>();
  private volatile boolean ready;

  public ModelManager(ModelSource source, ModelLoader loader, InferenceMetrics metrics) {
    this.source = source;
    this.loader = loader;
    this.metrics = metrics;
  }

  /** True once the first full scan of the repository has finished. */
  public boolean ready() {
    return ready;
  }

  /**
   * Takes a reference on the version a request names (the highest loaded one when {@code version}
   * is null or empty). The caller must {@link ServedVersion#release()} it.
   */
  ServedVersion acquire(String model, String version) {
    while (true) {
      ServedVersion candidate = resolve(model, version);
      if (candidate.tryAcquire()) {
        return candidate;
      }
      // Retired between our read and our acquire: the next snapshot has its successor.
    }
  }

  ServedVersion resolve(String model, String version) {
    NavigableMap<Long, ServedVersion> versions = served.get(model);
    if (versions == null || versions.isEmpty()) {
      throw new ModelNotFoundException("model '" + model + "' is not loaded (loaded models: "
          + new TreeMap<>(served).keySet() + ")");
    }
    if (version == null || version.isEmpty()) {
      return versions.lastEntry().getValue();
    }
    ServedVersion found = VERSION.matcher(version).matches()
        ? versions.get(Long.parseLong(version)) : null;
    if (found == null) {
      throw new ModelNotFoundException("model '" + model + "' has no loaded version '" + version
          + "' (loaded versions: " + versions.keySet() + ")");
    }
    return found;
  }

  /** The loaded versions of a model, highest last; empty when none is loaded. */
  List<ServedVersion> versions(String model) {
    NavigableMap<Long, ServedVersion> versions = served.get(model);
    return versions == null ? List.of() : List.copyOf(versions.values());
  }

  /** Loads every model folder in the repository; a model that fails is logged, not fatal. */
  public void loadAll() {
    synchronized (loadLock) {
      for (String model : source.modelNames()) {
        tryLoad(model);
      }
      ready = true;
    }
  }

  /**
   * Re-reads the repository and reloads what changed on disk: new, changed and removed versions,
   * new models, and models whose folder is gone. Explicitly unloaded models stay unloaded.
   */
  public void poll() {
    synchronized (loadLock) {
      Set<String> onDisk = new HashSet<>(source.modelNames());
      for (String model : onDisk) {
        if (explicitlyUnloaded.contains(model)) {
          continue;
        }
        String fingerprint = source.fingerprint(model);
        if (!fingerprint.equals(lastSeenFingerprints.get(model))) {
          tryLoad(model);
        }
      }
      for (String model : List.copyOf(served.keySet())) {
        if (!onDisk.contains(model)) {
          log.info("Model folder {} is gone: unloading it", model);
          unloadLocked(model);
        }
      }
    }
  }

  private void tryLoad(String model) {
    try {
      load(model);
    } catch (RuntimeException e) {
      log.warn("Model {} did not load fully: {}", model, e.getMessage());
    }
  }

  /**
   * (Re)loads one model from its folder: versions that changed or are new are loaded and warmed,
   * unchanged ones keep serving, versions no longer on disk are retired.
   *
   * @throws ModelNotFoundException when the repository has no such model folder
   * @throws ModelLoadException naming every version that failed; the others are serving
   */
  public void load(String model) {
    checkName(model);
    synchronized (loadLock) {
      explicitlyUnloaded.remove(model);
      lastSeenFingerprints.put(model, source.fingerprint(model));
      SourceModel offered;
      try {
        offered = source.model(model).orElseThrow(() -> new ModelNotFoundException(
            "model '" + model + "' is not in " + source.describe()));
      } catch (ModelLoadException e) {
        failures.put(model + "/", new VersionState(model, "", "UNAVAILABLE", e.getMessage()));
        throw e;
      }
      failures.remove(model + "/");
      ModelConfig config = offered.config();
      String configPrint = offered.configFingerprint();
      NavigableMap<Long, ServedVersion> current = served.getOrDefault(model, new TreeMap<>());
      NavigableMap<Long, ServedVersion> next = new TreeMap<>();
      List<ServedVersion> replaced = new ArrayList<>();
      List<String> errors = new ArrayList<>();
      Map<Long, Path> onDisk = offered.versions();
      for (Map.Entry<Long, Path> entry : onDisk.entrySet()) {
        long version = entry.getKey();
        String fingerprint = configPrint + "|" + Fingerprints.of(entry.getValue());
        ServedVersion existing = current.get(version);
        if (existing != null && existing.fingerprint().equals(fingerprint)) {
          next.put(version, existing);
          continue;
        }
        try {
          next.put(version, loadVersion(model, version, entry.getValue(), config, fingerprint));
          failures.remove(model + "/" + version);
          if (existing != null) {
            replaced.add(existing);
          }
        } catch (RuntimeException e) {
          String reason = e.getMessage();
          errors.add("version " + version + ": " + reason);
          failures.put(model + "/" + version,
              new VersionState(model, Long.toString(version), "UNAVAILABLE", reason));
          if (existing != null) {
            next.put(version, existing);
          }
        }
      }
      if (next.isEmpty() && !current.isEmpty()) {
        // Nothing the source offers now could load (a registry alias moved to a broken
        // version, say): keep serving what served before rather than nothing.
        next.putAll(current);
        errors.add("kept version(s) " + current.keySet() + " serving");
      }
      for (Map.Entry<Long, ServedVersion> entry : current.entrySet()) {
        if (!next.containsKey(entry.getKey())) {
          replaced.add(entry.getValue());
        }
      }
      publish(model, next);
      replaced.forEach(ServedVersion::retire);
      if (!errors.isEmpty()) {
        throw new ModelLoadException("model '" + model + "': " + String.join("; ", errors));
      }
    }
  }

  private ServedVersion loadVersion(
      String model, long version, Path folder, ModelConfig config, String fingerprint) {
    Model loaded = null;
    try {
      loaded = loader.load(folder, config.runtimeOptions());
      ServedVersion servedVersion =
          new ServedVersion(model, version, loaded, config, fingerprint, metrics);
      try {
        servedVersion.warmUp();
      } catch (RuntimeException e) {
        servedVersion.retire();
        throw new ModelLoadException("warm-up failed: " + e.getMessage(), e);
      }
      metrics.modelLoad(model, version, true);
      log.info("Loaded model {} version {} ({}{})", model, version, loaded.platform(),
          servedVersion.batching() ? ", dynamic batching up to " + config.maxBatchSize() : "");
      return servedVersion;
    } catch (RuntimeException e) {
      metrics.modelLoad(model, version, false);
      if (loaded != null && !(e instanceof ModelLoadException)) {
        loaded.close();
      }
      throw e;
    }
  }

  /**
   * Stops serving a model; requests in flight finish first. It stays unloaded, even while its
   * folder is there, until loaded again.
   */
  public void unload(String model) {
    checkName(model);
    synchronized (loadLock) {
      if (!served.containsKey(model)) {
        throw new ModelNotFoundException("model '" + model + "' is not loaded");
      }
      explicitlyUnloaded.add(model);
      unloadLocked(model);
    }
  }

  private void unloadLocked(String model) {
    NavigableMap<Long, ServedVersion> versions = served.get(model);
    publish(model, new TreeMap<>());
    lastSeenFingerprints.remove(model);
    if (versions != null) {
      versions.values().forEach(ServedVersion::retire);
    }
  }

  private void publish(String model, NavigableMap<Long, ServedVersion> versions) {
    Map<String, NavigableMap<Long, ServedVersion>> copy = new HashMap<>(served);
    if (versions.isEmpty()) {
      copy.remove(model);
    } else {
      copy.put(model, Collections.unmodifiableNavigableMap(versions));
    }
    served = Map.copyOf(copy);
  }

  /** Every model folder and loaded version with its state (READY or UNAVAILABLE and why). */
  public List<VersionState> index() {
    Map<String, VersionState> states = new TreeMap<>();
    for (String model : source.modelNames()) {
      states.put(model + "/", new VersionState(model, "", "UNAVAILABLE",
          explicitlyUnloaded.contains(model) ? "unloaded" : "not loaded"));
    }
    for (Map.Entry<String, NavigableMap<Long, ServedVersion>> entry : served.entrySet()) {
      states.remove(entry.getKey() + "/");
      for (Long version : entry.getValue().keySet()) {
        states.put(entry.getKey() + "/" + version,
            new VersionState(entry.getKey(), Long.toString(version), "READY", ""));
      }
    }
    for (Map.Entry<String, VersionState> failure : failures.entrySet()) {
      VersionState state = failure.getValue();
      if (!state.version().isEmpty()) {
        states.remove(state.model() + "/");
      }
      VersionState ready = states.get(failure.getKey());
      states.put(failure.getKey(), ready == null ? state
          : new VersionState(state.model(), state.version(), "READY",
              "serving the previous copy; the new one failed: " + state.reason()));
    }
    return List.copyOf(states.values());
  }

  /** Retires every version; the runtimes close once requests in flight are done. */
  public void close() {
    synchronized (loadLock) {
      for (String model : List.copyOf(served.keySet())) {
        unloadLocked(model);
      }
    }
  }

  private static void checkName(String model) {
    if (model == null || !RepositoryModelSource.MODEL_NAME.matcher(model).matches()) {
      throw new InvalidInputException("model name '" + model + "' (expected letters, digits,"
          + " '_', '.' or '-', not starting with '.' or '-', at most 128 characters)");
    }
  }
}
