package dev.slipway.spark;

import dev.slipway.core.InvalidInputException;
import dev.slipway.core.tabular.TabularScorer;
import dev.slipway.spark.internal.ModelCache;
import dev.slipway.spark.internal.QuarantineFunction;
import dev.slipway.spark.internal.ScoringFunction;
import dev.slipway.spark.internal.ScoringPlan;
import dev.slipway.spark.internal.SparkTypes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * Scores a Spark table with a Slipway model, the way the local engine ({@code slipway predict})
 * does: same feature binding (through {@link TabularScorer}), same output columns, same
 * quarantine rule.
 *
 * <p>Each executor JVM loads the model once, from {@link #model()}, which must therefore be
 * readable at the same path on every executor (in local mode, or on a shared file system).
 *
 * <pre>{@code
 * SparkScoring.Result result = SparkScoring.builder(Path.of("bc_mlp.onnx"))
 *     .keys(List.of("label"))
 *     .build()
 *     .score(spark, input);
 * result.scored().write().parquet("scores.parquet");
 * }</pre>
 */
public final class SparkScoring {
  /** Rows per model call unless {@link Builder#batchSize} says otherwise. */
  public static final int DEFAULT_BATCH_SIZE = 1024;
  /** The output column naming the model. */
  public static final String MODEL_NAME_COLUMN = "model_name";
  /** The output column holding the registry version, null for a local artifact. */
  public static final String MODEL_VERSION_COLUMN = "model_version";
  /** Quarantine columns: the 1-based data row number in input order, and why. */
  public static final StructType QUARANTINE_SCHEMA = new StructType(new StructField[] {
      DataTypes.createStructField("row", DataTypes.LongType, false),
      DataTypes.createStructField("reason", DataTypes.StringType, false)});

  private final Path model;
  private final List<String> keys;
  private final List<String> features;
  private final String modelName;
  private final Long modelVersion;
  private final int batchSize;

  private SparkScoring(Builder builder) {
    this.model = builder.model;
    this.keys = builder.keys;
    this.features = builder.features;
    this.modelName = builder.modelName != null ? builder.modelName : nameOf(builder.model);
    this.modelVersion = builder.modelVersion;
    this.batchSize = builder.batchSize;
  }

  /** Starts configuring the scoring of a local model file or folder. */
  public static Builder builder(Path model) {
    return new Builder(model);
  }

  public Path model() {
    return model;
  }

  public String modelName() {
    return modelName;
  }

  /**
   * Binds the model to {@code input}'s columns, on the driver, and plans the scoring; nothing
   * runs until an action on the result.
   *
   * @throws InvalidInputException naming the missing column or the feature count the model takes
   * @throws dev.slipway.core.ModelLoadException naming the model path
   */
  public Result score(SparkSession spark, Dataset<Row> input) {
    StructType inputSchema = input.schema();
    List<String> columns = Arrays.asList(inputSchema.fieldNames());
    for (String key : keys) {
      if (!columns.contains(key)) {
        throw new InvalidInputException(
            "key column '" + key + "': not in the input (columns: " + columns + ")");
      }
    }
    String modelPath = model.toAbsolutePath().normalize().toString();
    TabularScorer scorer = TabularScorer.bind(ModelCache.get(modelPath), columns, features, keys);
    List<String> outputKeys = !keys.isEmpty() ? keys
        : columns.stream().filter(column -> !scorer.featureColumns().contains(column)).toList();

    List<StructField> fields = new ArrayList<>();
    for (String key : outputKeys) {
      fields.add(inputSchema.apply(key));
    }
    for (TabularScorer.OutputColumn column : scorer.outputColumns()) {
      fields.add(DataTypes.createStructField(column.name(), SparkTypes.of(column.dataType()),
          false));
    }
    fields.add(DataTypes.createStructField(MODEL_NAME_COLUMN, DataTypes.StringType, false));
    fields.add(DataTypes.createStructField(MODEL_VERSION_COLUMN, DataTypes.LongType, true));
    StructType outputSchema = new StructType(fields.toArray(StructField[]::new));
    requireDistinctNames(outputSchema);

    // Only the columns the output and the model need reach the tasks: a columnar source then
    // reads just those, and each row deserialized is no wider than it must be.
    List<String> needed = columns.stream()
        .filter(column -> outputKeys.contains(column) || scorer.featureColumns().contains(column))
        .toList();
    ScoringPlan plan = new ScoringPlan(modelPath, needed, scorer.featureColumns(), keys,
        outputKeys, scorer.outputColumns().stream().map(TabularScorer.OutputColumn::name).toList(),
        modelName, modelVersion, batchSize);
    LongAccumulator quarantined = spark.sparkContext().longAccumulator("slipway quarantined rows");
    Dataset<Row> scored = input.select(columnsOf(input, needed))
        .mapPartitions(new ScoringFunction(plan, quarantined), Encoders.row(outputSchema));
    return new Result(spark, input, scorer.featureColumns(), scored, quarantined);
  }

  private static Column[] columnsOf(Dataset<Row> table, List<String> names) {
    // Quoted: dots and spaces in CSV headers would otherwise read as struct access or not parse.
    return names.stream().map(name -> table.col("`" + name.replace("`", "``") + "`"))
        .toArray(Column[]::new);
  }

  private static void requireDistinctNames(StructType schema) {
    Set<String> seen = new HashSet<>();
    for (String name : schema.fieldNames()) {
      if (!seen.add(name)) {
        throw new InvalidInputException("output column '" + name + "' would appear twice (key"
            + " columns must not be named like a score column, " + MODEL_NAME_COLUMN + " or "
            + MODEL_VERSION_COLUMN + ")");
      }
    }
  }

  /** bc_mlp.onnx is "bc_mlp"; a model folder is named by the folder. */
  static String nameOf(Path model) {
    Path fileName = model.toAbsolutePath().normalize().getFileName();
    if (fileName == null) {
      throw new IllegalArgumentException("model: " + model + " (expected a file or folder path)");
    }
    String name = fileName.toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && !java.nio.file.Files.isDirectory(model) ? name.substring(0, dot) : name;
  }

  /** The scored rows and, on demand, the rows set aside. */
  public static final class Result {
    private final SparkSession spark;
    private final Dataset<Row> input;
    private final List<String> featureColumns;
    private final Dataset<Row> scored;
    private final LongAccumulator quarantinedCount;

    private Result(SparkSession spark, Dataset<Row> input, List<String> featureColumns,
        Dataset<Row> scored, LongAccumulator quarantinedCount) {
      this.spark = spark;
      this.input = input;
      this.featureColumns = featureColumns;
      this.scored = scored;
      this.quarantinedCount = quarantinedCount;
    }

    /**
     * Keys, score columns, {@code model_name}, {@code model_version}: one row per input row whose
     * features are all numbers, in input order.
     */
    public Dataset<Row> scored() {
      return scored;
    }

    /**
     * The rows {@link #scored()} leaves out, as {@link #QUARANTINE_SCHEMA} rows. Numbering the
     * rows runs one Spark job over the input's feature columns as soon as this is called (Spark's
     * {@code zipWithIndex} must count each partition's rows first).
     */
    public Dataset<Row> quarantined() {
      JavaRDD<Row> reasons = input.select(columnsOf(input, featureColumns)).javaRDD()
          .zipWithIndex()
          .mapPartitions(new QuarantineFunction(featureColumns));
      return spark.createDataFrame(reasons, QUARANTINE_SCHEMA);
    }

    /**
     * Rows left out by the actions run so far on {@link #scored()}: after one complete action
     * (a write), zero means {@link #quarantined()} would be empty. Spark may count a row twice
     * when it re-runs a task, so this is a hint, not a figure to report.
     */
    long quarantinedSoFar() {
      return quarantinedCount.value();
    }

  }

  /** Options for {@link SparkScoring}; each setter checks its value at once. */
  public static final class Builder {
    private final Path model;
    private List<String> keys = List.of();
    private List<String> features = List.of();
    private String modelName;
    private Long modelVersion;
    private int batchSize = DEFAULT_BATCH_SIZE;

    private Builder(Path model) {
      this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * Columns copied to each output row and never used as features. Without keys the output
     * carries every input column that is not a feature.
     */
    public Builder keys(List<String> keys) {
      this.keys = List.copyOf(keys);
      return this;
    }

    /** The feature columns in model order; by default every column that is not a key. */
    public Builder features(List<String> features) {
      this.features = List.copyOf(features);
      return this;
    }

    /** The {@code model_name} value; by default the file name without extension. */
    public Builder modelName(String modelName) {
      if (modelName == null || modelName.isBlank()) {
        throw new IllegalArgumentException("modelName: '" + modelName + "' (expected: not blank)");
      }
      this.modelName = modelName;
      return this;
    }

    /** The {@code model_version} value; by default null (a local artifact). */
    public Builder modelVersion(Long modelVersion) {
      this.modelVersion = modelVersion;
      return this;
    }

    /** Rows per model call. */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: >= 1)");
      }
      this.batchSize = batchSize;
      return this;
    }

    public SparkScoring build() {
      return new SparkScoring(this);
    }
  }
}
