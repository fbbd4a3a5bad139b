package dev.slipway.features.offline;

import dev.slipway.core.SlipwayException;
import dev.slipway.features.DataSource;
import dev.slipway.features.Entity;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureDefinitions;
import dev.slipway.features.FeatureView;
import dev.slipway.features.internal.SourceRelations;
import dev.slipway.features.online.OnlineRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Appends pushed rows of one feature view to its source for offline use: each push becomes one
 * Parquet file in {@code <source>.pushed/}, which the offline store and materialization read
 * together with the source file. Files appear whole (written aside, then moved).
 */
public final class OfflinePush {
  private final FeatureDefinitions definitions;
  private final Clock clock;

  public OfflinePush(FeatureDefinitions definitions, Clock clock) {
    this.definitions = definitions;
    this.clock = clock;
  }

  /** Writes {@code rows} (already type-checked) of {@code view}; returns the file written. */
  public Path append(FeatureView view, List<OnlineRow> rows) {
    DataSource source = definitions.sources().get(view.source());
    List<Entity.JoinKey> joinKeys = new ArrayList<>();
    view.entities().forEach(name -> joinKeys.addAll(definitions.entities().get(name).joinKeys()));
    List<String> columns = new ArrayList<>();
    joinKeys.forEach(key -> columns.add(quote(key.name()) + " "
        + SourceRelations.sqlType(key.type())));
    columns.add(quote(source.timestampField()) + " TIMESTAMP");
    boolean created = source.createdTimestampField() != null
        && !source.createdTimestampField().isBlank();
    if (created) {
      columns.add(quote(source.createdTimestampField()) + " TIMESTAMP");
    }
    view.features().forEach(feature -> columns.add(quote(feature.name()) + " "
        + SourceRelations.sqlType(feature.type())));
    Path folder = SourceRelations.pushedFolder(source);
    String name = clock.millis() + "-" + UUID.randomUUID();
    Path temporary = folder.resolve(name + ".tmp");
    Path target = folder.resolve(name + ".parquet");
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement sql = duckDb.createStatement()) {
      Files.createDirectories(folder);
      sql.execute("CREATE TABLE pushed (" + String.join(", ", columns) + ")");
      try (PreparedStatement insert = duckDb.prepareStatement("INSERT INTO pushed VALUES ("
          + "?, ".repeat(columns.size() - 1) + "?)")) {
        // TIMESTAMP columns hold UTC wall-clock time, as the sources' timestamps are read.
        LocalDateTime now = clock.instant().atOffset(ZoneOffset.UTC).toLocalDateTime();
        for (OnlineRow row : rows) {
          int index = 1;
          for (Object key : row.key().values()) {
            insert.setObject(index++, key);
          }
          insert.setObject(index++, row.eventTime().atOffset(ZoneOffset.UTC).toLocalDateTime());
          if (created) {
            insert.setObject(index++, now);
          }
          for (Feature feature : view.features()) {
            insert.setObject(index++, row.values().get(feature.name()));
          }
          insert.addBatch();
        }
        insert.executeBatch();
      }
      sql.execute("COPY pushed TO " + SourceRelations.literal(temporary.toString())
          + " (FORMAT parquet)");
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (SQLException | IOException e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // The .tmp name keeps a leftover out of every read; the push itself reports the failure.
      }
      throw new SlipwayException("cannot push " + rows.size() + " rows of feature view '"
          + view.name() + "' to " + folder + ": " + e.getMessage(), e);
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
