package dev.slipway.features;

import java.nio.file.Path;

/**
 * A file of feature rows: Parquet or CSV, with an event-timestamp column (when the values were
 * true) and optionally a created-timestamp column (when the row was written, which settles late
 * arrivals for the same event time).
 */
public record DataSource(String name, Path path, Format format, String timestampField,
    String createdTimestampField) {
  /** File formats the offline store reads. */
  public enum Format {
    PARQUET,
    CSV
  }
}
