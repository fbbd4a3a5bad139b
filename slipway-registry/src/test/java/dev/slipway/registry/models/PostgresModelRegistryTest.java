package dev.slipway.registry.models;

import dev.slipway.registry.testing.TestDatabases;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import java.nio.file.Path;

class PostgresModelRegistryTest extends ModelRegistryContract {
  @Override
  protected TestDatabase openDatabase(Path folder) {
    return TestDatabases.postgres();
  }
}
