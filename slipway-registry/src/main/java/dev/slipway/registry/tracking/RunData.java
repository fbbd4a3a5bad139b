package dev.slipway.registry.tracking;

import java.util.List;

/**
 * What a run logged, each list sorted by key.
 *
 * @param metrics the latest value of each metric (highest step, then timestamp, then value)
 */
public record RunData(List<Metric> metrics, List<Param> params, List<RunTag> tags) {
  public RunData {
    metrics = List.copyOf(metrics);
    params = List.copyOf(params);
    tags = List.copyOf(tags);
  }

  /** The tag's value, or null when the run has no such tag. */
  public String tag(String key) {
    return tags.stream().filter(tag -> tag.key().equals(key)).map(RunTag::value).findFirst()
        .orElse(null);
  }
}
