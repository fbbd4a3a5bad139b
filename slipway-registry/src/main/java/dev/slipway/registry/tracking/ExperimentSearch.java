package dev.slipway.registry.tracking;

import java.util.List;

/**
 * A search-experiments query in MLflow's terms.
 *
 * @param filter e.g. {@code name LIKE 'churn%' AND tags.team = 'risk'}; null or blank for all
 * @param viewType null means {@link ViewType#ACTIVE_ONLY}
 * @param maxResults null means 1000; at most 50000
 * @param orderBy clauses like {@code name ASC}; empty means newest first
 * @param pageToken from a previous page, or null for the first
 */
public record ExperimentSearch(String filter, ViewType viewType, Integer maxResults,
    List<String> orderBy, String pageToken) {
  public ExperimentSearch {
    orderBy = orderBy == null ? List.of() : List.copyOf(orderBy);
  }

  /** All active experiments, newest first. */
  public static ExperimentSearch all() {
    return new ExperimentSearch(null, null, null, List.of(), null);
  }

  public ExperimentSearch withFilter(String newFilter) {
    return new ExperimentSearch(newFilter, viewType, maxResults, orderBy, pageToken);
  }

  public ExperimentSearch withViewType(ViewType newViewType) {
    return new ExperimentSearch(filter, newViewType, maxResults, orderBy, pageToken);
  }

  public ExperimentSearch withMaxResults(Integer newMaxResults) {
    return new ExperimentSearch(filter, viewType, newMaxResults, orderBy, pageToken);
  }

  public ExperimentSearch withOrderBy(String... clauses) {
    return new ExperimentSearch(filter, viewType, maxResults, List.of(clauses), pageToken);
  }

  public ExperimentSearch withPageToken(String newPageToken) {
    return new ExperimentSearch(filter, viewType, maxResults, orderBy, newPageToken);
  }
}
