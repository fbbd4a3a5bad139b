package dev.slipway.registry.tracking.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.tracking.Experiment;
import dev.slipway.registry.tracking.ExperimentSearch;
import dev.slipway.registry.tracking.ExperimentTag;
import dev.slipway.registry.tracking.LifecycleStage;
import dev.slipway.registry.tracking.Page;
import dev.slipway.registry.tracking.Run;
import dev.slipway.registry.tracking.RunData;
import dev.slipway.registry.tracking.RunInfo;
import dev.slipway.registry.tracking.RunSearch;
import dev.slipway.registry.tracking.ViewType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Search experiments and search runs: the request is parsed and checked before any transaction
 * starts ({@link #prepare}), so a malformed one never takes a connection; the prepared search
 * then runs as one paged query plus one query per kind of data on the page's rows.
 */
public final class Searches {
  public static final int DEFAULT_MAX_RESULTS = 1000;
  public static final int MAX_RESULTS_LIMIT = 50000;

  private Searches() {}

  /**
   * A search that parsed and passed validation, ready to run in a transaction.
   *
   * @param experimentIds the experiments a runs search looks in; empty for experiment searches
   */
  public record Prepared(List<Long> experimentIds, List<Comparison> filter,
      List<OrderTerm> orderBy, List<String> stages, int maxResults, long offset) {}

  public static Prepared prepare(ExperimentSearch search) {
    return prepare(SearchFields.EXPERIMENTS, List.of(), search.filter(), search.orderBy(),
        search.viewType(), search.maxResults(), search.pageToken());
  }

  public static Prepared prepare(RunSearch search) {
    List<Long> experimentIds = new ArrayList<>();
    for (String experimentId : search.experimentIds()) {
      Long id = ExperimentRows.parseId(experimentId);
      if (id == null) {
        throw MlflowException.invalid("Invalid experiment ID: '" + experimentId + "'");
      }
      experimentIds.add(id);
    }
    return prepare(SearchFields.RUNS, experimentIds, search.filter(), search.orderBy(),
        search.viewType(), search.maxResults(), search.pageToken());
  }

  private static Prepared prepare(SearchFields fields, List<Long> experimentIds, String filter,
      List<String> orderBy, ViewType viewType, Integer maxResults, String pageToken) {
    List<Comparison> comparisons = SearchParser.filter(filter, fields);
    List<OrderTerm> terms = orderBy.stream()
        .map(clause -> SearchParser.orderBy(clause, fields)).toList();
    List<String> stages = (viewType == null ? ViewType.ACTIVE_ONLY : viewType).stages().stream()
        .map(LifecycleStage::label).toList();
    return new Prepared(experimentIds, comparisons, terms, stages, maxResults(maxResults),
        PageToken.decode(pageToken));
  }

  /** MLflow's bounds: at most 50000 per page, and a positive count. */
  public static int maxResults(Integer requested) {
    if (requested == null) {
      return DEFAULT_MAX_RESULTS;
    }
    if (requested < 1) {
      throw MlflowException.invalid("Invalid value for request parameter max_results. It must be"
          + " a positive integer, but got value " + requested);
    }
    if (requested > MAX_RESULTS_LIMIT) {
      throw MlflowException.invalid("Invalid value for request parameter max_results. It must be"
          + " at most " + MAX_RESULTS_LIMIT + ", but got value " + requested);
    }
    return requested;
  }

  public static Page<Experiment> experiments(Handle handle, Prepared prepared) {
    SearchSql sql = new SearchSql(SearchFields.EXPERIMENTS);
    sql.where("s.lifecycle_stage IN " + sql.bindAll(prepared.stages()))
        .filter(prepared.filter()).orderBy(prepared.orderBy(), "creation_time");
    List<ExperimentRows.Row> rows = Sql.bindAll(handle.createQuery(sql.select(
            ExperimentRows.COLUMNS, "experiments", prepared.maxResults() + 1, prepared.offset())),
            sql.parameters())
        .map((row, ctx) -> ExperimentRows.row(row)).list();
    List<ExperimentRows.Row> page = rows.subList(0, Math.min(rows.size(),
        prepared.maxResults()));
    Map<Long, List<ExperimentTag>> tags = ExperimentRows.tags(handle,
        page.stream().map(ExperimentRows.Row::id).toList());
    List<Experiment> experiments = page.stream()
        .map(row -> row.withTags(tags.getOrDefault(row.id(), List.of()))).toList();
    return new Page<>(experiments, nextToken(rows.size(), prepared));
  }

  public static Page<Run> runs(Handle handle, Prepared prepared) {
    if (prepared.experimentIds().isEmpty()) {
      return new Page<>(List.of(), null);
    }
    SearchSql sql = new SearchSql(SearchFields.RUNS);
    sql.where("s.experiment_id IN " + sql.bindAll(prepared.experimentIds()))
        .where("s.lifecycle_stage IN " + sql.bindAll(prepared.stages()))
        .filter(prepared.filter()).orderBy(prepared.orderBy(), "start_time");
    List<RunInfo> infos = Sql.bindAll(handle.createQuery(sql.select(RunRows.COLUMNS, "runs",
            prepared.maxResults() + 1, prepared.offset())), sql.parameters())
        .map((row, ctx) -> RunRows.info(row)).list();
    List<RunInfo> page = infos.subList(0, Math.min(infos.size(), prepared.maxResults()));
    Map<String, RunData> data = RunDataRows.load(handle,
        page.stream().map(RunInfo::runId).toList());
    List<Run> runs = page.stream().map(info -> new Run(info, data.get(info.runId()))).toList();
    return new Page<>(runs, nextToken(infos.size(), prepared));
  }

  /** A token only when the query found more rows than the page holds. */
  private static String nextToken(int fetched, Prepared prepared) {
    return fetched > prepared.maxResults()
        ? PageToken.encode(prepared.offset() + prepared.maxResults()) : null;
  }
}
