package dev.slipway.registry.tracking;

import java.util.List;

/**
 * A search-runs query in MLflow's terms.
 *
 * @param filter MLflow's filter syntax ({@code metrics.acc > 0.9 AND params.model = 'xgb'}); null
 *     or blank for all runs
 * @param viewType null means {@link ViewType#ACTIVE_ONLY}
 * @param maxResults null means 1000; at most 50000
 * @param orderBy clauses like {@code metrics.acc DESC}; empty means newest first
 * @param pageToken from a previous page, or null for the first
 */
public record RunSearch(List<String> experimentIds, String filter, ViewType viewType,
    Integer maxResults, List<String> orderBy, String pageToken) {
  public RunSearch {
    experimentIds = List.copyOf(experimentIds);
    orderBy = orderBy == null ? List.of() : List.copyOf(orderBy);
  }

  /** All active runs of these experiments, newest first. */
  public static RunSearch in(String... experimentIds) {
    return new RunSearch(List.of(experimentIds), null, null, null, List.of(), null);
  }

  public RunSearch withFilter(String newFilter) {
    return new RunSearch(experimentIds, newFilter, viewType, maxResults, orderBy, pageToken);
  }

  public RunSearch withViewType(ViewType newViewType) {
    return new RunSearch(experimentIds, filter, newViewType, maxResults, orderBy, pageToken);
  }

  public RunSearch withMaxResults(Integer newMaxResults) {
    return new RunSearch(experimentIds, filter, viewType, newMaxResults, orderBy, pageToken);
  }

  public RunSearch withOrderBy(String... clauses) {
    return new RunSearch(experimentIds, filter, viewType, maxResults, List.of(clauses),
        pageToken);
  }

  public RunSearch withPageToken(String newPageToken) {
    return new RunSearch(experimentIds, filter, viewType, maxResults, orderBy, newPageToken);
  }
}
