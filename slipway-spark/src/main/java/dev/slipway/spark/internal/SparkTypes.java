package dev.slipway.spark.internal;

import dev.slipway.core.DataType;
import org.apache.spark.sql.types.DataTypes;

/** The Spark column type of each score datatype, the same the local engine writes. */
public final class SparkTypes {
  private SparkTypes() {}

  public static org.apache.spark.sql.types.DataType of(DataType dataType) {
    return switch (dataType) {
      case FP32 -> DataTypes.FloatType;
      case FP64 -> DataTypes.DoubleType;
      case INT64 -> DataTypes.LongType;
      case INT32 -> DataTypes.IntegerType;
      case BOOL -> DataTypes.BooleanType;
      default -> throw new IllegalArgumentException("dataType: " + dataType
          + " (expected: FP32, FP64, INT64, INT32 or BOOL, as TabularScorer outputs)");
    };
  }
}
