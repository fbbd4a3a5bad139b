package dev.slipway.batch.pipeline;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * The rows a run scores: those whose timestamp is after {@code start} (exclusive; null for "from
 * the beginning") and at or before {@code end}. A window whose start is its end is empty.
 */
public record Window(Instant start, Instant end) {
  private static final DateTimeFormatter LABEL =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  public Window {
    Objects.requireNonNull(end, "end");
    if (start != null && start.isAfter(end)) {
      throw new IllegalArgumentException("window: start " + start + " is after end " + end);
    }
  }

  /** A file-name-safe name of the window, e.g. {@code 20260101T000000Z_20260102T000000Z}. */
  public String label() {
    return (start == null ? "beginning" : LABEL.format(start)) + "_" + LABEL.format(end);
  }

  /** The SQL condition (DuckDB) selecting rows of this window by {@code timestampColumn}. */
  public String condition(String quotedTimestampColumn) {
    String micros = "epoch_us(" + quotedTimestampColumn + ")";
    String upper = micros + " <= " + epochMicros(end);
    return start == null ? upper : micros + " > " + epochMicros(start) + " AND " + upper;
  }

  private static long epochMicros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
  }
}
