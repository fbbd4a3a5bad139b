package dev.slipway.spark.internal;

import dev.slipway.core.tabular.TabularScorer;
import java.io.Serializable;
import java.util.List;

/**
 * What the driver decided about one scoring run, shipped to every task: the model, how the
 * input's columns bind to it and what each output row holds. Indices are positions in the input
 * row.
 *
 * @param modelPath absolute, and readable on every executor
 * @param columns the columns each task receives (keys and features, in input order)
 * @param featureColumns the bound feature columns, in model order
 * @param passThrough the key columns given by the user (never features)
 * @param outputKeys the columns copied to each output row, in output order
 * @param scoreColumns {@link TabularScorer#outputColumns()} names, to check an executor binds the
 *     same model the driver did
 */
public record ScoringPlan(String modelPath, List<String> columns, List<String> featureColumns,
    List<String> passThrough, List<String> outputKeys, List<String> scoreColumns,
    String modelName, Long modelVersion, int batchSize) implements Serializable {
  private static final long serialVersionUID = 1L;

  public ScoringPlan {
    columns = List.copyOf(columns);
    featureColumns = List.copyOf(featureColumns);
    passThrough = List.copyOf(passThrough);
    outputKeys = List.copyOf(outputKeys);
    scoreColumns = List.copyOf(scoreColumns);
  }

  int[] featureIndices() {
    return featureColumns.stream().mapToInt(columns::indexOf).toArray();
  }

  int[] keyIndices() {
    return outputKeys.stream().mapToInt(columns::indexOf).toArray();
  }

  /** Binds the model as the driver did; an executor holding another model fails loudly. */
  TabularScorer bind() {
    TabularScorer scorer = TabularScorer.bind(ModelCache.get(modelPath), columns, featureColumns,
        passThrough);
    List<String> names = scorer.outputColumns().stream()
        .map(TabularScorer.OutputColumn::name).toList();
    if (!names.equals(scoreColumns)) {
      throw new IllegalStateException(modelPath + " on this executor has output columns " + names
          + ", the driver's has " + scoreColumns + ": every executor must see the same model file");
    }
    return scorer;
  }
}
