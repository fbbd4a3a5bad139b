package dev.slipway.registry.models;

import dev.slipway.registry.testing.TestDatabases;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import java.nio.file.Path;

class H2RegistryConcurrencyTest extends RegistryConcurrencyContract {
  @Override
  protected TestDatabase openDatabase(Path folder) {
    return TestDatabases.h2(folder);
  }
}
