package dev.slipway.batch.pipeline;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;

/**
 * The rows a run scores: those whose timestamp is after {@code start} (exclusive; null for "from
 * the beginning") and at or before {@code end}. A window whose start is its end is empty.
 */
public record Window(Instant start, Instant end) {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  public Window {
    Objects.requireNonNull(end, "end");
    if (start != null && start.isAfter(end)) {
      throw new IllegalArgumentException("window: start " + start + " is after end " + end);
    }
  }

  /**
   * A file-name-safe name of the window, e.g. {@code 20260101T000000Z_20260102T000000Z}, with
   * the microseconds that the window's bounds have ({@code 20260101T000000.250000Z}): two
   * windows within one second must not share a name, or the second would replace the first's
   * rows in the sinks.
   */
  public String label() {
    return (start == null ? "beginning" : label(start)) + "_" + label(end);
  }

  private static String label(Instant instant) {
    long micros = instant.getNano() / 1_000;
    return SECONDS.format(instant) + (micros == 0 ? "" : String.format(Locale.ROOT, ".%06d", micros)) + "Z";
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
