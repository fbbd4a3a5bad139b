package dev.slipway.registry.models;

import dev.slipway.registry.testing.MutableClock;
import dev.slipway.registry.artifacts.internal.LocalArtifactStore;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A registry over a test database and a local artifact store in a temporary folder, with a clock
 * the test moves, and helpers that lay out model folders and tracking runs.
 */
final class RegistryFixture implements AutoCloseable {
  static final long START = 1_700_000_000_000L;

  final TestDatabase database;
  final LocalArtifactStore artifacts;
  final MutableClock clock = new MutableClock(START);
  final ModelRegistry registry;

  RegistryFixture(TestDatabase database, Path folder, PromotionPolicy policy,
      WebhookDispatcher webhooks) {
    this.database = database;
    this.artifacts = new LocalArtifactStore(folder.resolve("artifacts"));
    this.registry = new ModelRegistry(database.database(), artifacts, clock, policy, webhooks);
  }

  /** Writes a small MLflow model folder (MLmodel + model file) at {@code path} in the store. */
  String modelFolder(String path) {
    put(path + "/MLmodel", "flavors:\n  onnx:\n    data: model.onnx\n");
    put(path + "/model.onnx", "onnx-bytes-of-" + path);
    return path;
  }

  void put(String path, String content) {
    try {
      artifacts.put(path, new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Inserts a tracking run as the tracking service would, with its artifacts under
   * {@code mlflow-artifacts:/1/RUN_ID/artifacts} and a model folder at {@code model}. Only tests
   * write tracking tables.
   */
  String run(String runId) {
    database.database().jdbi().useHandle(handle -> {
      if (handle.createQuery("SELECT COUNT(*) FROM experiments WHERE experiment_id = 1")
          .mapTo(Integer.class).one() == 0) {
        handle.execute("INSERT INTO experiments (experiment_id, name, artifact_location,"
            + " lifecycle_stage, creation_time, last_update_time) VALUES (1, 'Default',"
            + " 'mlflow-artifacts:/1', 'active', 0, 0)");
      }
      handle.createUpdate("INSERT INTO runs (run_uuid, experiment_id, status, lifecycle_stage,"
              + " artifact_uri) VALUES (:id, 1, 'FINISHED', 'active', :uri)")
          .bind("id", runId).bind("uri", "mlflow-artifacts:/1/" + runId + "/artifacts")
          .execute();
    });
    modelFolder("1/" + runId + "/artifacts/model");
    return runId;
  }

  RegisteredModel model(String name) {
    return registry.createRegisteredModel(name, null, Map.of(), "tester");
  }

  /** A new version of {@code name} from a fresh model folder. */
  ModelVersion version(String name) {
    String folder = modelFolder("uploads/" + name + "/" + System.nanoTime());
    return registry.createModelVersion(NewModelVersion.of(name, folder), "tester");
  }

  /** A version that passes the default gate: one passing threshold check recorded. */
  ModelVersion validatedVersion(String name) {
    ModelVersion version = version(name);
    registry.recordValidation(name, version.version(), ValidationCheck.threshold("accuracy-min",
        "accuracy", 0.95, MetricComparator.GREATER_OR_EQUAL, 0.9));
    return version;
  }

  @Override
  public void close() {
    database.close();
  }
}
