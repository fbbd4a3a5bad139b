package dev.slipway.registry.models;

import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh registry per test, over the database a concrete test class opens. */
abstract class RegistryContractBase {
  @TempDir
  Path folder;
  RegistryFixture fixture;
  ModelRegistry registry;

  /** A fresh, migrated database for one test. */
  protected abstract TestDatabase openDatabase(Path folder);

  /** MLflow's behaviour unless a contract is about the gate. */
  protected PromotionPolicy policy() {
    return PromotionPolicy.ungated();
  }

  @BeforeEach
  void openRegistry() {
    fixture = new RegistryFixture(openDatabase(folder), folder, policy(),
        WebhookDispatcher.disabled());
    registry = fixture.registry;
  }

  @AfterEach
  void closeRegistry() {
    fixture.close();
  }
}
