package dev.slipway.registry.tracking;

import dev.slipway.registry.testing.TestDatabases;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;

/** The contract on PostgreSQL; skipped loudly without it, failing under SLIPWAY_REQUIRE_SERVICES. */
class PostgresTrackingStoreTest extends TrackingStoreContract {
  @Override
  protected TestDatabase openDatabase() {
    return TestDatabases.postgres();
  }
}
