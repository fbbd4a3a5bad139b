package dev.slipway.registry.tracking;

import dev.slipway.registry.testing.TestDatabases;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;

/**
 * The contract on PostgreSQL: skipped loudly when it is not running, failing instead under
 * SLIPWAY_REQUIRE_SERVICES=1.
 */
class PostgresTrackingStoreTest extends TrackingStoreContract {
  @Override
  protected TestDatabase openDatabase() {
    return TestDatabases.postgres();
  }
}
