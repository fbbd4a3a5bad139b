package dev.slipway.spark.internal;

import dev.slipway.core.tabular.TabularScorer;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

/**
 * Scores one partition in blocks of {@link ScoringPlan#batchSize()} rows; rows that cannot be
 * scored are dropped here (the quarantine pass reports them) and counted in {@code quarantined}.
 */
public final class ScoringFunction implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final ScoringPlan plan;
  private final LongAccumulator quarantined;

  public ScoringFunction(ScoringPlan plan, LongAccumulator quarantined) {
    this.plan = plan;
    this.quarantined = quarantined;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    return new ScoredRows(input, plan, plan.bind(), quarantined);
  }

  /** Pulls a block of input rows only when the previous block's scores are all handed out. */
  private static final class ScoredRows implements Iterator<Row> {
    private final Iterator<Row> input;
    private final TabularScorer scorer;
    private final LongAccumulator quarantined;
    private final int[] featureIndices;
    private final int[] keyIndices;
    private final int width;
    private final int batchSize;
    private final String modelName;
    private final Long modelVersion;
    private final List<String> featureNames;
    private final double[] values;
    private final Object[][] keys;
    private Object[] scores;
    private int filled;
    private int next;

    ScoredRows(Iterator<Row> input, ScoringPlan plan, TabularScorer scorer,
        LongAccumulator quarantined) {
      this.input = input;
      this.scorer = scorer;
      this.quarantined = quarantined;
      this.featureIndices = plan.featureIndices();
      this.keyIndices = plan.keyIndices();
      this.featureNames = plan.featureColumns();
      this.width = featureIndices.length;
      this.batchSize = plan.batchSize();
      this.modelName = plan.modelName();
      this.modelVersion = plan.modelVersion();
      this.values = new double[batchSize * width];
      this.keys = new Object[batchSize][];
    }

    @Override
    public boolean hasNext() {
      while (next >= filled) {
        if (!input.hasNext()) {
          return false;
        }
        fill();
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int row = next++;
      Object[] key = keys[row];
      keys[row] = null;
      Object[] out = new Object[key.length + scores.length + 2];
      System.arraycopy(key, 0, out, 0, key.length);
      int at = key.length;
      for (Object column : scores) {
        out[at++] = cell(column, row);
      }
      out[at++] = modelName;
      out[at] = modelVersion;
      return RowFactory.create(out);
    }

    /** Element {@code row} of one score column (a primitive array from TabularScorer), boxed. */
    private static Object cell(Object column, int row) {
      if (column instanceof float[] floats) {
        return floats[row];
      } else if (column instanceof double[] doubles) {
        return doubles[row];
      } else if (column instanceof long[] longs) {
        return longs[row];
      } else if (column instanceof int[] ints) {
        return ints[row];
      } else if (column instanceof boolean[] booleans) {
        return booleans[row];
      }
      throw new IllegalStateException("score column of " + column.getClass().getSimpleName()
          + " (expected float[], double[], long[], int[] or boolean[])");
    }

    private void fill() {
      filled = 0;
      next = 0;
      long skipped = 0;
      while (filled < batchSize && input.hasNext()) {
        Row row = input.next();
        if (FeatureValues.read(row, featureIndices, featureNames, values, filled * width) != null) {
          skipped++;
          continue;
        }
        Object[] key = new Object[keyIndices.length];
        for (int k = 0; k < key.length; k++) {
          key[k] = row.get(keyIndices[k]);
        }
        keys[filled++] = key;
      }
      if (skipped > 0) {
        quarantined.add(skipped);
      }
      scores = filled > 0 ? scorer.score(values, filled) : new Object[0];
    }
  }
}
