package dev.slipway.registry.tracking.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.registry.MlflowException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SearchParserTest {
  private static List<Comparison> runs(String filter) {
    return SearchParser.filter(filter, SearchFields.RUNS);
  }

  private static Comparison only(String filter) {
    List<Comparison> comparisons = runs(filter);
    assertThat(comparisons).hasSize(1);
    return comparisons.get(0);
  }

  @Test
  void emptyFiltersMatchEverything() {
    assertThat(runs(null)).isEmpty();
    assertThat(runs("  ")).isEmpty();
  }

  @Test
  void parsesEachEntityType() {
    assertThat(only("metrics.acc > 0.9")).isEqualTo(new Comparison(EntityType.METRIC, "acc",
        Comparator.GREATER, List.of(0.9)));
    assertThat(only("params.model = 'xgb'")).isEqualTo(new Comparison(EntityType.PARAM,
        "model", Comparator.EQUAL, List.of("xgb")));
    assertThat(only("tags.stage != \"prod\"")).isEqualTo(new Comparison(EntityType.TAG,
        "stage", Comparator.NOT_EQUAL, List.of("prod")));
    assertThat(only("attributes.start_time <= 1700000000000")).isEqualTo(new Comparison(
        EntityType.ATTRIBUTE, "start_time", Comparator.LESS_OR_EQUAL,
        List.of(1_700_000_000_000L)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "metric.a = 1|METRIC", "metrics.a = 1|METRIC", "param.a = 'x'|PARAM",
      "parameter.a = 'x'|PARAM", "parameters.a = 'x'|PARAM", "tag.a = 'x'|TAG",
      "attribute.status = 'x'|ATTRIBUTE", "attr.status = 'x'|ATTRIBUTE",
      "run.status = 'x'|ATTRIBUTE", "status = 'x'|ATTRIBUTE", "METRICS.a = 1|METRIC"})
  void acceptsMlflowsPrefixAliases(String filter, EntityType type) {
    assertThat(only(filter).type()).isEqualTo(type);
  }

  @Test
  void readsQuotedKeysAndStrings() {
    assertThat(only("metrics.`f1 score` >= 0.5").key()).isEqualTo("f1 score");
    assertThat(only("tags.\"mlflow.source.name\" LIKE '%.py'").key())
        .isEqualTo("mlflow.source.name");
    assertThat(only("params.dotted.key.name = 'x'").key()).isEqualTo("dotted.key.name");
    assertThat(only("params.path/like-key = 'x'").key()).isEqualTo("path/like-key");
    assertThat(only("params.q = 'it''s'").value()).isEqualTo("it's");
    assertThat(only("params.q = 'a\\_b'").value()).isEqualTo("a\\_b");
    assertThat(only("params.q = \"say \"\"hi\"\"\"").value()).isEqualTo("say \"hi\"");
    assertThat(only("attributes.`Run Name` = 'x'").key()).isEqualTo("run_name");
    assertThat(only("`run name` = 'x'").key()).isEqualTo("run_name");
    assertThat(only("attributes.created > 5").key()).isEqualTo("start_time");
  }

  @Test
  void readsNumbersInEveryForm() {
    assertThat(only("metrics.a > -1.5e-3").value()).isEqualTo(-1.5e-3);
    assertThat(only("metrics.a > .5").value()).isEqualTo(0.5);
    assertThat(only("metrics.a > +2").value()).isEqualTo(2.0);
    assertThat(only("metrics.a>=3").comparator()).isEqualTo(Comparator.GREATER_OR_EQUAL);
    assertThat(only("attributes.end_time < 1.5").value()).isEqualTo(1.5);
  }

  @Test
  void readsStringComparatorsAndLists() {
    assertThat(only("params.m like 'x%'").comparator()).isEqualTo(Comparator.LIKE);
    assertThat(only("params.m ILIKE 'x%'").comparator()).isEqualTo(Comparator.ILIKE);
    assertThat(only("attributes.run_id IN ('a', \"b\",'c')")).isEqualTo(new Comparison(
        EntityType.ATTRIBUTE, "run_id", Comparator.IN, List.of("a", "b", "c")));
    assertThat(only("tags.t not in ('x')").comparator()).isEqualTo(Comparator.NOT_IN);
  }

  @Test
  void combinesWithAndInAnyCase() {
    assertThat(runs("metrics.a > 1 AND params.b = 'x' and tags.c = 'y' And status = 'z'"))
        .extracting(Comparison::key).containsExactly("a", "b", "c", "status");
  }

  @Test
  void experimentSearchesSeeNameTimesAndTags() {
    List<Comparison> comparisons = SearchParser.filter("name LIKE 'a%' AND tags.t = 'x' AND"
        + " attribute.creation_time > 5 AND last_update_time < 9", SearchFields.EXPERIMENTS);
    assertThat(comparisons).extracting(Comparison::type).containsExactly(EntityType.ATTRIBUTE,
        EntityType.TAG, EntityType.ATTRIBUTE, EntityType.ATTRIBUTE);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
      "metrics.acc >|expected a number to compare metric 'acc' with but found the end|at the end"
          + " (position 13)",
      "metrics.acc > 'high'|expected a number|position 14",
      "params.model = 0.5|expected a quoted string|position 15",
      "params.model = xgb|expected a quoted string|position 15",
      "metrics.acc LIKE 1|'LIKE' cannot compare metric 'acc'|position 12",
      "params.model > 'a'|'>' cannot compare param 'model'|position 13",
      "attributes.status > 'a'|'>' cannot compare attribute 'status'|position 18",
      "attributes.start_time = 'x'|expected a number|position 24",
      "metrics.acc > 1 OR metrics.acc < 0|OR is not supported|position 16",
      "metrics.acc > 1 metrics.b < 0|expected AND or the end of the filter|position 16",
      "metrics.acc > 1 AND|expected an identifier|at the end (position 19)",
      "AND metrics.acc > 1|expected an identifier|position 0",
      "foo.bar = 'x'|unknown entity type 'foo'|position 0",
      "attributes.color = 'red'|unknown run attribute 'color'|position 0",
      "colour = 'red'|unknown run attribute 'colour'|position 0",
      "metrics. = 1|expected a key right after 'metrics.'|position 9",
      "metrics.`f1 > 1|unterminated backticked key|position 8",
      "params.a = 'abc|unterminated string|position 11",
      "metrics.a ! 1|'!' must be followed by '='|position 10",
      "metrics.a == 1|expected a number|position 11",
      "metrics.a = 1x|malformed number '1x'|position 12",
      "metrics.a = 1 # c|unexpected character '#'|position 14",
      "metrics.a 1|expected a comparison operator|position 10",
      "params.a NOT 'x'|expected IN after NOT|position 13",
      "params.a IN 'x'|expected '(' to start the list|position 12",
      "params.a IN ()|expected a quoted string|position 13",
      "params.a IN ('x' 'y')|expected ',' or ')'|position 17",
      "params.a IN ('x',|expected a quoted string|at the end",
      "(metrics.a > 1)|expected an identifier|position 0"})
  void pointsAtTheProblemInMalformedFilters(String filter, String problem, String where) {
    assertThatThrownBy(() -> runs(filter)).isInstanceOf(MlflowException.class)
        .satisfies(e -> assertThat(((MlflowException) e).errorCode())
            .isEqualTo(MlflowException.ErrorCode.INVALID_PARAMETER_VALUE))
        .hasMessageContaining("Invalid filter '" + filter + "'")
        .hasMessageContaining(problem).hasMessageContaining(where);
  }

  @Test
  void refusesMetricsInExperimentSearches() {
    assertThatThrownBy(() -> SearchParser.filter("metrics.a > 1", SearchFields.EXPERIMENTS))
        .hasMessageContaining("unknown entity type 'metrics' (expected tags, attributes)");
  }

  @Test
  void parsesOrderBy() {
    assertThat(SearchParser.orderBy("metrics.acc DESC", SearchFields.RUNS))
        .isEqualTo(new OrderTerm(EntityType.METRIC, "acc", false));
    assertThat(SearchParser.orderBy("params.`learning rate`", SearchFields.RUNS))
        .isEqualTo(new OrderTerm(EntityType.PARAM, "learning rate", true));
    assertThat(SearchParser.orderBy("start_time asc", SearchFields.RUNS))
        .isEqualTo(new OrderTerm(EntityType.ATTRIBUTE, "start_time", true));
    assertThat(SearchParser.orderBy("experiment_id", SearchFields.EXPERIMENTS))
        .isEqualTo(new OrderTerm(EntityType.ATTRIBUTE, "experiment_id", true));
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', quoteCharacter = '^', value = {
      "metrics.acc UP|expected ASC, DESC or the end of the clause but found 'UP'",
      "metrics.acc DESC extra|found 'extra'", "attributes.nope|unknown run attribute 'nope'",
      "^ ^|it is empty", "DESC|unknown run attribute 'DESC'"})
  void refusesMalformedOrderBy(String clause, String problem) {
    assertThatThrownBy(() -> SearchParser.orderBy(clause, SearchFields.RUNS))
        .isInstanceOf(MlflowException.class).hasMessageContaining(problem);
  }

  @Test
  void compilesValuesIntoParametersNeverIntoSqlText() {
    SearchSql sql = new SearchSql(SearchFields.RUNS);
    sql.filter(runs("params.`x' OR 1=1 --` = 'y'' OR ''1''=''1' AND metrics.m > 2"))
        .orderBy(List.of(SearchParser.orderBy("tags.`t; DROP TABLE runs`", SearchFields.RUNS)),
            "start_time");
    String select = sql.select("s.run_uuid", "runs", 10, 0);
    assertThat(select).doesNotContain("OR 1=1", "DROP", "'y'", "2.0");
    assertThat(sql.parameters()).containsValues("x' OR 1=1 --", "y' OR '1'='1", 2.0,
        "t; DROP TABLE runs");
  }
}
