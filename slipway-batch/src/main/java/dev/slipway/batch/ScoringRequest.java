package dev.slipway.batch;

import dev.slipway.core.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What one batch scoring pass reads and how it labels its output.
 *
 * @param keys columns copied to the output; empty for every column that is not a feature
 * @param features feature columns in model order; empty to let the model's signature decide
 *     (see {@link dev.slipway.core.tabular.TabularScorer#bind})
 * @param modelName written in every output row's {@code model_name}
 * @param modelVersion written in {@code model_version}; null for a model that is not registered
 * @param batchSize rows per model call
 */
public record ScoringRequest(BatchInput input, List<String> keys, List<String> features,
    String modelName, Long modelVersion, int batchSize) {
  public static final int DEFAULT_BATCH_SIZE = 1024;
  /**
   * The scoring loop's Arrow batches hold at least a model call's rows, a few of them at once:
   * beyond this, memory would grow with the batch size.
   */
  public static final int MAX_BATCH_SIZE = 65_536;

  public ScoringRequest {
    Objects.requireNonNull(input, "input");
    keys = List.copyOf(keys);
    features = List.copyOf(features);
    refuseRepeats("key", keys);
    refuseRepeats("feature", features);
    Objects.requireNonNull(modelName, "modelName");
    checkBatchSize(batchSize);
  }

  private static void refuseRepeats(String role, List<String> columns) {
    // DuckDB's names ignore case.
    Set<String> seen = new HashSet<>();
    for (String column : columns) {
      if (!seen.add(column.toLowerCase(Locale.ROOT))) {
        throw new InvalidInputException(role + " column '" + column + "': named twice");
      }
    }
  }

  /** @throws InvalidInputException unless 1 to {@link #MAX_BATCH_SIZE} */
  public static void checkBatchSize(int batchSize) {
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new InvalidInputException("batch size " + batchSize + ": expected 1 to "
          + MAX_BATCH_SIZE + " rows per model call");
    }
  }
}
