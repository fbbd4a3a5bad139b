package dev.slipway.features.online.internal;

import dev.slipway.features.online.OnlineRow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rule every online store applies within one write call. */
final class LatestRows {
  private LatestRows() {}

  /**
   * The newest row per entity, keyed by encoded entity key in first-seen order; on equal event
   * times the later row wins, so each key is written once.
   */
  static Map<String, OnlineRow> newestPerEntity(List<OnlineRow> rows) {
    Map<String, OnlineRow> latest = new LinkedHashMap<>();
    for (OnlineRow row : rows) {
      latest.merge(row.key().encoded(), row,
          (old, candidate) -> candidate.eventTime().isBefore(old.eventTime()) ? old : candidate);
    }
    return latest;
  }
}
