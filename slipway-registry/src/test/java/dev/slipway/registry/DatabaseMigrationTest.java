package dev.slipway.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.registry.testing.TestDatabases;
import dev.slipway.registry.testing.TestDatabases.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseMigrationTest {
  private static final List<String> TABLES = List.of("experiments", "runs", "metrics",
      "registered_models", "model_versions", "registered_model_aliases", "registry_audit",
      "webhooks");

  @Test
  void h2_migratesAllTables(@TempDir Path folder) {
    try (TestDatabase db = TestDatabases.h2(folder)) {
      assertThat(tables(db)).containsAll(TABLES);
    }
  }

  @Test
  void postgres_migratesAllTables() {
    try (TestDatabase db = TestDatabases.postgres()) {
      assertThat(tables(db)).containsAll(TABLES);
    }
  }

  private static List<String> tables(TestDatabase db) {
    return db.database().jdbi().withHandle(handle -> handle.createQuery(
        "SELECT lower(table_name) FROM information_schema.tables WHERE lower(table_schema) ="
            + " lower(current_schema())").mapTo(String.class).list());
  }
}
