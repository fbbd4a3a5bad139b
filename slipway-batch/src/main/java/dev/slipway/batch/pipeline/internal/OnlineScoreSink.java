package dev.slipway.batch.pipeline.internal;

import static dev.slipway.batch.BatchInput.identifier;

import dev.slipway.batch.BatchJobException;
import dev.slipway.batch.ScoringWorkspace;
import dev.slipway.batch.pipeline.PipelineSpec.OnlineScores;
import dev.slipway.batch.pipeline.Window;
import dev.slipway.features.online.EntityKey;
import dev.slipway.features.online.ScoreStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a run's scores into the score store for low-latency look-up: one row per entity (the
 * first key column), stamped with the window's end so an older window never overwrites a newer
 * one. With a {@code most_frequent} baseline, also stores this run's most popular answer (see
 * {@link #mostFrequent}) as the answer for entities never scored.
 */
public final class OnlineScoreSink {
  private static final int CHUNK = 10_000;
  private static final Set<String> FLOATING = Set.of("FLOAT", "DOUBLE");

  private OnlineScoreSink() {}

  /** Writes the scores; returns how many entities were written. */
  public static long write(ScoringWorkspace workspace, ScoreStore store, OnlineScores target,
      Window window, Instant scoredAt) {
    List<String> columns = workspace.scoredColumns();
    List<String> scoreColumns = workspace.scoreColumns();
    int keyIndex = 0;
    int firstScore = workspace.keyColumns().size();
    int modelName = columns.indexOf(ScoringWorkspace.MODEL_NAME_COLUMN);
    int modelVersion = columns.indexOf(ScoringWorkspace.MODEL_VERSION_COLUMN);
    long[] written = {0};
    workspace.forEachScoredChunk(CHUNK, rows -> {
      // Later rows of one entity in the same chunk win: they come later in the input.
      Map<EntityKey, ScoreStore.Scores> chunk = new LinkedHashMap<>();
      for (Object[] row : rows) {
        Map<String, Object> scores = new LinkedHashMap<>();
        for (int s = 0; s < scoreColumns.size(); s++) {
          scores.put(scoreColumns.get(s), row[firstScore + s]);
        }
        Object version = row[modelVersion];
        chunk.put(EntityKey.of(row[keyIndex]), new ScoreStore.Scores(scores,
            (String) row[modelName], version == null ? null : ((Number) version).longValue(),
            scoredAt, window.end()));
      }
      store.write(target.deployment(), chunk);
      written[0] += chunk.size();
    });
    if (target.mostFrequentBaseline() && written[0] > 0) {
      store.writeBaseline(target.deployment(), mostFrequent(workspace, scoredAt, window));
    }
    return written[0];
  }

  /**
   * The most popular answer: the most frequent value of the first score column that is not a
   * floating-point number (a label), and for each floating-point column (a probability, a
   * regression's output), whose values hardly ever repeat, its mean over the rows with that
   * answer (over every row when no column is a label).
   */
  private static ScoreStore.Scores mostFrequent(ScoringWorkspace workspace, Instant scoredAt,
      Window window) {
    List<String> scoreColumns = workspace.scoreColumns();
    Map<String, String> types = new LinkedHashMap<>();
    try (Statement statement = workspace.connection().createStatement()) {
      try (ResultSet described = statement.executeQuery("DESCRIBE scored")) {
        while (described.next()) {
          types.put(described.getString("column_name"), described.getString("column_type"));
        }
      }
      String label = scoreColumns.stream()
          .filter(column -> !FLOATING.contains(types.get(column))).findFirst().orElse(null);
      StringBuilder sql = new StringBuilder("SELECT ");
      for (String column : scoreColumns) {
        sql.append(FLOATING.contains(types.get(column)) ? "avg(" : "mode(")
            .append(identifier(column)).append("), ");
      }
      sql.append("any_value(").append(ScoringWorkspace.MODEL_NAME_COLUMN).append("), any_value(")
          .append(ScoringWorkspace.MODEL_VERSION_COLUMN).append(") FROM scored");
      if (label != null) {
        sql.append(" WHERE ").append(identifier(label)).append(" = (SELECT mode(")
            .append(identifier(label)).append(") FROM scored)");
      }
      try (ResultSet result = statement.executeQuery(sql.toString())) {
        result.next();
        Map<String, Object> scores = new LinkedHashMap<>();
        for (int s = 0; s < scoreColumns.size(); s++) {
          scores.put(scoreColumns.get(s), result.getObject(s + 1));
        }
        long version = result.getLong(scoreColumns.size() + 2);
        return new ScoreStore.Scores(scores, result.getString(scoreColumns.size() + 1),
            result.wasNull() ? null : version, scoredAt, window.end());
      }
    } catch (SQLException e) {
      throw new BatchJobException("cannot compute the most frequent scores: " + e.getMessage(),
          e);
    }
  }
}
