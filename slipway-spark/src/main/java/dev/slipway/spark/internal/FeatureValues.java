package dev.slipway.spark.internal;

import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Reads a row's feature cells as doubles, the one rule by which both the scoring and the
 * quarantine pass decide whether a row can be scored (they must agree, or a row would be lost or
 * counted twice).
 */
final class FeatureValues {
  private FeatureValues() {}

  /**
   * Writes the cells at {@code indices} of {@code row} into {@code target} from {@code offset}.
   *
   * @return null when every cell is a number, else why the row cannot be scored, naming the first
   *     bad column ({@code target} then holds a partial row)
   */
  static String read(Row row, int[] indices, List<String> names, double[] target, int offset) {
    for (int f = 0; f < indices.length; f++) {
      Object cell = row.get(indices[f]);
      if (cell instanceof Number number) {
        target[offset + f] = number.doubleValue();
      } else if (cell == null) {
        return "column '" + names.get(f) + "' is null";
      } else if (cell instanceof String text) {
        // A CSV column with any non-numeric cell is inferred as strings; its numeric cells still
        // score.
        try {
          target[offset + f] = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
          return notANumber(names.get(f), cell);
        }
      } else {
        return notANumber(names.get(f), cell);
      }
    }
    return null;
  }

  private static String notANumber(String column, Object cell) {
    return "column '" + column + "' is not a number: '" + cell + "'";
  }
}
