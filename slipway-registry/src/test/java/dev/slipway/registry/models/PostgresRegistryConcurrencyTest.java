package dev.slipway.registry.models;

import dev.slipway.registry.testing.TestDatabases;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import java.nio.file.Path;

class PostgresRegistryConcurrencyTest extends RegistryConcurrencyContract {
  @Override
  protected TestDatabase openDatabase(Path folder) {
    return TestDatabases.postgres();
  }
}
