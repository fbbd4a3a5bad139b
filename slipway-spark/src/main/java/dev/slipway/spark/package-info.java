/**
 * Batch scoring on Apache Spark: {@link dev.slipway.spark.SparkScoring} scores a {@code
 * Dataset<Row>} with a Slipway model, {@link dev.slipway.spark.SparkScoringJob} is the same for
 * {@code spark-submit} over Parquet and CSV files. Both write exactly the table the local engine
 * ({@code slipway predict}) writes for the same model and input.
 *
 * <p>Spark is a {@code provided} dependency: the job jar ({@code target/slipway-spark-job.jar})
 * carries Slipway and ONNX Runtime, the cluster brings Spark. XGBoost models are not scored here
 * (its Java binding is built for Scala 2.12, Spark 4 runs Scala 2.13).
 */
package dev.slipway.spark;
