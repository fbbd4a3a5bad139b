package dev.slipway.spark.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.Tuple2;

/**
 * Finds, in rows holding only the feature columns and numbered from 0 in input order, those the
 * scoring pass drops, as {@code (row, reason)} with the 1-based row number.
 */
public final class QuarantineFunction implements FlatMapFunction<Iterator<Tuple2<Row, Long>>, Row> {
  private static final long serialVersionUID = 1L;

  private final List<String> featureColumns;

  public QuarantineFunction(List<String> featureColumns) {
    this.featureColumns = List.copyOf(featureColumns);
  }

  @Override
  public Iterator<Row> call(Iterator<Tuple2<Row, Long>> rows) {
    int[] indices = new int[featureColumns.size()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = i;
    }
    double[] scratch = new double[indices.length];
    // Quarantined rows are few next to the partition, so they are gathered eagerly.
    List<Row> quarantined = new ArrayList<>();
    while (rows.hasNext()) {
      Tuple2<Row, Long> numbered = rows.next();
      String reason = FeatureValues.read(numbered._1(), indices, featureColumns, scratch, 0);
      if (reason != null) {
        quarantined.add(RowFactory.create(numbered._2() + 1, reason));
      }
    }
    return quarantined.iterator();
  }
}
