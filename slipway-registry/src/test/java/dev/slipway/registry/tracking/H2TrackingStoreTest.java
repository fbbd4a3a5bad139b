package dev.slipway.registry.tracking;

import dev.slipway.registry.testing.TestDatabases;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class H2TrackingStoreTest extends TrackingStoreContract {
  @TempDir
  static Path folder;

  @Override
  protected TestDatabase openDatabase() {
    return TestDatabases.h2(folder);
  }
}
