package dev.slipway.batch.internal;

import dev.slipway.batch.BatchJobException;
import dev.slipway.batch.ScoringSummary;
import dev.slipway.core.DataType;
import dev.slipway.core.tabular.TabularScorer;
import dev.slipway.core.tabular.TabularScorer.OutputColumn;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBResultSet;

/**
 * The streaming loop of one {@link dev.slipway.batch.ScoringWorkspace} scoring call, one pass
 * over the input in three stages so that every core works. A reading thread takes DuckDB's
 * Arrow batches (features, then the text of non-numeric features, then key columns) and hands
 * each batch's vectors over as they are. Scoring threads (one per core) quarantine a batch's bad
 * rows, lay its good rows out row-major, run the model in runs of {@code batchSize} rows and
 * build the batch's output vectors: the key vectors moved over untouched, {@code __ok} (false
 * at quarantined rows), and one vector per score column. The consumer (a DuckDB statement that
 * scans {@link #start}'s reader) receives the output batches in input order. A few batches
 * circulate, so memory holds at most that many whatever the input's size.
 */
public final class ScoringLoop implements AutoCloseable {
  /** The output column that is false at quarantined rows (whose scores are placeholders). */
  public static final String OK_COLUMN = "__ok";
  /**
   * Arrow batches DuckDB hands over hold about this many bytes of values: large, so that
   * batches cross JNI rarely (each crossing of a DuckDB thread attaches it to the JVM), yet
   * bounded, so that memory does not grow with the input's width. A batch is counted at four
   * bytes a feature and eight a text or key column (a thousand keys beside 30 features made
   * 131 072-row batches of 1 GB, past DuckDB's memory limit).
   */
  private static final int ARROW_BATCH_BYTES = 16 << 20;
  private static final int PASSED_VALUE_BYTES = Long.BYTES;
  private static final int MAX_ARROW_BATCH = 131_072;
  /** DuckDB's vector size: batches of a multiple of it need no re-chunking. */
  private static final int DUCKDB_VECTOR = 2_048;
  /** Rows per transpose tile: its row-major values stay in the core's cache while written. */
  private static final int TILE = 256;
  private static final int SCORING_THREADS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  private static final int BLOCKS = 2 * SCORING_THREADS + 1;
  /**
   * How long {@link #close} waits for DuckDB to give back the last batches it was handed: it
   * releases them, and the stream, on one of its own threads, sometimes just after the
   * statement that read them has returned.
   */
  private static final long RELEASE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** One Arrow batch on its way from the reader through a scorer to the consumer. */
  private final class Block {
    // Scratch, reused: a run's feature values, one column each, then row-major, by input type.
    final float[][] floatColumns;
    final double[][] doubleColumns;
    final float[] floats;
    final double[] values;
    // Scratch: one column's values in the other width, before they are narrowed or widened.
    final float[] otherFloats;
    final double[] otherDoubles;
    final boolean[] good;
    final int[] badColumn;
    final int[] goodIndex;
    List<FieldVector> input;
    List<FieldVector> output;
    int rows;
    long firstRow;
    long sequence;

    Block(boolean floatInput) {
      int runRows = Math.min(batchSize, arrowBatch);
      floatColumns = floatInput ? new float[width][runRows] : null;
      doubleColumns = floatInput ? null : new double[width][runRows];
      floats = floatInput ? new float[runRows * width] : null;
      values = floatInput ? null : new double[runRows * width];
      otherFloats = floatInput ? null : new float[runRows];
      otherDoubles = floatInput ? new double[runRows] : null;
      good = new boolean[arrowBatch];
      badColumn = new int[arrowBatch];
      goodIndex = new int[runRows];
    }

    void release() {
      closeAll(input);
      closeAll(output);
      input = null;
      output = null;
    }
  }

  private final TabularScorer scorer;
  private final String inputDescription;
  private final DuckDBAppender quarantine;
  private final boolean[] raw;
  private final int width;
  /** The position of the first key column among the input's columns. */
  private final int firstKey;
  private final int batchSize;
  private final int arrowBatch;
  /** Notified at releases once {@link #close} waits for them (the allocator counts first). */
  private final Object releases = new Object();
  private volatile boolean awaitingReleases;
  private final BufferAllocator allocator = new RootAllocator(new AllocationListener() {
    @Override
    public void onRelease(long size) {
      if (awaitingReleases) {
        synchronized (releases) {
          releases.notifyAll();
        }
      }
    }
  }, Long.MAX_VALUE);
  private final BlockingQueue<Block> free = new ArrayBlockingQueue<>(BLOCKS);
  private final BlockingQueue<Block> full = new ArrayBlockingQueue<>(BLOCKS + SCORING_THREADS);
  private final BlockingQueue<Block> scored = new ArrayBlockingQueue<>(BLOCKS + 1);
  /** Ends the input for a scorer, and the output for the consumer. */
  private final Block end;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicLong scoredRows = new AtomicLong();
  private final AtomicLong quarantinedRows = new AtomicLong();
  private final AtomicInteger runningScorers = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private final Object appendTurn = new Object();
  // Guarded by appendTurn: the sequence number of the block handed to the consumer next.
  private long nextToAppend;
  private volatile boolean cancelled;
  private ArrowReader input;
  private LongConsumer progress;
  private ScoredBatches output;

  /**
   * @param inputDescription how messages name the input
   * @param quarantine appends {@code (row, reason)}; on a connection of its own
   * @param raw per feature, whether the query also selects its text (for reasons)
   * @param keys how many key columns the query selects after the features and texts
   */
  public ScoringLoop(TabularScorer scorer, String inputDescription, int batchSize,
      DuckDBAppender quarantine, boolean[] raw, int keys) {
    this.scorer = scorer;
    this.inputDescription = inputDescription;
    this.quarantine = quarantine;
    this.raw = raw;
    this.width = scorer.featureColumns().size();
    int texts = 0;
    for (boolean text : raw) {
      texts += text ? 1 : 0;
    }
    this.firstKey = width + texts;
    this.batchSize = batchSize;
    int byBytes = Math.min(MAX_ARROW_BATCH, ARROW_BATCH_BYTES
        / Math.max(1, Float.BYTES * width + PASSED_VALUE_BYTES * (texts + keys)));
    this.arrowBatch =
        Math.max(batchSize, Math.max(DUCKDB_VECTOR, byBytes / DUCKDB_VECTOR * DUCKDB_VECTOR));
    for (int i = 0; i < BLOCKS; i++) {
      free.add(new Block(scorer.takesFloats()));
    }
    end = new Block(false);
  }

  /** The allocator of every vector the loop hands out, for exporting {@link #start}'s reader. */
  public BufferAllocator allocator() {
    return allocator;
  }

  /**
   * Starts reading {@code rows} (the feature columns as FLOAT or DOUBLE, then the text of
   * non-numeric ones, then the key columns) and scoring them; returns the scored batches: the
   * key columns (named as in the query), {@link #OK_COLUMN}, then {@code __score_<i>} per
   * {@link TabularScorer#outputColumns()} entry.
   *
   * @param progress told the number of rows handed to the consumer so far, once per batch
   */
  public ArrowReader start(DuckDBResultSet rows, LongConsumer progress) throws SQLException {
    this.progress = progress;
    input = (ArrowReader) rows.arrowExportStream(allocator, arrowBatch);
    Schema schema;
    try {
      schema = input.getVectorSchemaRoot().getSchema();
    } catch (IOException e) {
      throw new BatchJobException("cannot read the input's columns: " + e.getMessage(), e);
    }
    List<Field> fields = new ArrayList<>();
    List<Field> inputFields = schema.getFields();
    fields.addAll(inputFields.subList(firstKey, inputFields.size()));
    fields.add(Field.nullable(OK_COLUMN, ArrowType.Bool.INSTANCE));
    List<OutputColumn> outputs = scorer.outputColumns();
    for (int c = 0; c < outputs.size(); c++) {
      fields.add(Field.nullable("__score_" + c, arrowType(outputs.get(c).dataType())));
    }
    Schema outputSchema = new Schema(fields);
    start("slipway-reading", this::readBlocks);
    runningScorers.set(SCORING_THREADS);
    for (int t = 0; t < SCORING_THREADS; t++) {
      start("slipway-scoring-" + t, this::scoreBlocks);
    }
    output = new ScoredBatches(allocator, outputSchema);
    return output;
  }

  /**
   * Waits for the threads once the consumer has read every batch.
   *
   * @throws BatchJobException (or the failure's own runtime type) when reading or scoring failed
   */
  public ScoringSummary finish() throws SQLException {
    threads.forEach(ScoringLoop::join);
    rethrowFailure();
    return new ScoringSummary(scoredRows.get(), quarantinedRows.get());
  }

  /** Why reading or scoring stopped, or null. */
  public Throwable failure() {
    return failure.get();
  }

  /** Stops the threads (when the consumer gave up early) and frees every vector. */
  @Override
  public void close() {
    cancelled = true;
    threads.forEach(ScoringLoop::join);
    for (BlockingQueue<Block> queue : List.of(free, full, scored)) {
      queue.forEach(Block::release);
    }
    try {
      if (input != null) {
        input.close();
      }
      if (output != null) {
        output.close();
      }
    } catch (IOException e) {
      failure.compareAndSet(null, e);
    }
    awaitReleases();
    allocator.close();
  }

  /** Waits (bounded) until every vector handed out is back: closing before would fail. */
  private void awaitReleases() {
    awaitingReleases = true;
    long deadline = System.nanoTime() + RELEASE_WAIT_NANOS;
    synchronized (releases) {
      for (long left = RELEASE_WAIT_NANOS; allocator.getAllocatedMemory() > 0 && left > 0;
          left = deadline - System.nanoTime()) {
        try {
          releases.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void start(String name, Runnable work) {
    Thread thread = new Thread(() -> {
      try {
        work.run();
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    threads.add(thread);
  }

  private void readBlocks() {
    long sequence = 0;
    long rowNumber = 0;
    try {
      while (!stopped() && input.loadNextBatch()) {
        VectorSchemaRoot batch = input.getVectorSchemaRoot();
        Block block = take(free);
        if (block == null) {
          break;
        }
        List<FieldVector> vectors = new ArrayList<>(batch.getFieldVectors().size());
        for (FieldVector vector : batch.getFieldVectors()) {
          // Ownership moves with the buffers: no value is copied, and the next batch loads anew.
          var transfer = vector.getTransferPair(allocator);
          transfer.transfer();
          vectors.add((FieldVector) transfer.getTo());
        }
        block.input = vectors;
        block.rows = batch.getRowCount();
        block.firstRow = rowNumber;
        block.sequence = sequence++;
        rowNumber += block.rows;
        full.add(block);
      }
    } catch (IOException e) {
      throw new BatchJobException("cannot read " + inputDescription + ": " + cDataMessage(e), e);
    } finally {
      for (int t = 0; t < SCORING_THREADS; t++) {
        full.add(end);
      }
    }
  }

  /** DuckDB's message, without the wrapping of its trip through Arrow's C data interface. */
  private static String cDataMessage(IOException e) {
    String message = String.valueOf(e.getMessage());
    String prefix = "message=";
    int at = message.indexOf(prefix);
    if (message.contains("CDataJniException") && at >= 0) {
      message = message.substring(at + prefix.length()).replaceFirst("}$", "");
    }
    return message.strip();
  }

  private boolean stopped() {
    return cancelled || failure.get() != null;
  }

  /** The next block from {@code queue}, or null once the loop stops. */
  private Block take(BlockingQueue<Block> queue) {
    try {
      Block block;
      do {
        block = queue.poll(100, TimeUnit.MILLISECONDS);
      } while (block == null && !stopped());
      return block;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatchJobException("scoring interrupted", e);
    }
  }

  private void scoreBlocks() {
    Block block = null;
    try {
      for (block = take(full); block != null && block != end; block = take(full)) {
        score(block);
        synchronized (appendTurn) {
          while (nextToAppend != block.sequence) {
            if (stopped()) {
              return;
            }
            appendTurn.wait(100);
          }
          scored.add(block);
          block = null;
          nextToAppend++;
          appendTurn.notifyAll();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatchJobException("scoring interrupted", e);
    } catch (SQLException e) {
      throw new BatchJobException("cannot record a quarantined row: " + DuckDb.message(e), e);
    } finally {
      // A block this thread still holds was never handed on: no queue frees its vectors.
      if (block != null && block != end) {
        block.release();
      }
      if (runningScorers.decrementAndGet() == 0) {
        scored.add(end);
      }
    }
  }

  /** Builds the block's output vectors from its input vectors (then freed). */
  private void score(Block block) throws SQLException {
    FloatingPointVector[] features = new FloatingPointVector[width];
    VarCharVector[] texts = new VarCharVector[width];
    boolean anyBad = false;
    for (int f = 0, next = width; f < width; f++) {
      features[f] = (FloatingPointVector) block.input.get(f);
      texts[f] = raw[f] ? (VarCharVector) block.input.get(next++) : null;
      anyBad |= block.input.get(f).getNullCount() > 0;
    }
    int rows = block.rows;
    if (anyBad) {
      quarantinedRows.addAndGet(markBad(features, texts, block));
    } else {
      Arrays.fill(block.good, 0, rows, true);
    }
    List<OutputColumn> outputs = scorer.outputColumns();
    List<FieldVector> inputVectors = block.input;
    // Held by the block from the start, so that a failure part-way still frees every vector
    // (the key vectors, in both lists, are closed twice then, which is harmless).
    List<FieldVector> output = new ArrayList<>(
        inputVectors.subList(firstKey, inputVectors.size()));
    block.output = output;
    BitVector ok = new BitVector(OK_COLUMN, allocator);
    ok.allocateNew(rows);
    output.add(ok);
    FieldVector[] scores = new FieldVector[outputs.size()];
    for (int c = 0; c < scores.length; c++) {
      scores[c] = scoreVector(outputs.get(c).dataType(), rows);
      output.add(scores[c]);
    }
    if (anyBad) {
      for (int i = 0; i < rows; i++) {
        ok.set(i, block.good[i] ? 1 : 0);
      }
    } else {
      // Nearly every block: all true, set a byte at a time (bit by bit cost 4 % of a job's CPU).
      long bytes = BitVectorHelper.getValidityBufferSize(rows);
      ok.getValidityBuffer().setOne(0L, bytes);
      ok.getDataBuffer().setOne(0L, bytes);
    }
    ok.setValueCount(rows);
    int scoredInBlock = 0;
    for (int from = 0; from < rows; from += batchSize) {
      int runRows = Math.min(batchSize, rows - from);
      int goodRows = scorer.takesFloats() ? layOutFloats(features, block, from, runRows)
          : layOutDoubles(features, block, from, runRows);
      if (goodRows > 0) {
        Object[] values = block.floats != null ? scorer.scoreFloats(block.floats, goodRows)
            : scorer.score(block.values, goodRows);
        for (int c = 0; c < scores.length; c++) {
          put(scores[c], values[c], block.good, from, runRows, goodRows);
        }
      }
      scoredInBlock += goodRows;
    }
    for (FieldVector score : scores) {
      score.setValueCount(rows);
    }
    // Features and their texts are no longer needed; keys travel on in the output.
    closeAll(inputVectors.subList(0, firstKey));
    block.input = null;
    scoredRows.addAndGet(scoredInBlock);
  }

  /**
   * Quarantines the block's rows with a null feature (the first such column gives the reason)
   * and marks the others good; returns how many were quarantined.
   */
  private int markBad(FloatingPointVector[] features, VarCharVector[] texts, Block block)
      throws SQLException {
    int rows = block.rows;
    int[] badColumn = block.badColumn;
    Arrays.fill(badColumn, 0, rows, -1);
    for (int f = width - 1; f >= 0; f--) {
      for (int i = 0; i < rows; i++) {
        if (features[f].isNull(i)) {
          badColumn[i] = f;
        }
      }
    }
    int bad = 0;
    for (int i = 0; i < rows; i++) {
      block.good[i] = badColumn[i] < 0;
      if (!block.good[i]) {
        String reason = reason(badColumn[i], texts[badColumn[i]], i);
        synchronized (quarantine) {
          quarantine.beginRow().append(block.firstRow + i + 1).append(reason).endRow();
        }
        bad++;
      }
    }
    return bad;
  }

  /**
   * Lays the good rows among {@code [from, from + count)} out row-major in {@code block.floats}
   * and returns how many there are. Each column is first copied out of Arrow's buffer (in bulk
   * when every row is good, as nearly always; else just the good rows'), then the columns are
   * interleaved a tile of rows at a time, so that the rows being written stay in cache.
   */
  private int layOutFloats(FloatingPointVector[] features, Block block, int from, int count) {
    int rows = indexGoodRows(block, from, count);
    float[][] columns = block.floatColumns;
    for (int f = 0; f < width; f++) {
      if (rows == count && features[f] instanceof Float4Vector floats) {
        readFloats(floats, from, count, columns[f]);
      } else if (rows == count && features[f] instanceof Float8Vector doubles) {
        // DOUBLE columns (a CSV file's, say) in bulk too: value by value through the vector
        // took a 1M-row job 8 s with the C1 compiler that `slipway predict` runs.
        readDoubles(doubles, from, count, block.otherDoubles);
        for (int k = 0; k < count; k++) {
          columns[f][k] = (float) block.otherDoubles[k];
        }
      } else {
        for (int k = 0; k < rows; k++) {
          columns[f][k] = (float) features[f].getValueAsDouble(from + block.goodIndex[k]);
        }
      }
    }
    float[] out = block.floats;
    for (int tile = 0; tile < rows; tile += TILE) {
      int end = Math.min(rows, tile + TILE);
      for (int f = 0; f < width; f++) {
        float[] column = columns[f];
        for (int i = tile, to = tile * width + f; i < end; i++, to += width) {
          out[to] = column[i];
        }
      }
    }
    return rows;
  }

  /** As {@link #layOutFloats}, into {@code block.values}, for a model that takes doubles. */
  private int layOutDoubles(FloatingPointVector[] features, Block block, int from, int count) {
    int rows = indexGoodRows(block, from, count);
    double[][] columns = block.doubleColumns;
    for (int f = 0; f < width; f++) {
      if (rows == count && features[f] instanceof Float8Vector doubles) {
        readDoubles(doubles, from, count, columns[f]);
      } else if (rows == count && features[f] instanceof Float4Vector floats) {
        readFloats(floats, from, count, block.otherFloats);
        for (int k = 0; k < count; k++) {
          columns[f][k] = block.otherFloats[k];
        }
      } else {
        for (int k = 0; k < rows; k++) {
          columns[f][k] = features[f].getValueAsDouble(from + block.goodIndex[k]);
        }
      }
    }
    double[] out = block.values;
    for (int tile = 0; tile < rows; tile += TILE) {
      int end = Math.min(rows, tile + TILE);
      for (int f = 0; f < width; f++) {
        double[] column = columns[f];
        for (int i = tile, to = tile * width + f; i < end; i++, to += width) {
          out[to] = column[i];
        }
      }
    }
    return rows;
  }

  /** Copies {@code count} values from row {@code from} of {@code vector} into {@code into}. */
  private static void readFloats(Float4Vector vector, int from, int count, float[] into) {
    vector.getDataBuffer().nioBuffer((long) from * Float.BYTES, count * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(into, 0, count);
  }

  /** As {@link #readFloats}, for doubles. */
  private static void readDoubles(Float8Vector vector, int from, int count, double[] into) {
    vector.getDataBuffer().nioBuffer((long) from * Double.BYTES, count * Double.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(into, 0, count);
  }

  /**
   * Puts the offsets (from {@code from}) of the good rows among the next {@code count} into
   * {@code block.goodIndex}; returns how many there are.
   */
  private static int indexGoodRows(Block block, int from, int count) {
    int rows = 0;
    for (int i = 0; i < count; i++) {
      if (block.good[from + i]) {
        block.goodIndex[rows++] = i;
      }
    }
    return rows;
  }

  private FieldVector scoreVector(DataType type, int rows) {
    FieldVector vector = switch (type) {
      case FP32 -> new Float4Vector("", allocator);
      case FP64 -> new Float8Vector("", allocator);
      case INT64 -> new BigIntVector("", allocator);
      case INT32 -> new IntVector("", allocator);
      case BOOL -> new BitVector("", allocator);
      default -> throw new AssertionError(type);
    };
    ((BaseFixedWidthVector) vector).allocateNew(rows);
    // Every position holds a value: quarantined rows' placeholders are filtered by __ok.
    vector.getValidityBuffer().setOne(0L, (long) BitVectorHelper.getValidityBufferSize(rows));
    return vector;
  }

  /**
   * Writes one run's scores ({@code goodRows} values, of the good rows among {@code [from, from
   * + count)}) into {@code vector} at their rows' positions.
   */
  private static void put(FieldVector vector, Object values, boolean[] good, int from,
      int count, int goodRows) {
    if (vector instanceof BitVector bits) {
      boolean[] flags = (boolean[]) values;
      for (int i = 0, k = 0; i < count; i++) {
        if (good[from + i]) {
          bits.set(from + i, flags[k++] ? 1 : 0);
        }
      }
      return;
    }
    Object dense = goodRows == count ? values : spread(values, good, from, count);
    ByteBuffer data = vector.getDataBuffer().nioBuffer(0, (int) vector.getDataBuffer()
        .capacity()).order(ByteOrder.LITTLE_ENDIAN);
    if (dense instanceof float[] floats) {
      data.asFloatBuffer().put(from, floats, 0, count);
    } else if (dense instanceof double[] doubles) {
      data.asDoubleBuffer().put(from, doubles, 0, count);
    } else if (dense instanceof long[] longs) {
      data.asLongBuffer().put(from, longs, 0, count);
    } else {
      data.asIntBuffer().put(from, (int[]) dense, 0, count);
    }
  }

  /** The good rows' values at their positions among {@code count} rows (zero elsewhere). */
  private static Object spread(Object values, boolean[] good, int from, int count) {
    Object all = Array.newInstance(values.getClass().getComponentType(),
        count);
    for (int i = 0, k = 0; i < count; i++) {
      if (good[from + i]) {
        System.arraycopy(values, k++, all, i, 1);
      }
    }
    return all;
  }

  private static ArrowType arrowType(DataType type) {
    return switch (type) {
      case FP32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case FP64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case INT64 -> new ArrowType.Int(64, true);
      case INT32 -> new ArrowType.Int(32, true);
      case BOOL -> ArrowType.Bool.INSTANCE;
      default -> throw new AssertionError(type);
    };
  }

  private void rethrowFailure() throws SQLException {
    Throwable cause = failure.get();
    if (cause instanceof SQLException sql) {
      throw sql;
    }
    if (cause instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    if (cause != null) {
      throw new BatchJobException(cause.getMessage(), cause);
    }
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatchJobException("scoring interrupted", e);
    }
  }

  private static void closeAll(List<FieldVector> vectors) {
    if (vectors != null) {
      vectors.forEach(FieldVector::close);
    }
  }

  private String reason(int feature, VarCharVector text, int row) {
    String column = scorer.featureColumns().get(feature);
    return text == null || text.isNull(row) ? "column '" + column + "' is null"
        : "column '" + column + "' is not a number: '" + text.getObject(row) + "'";
  }

  /** The scored batches in input order, as the consumer's Arrow stream reads them. */
  private final class ScoredBatches extends ArrowReader {
    private final Schema schema;
    private long rowsOut;
    private boolean ended;
    private boolean closed;

    ScoredBatches(BufferAllocator allocator, Schema schema) {
      super(allocator);
      this.schema = schema;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      prepareLoadNextBatch();
      Block block = ended ? end : take(scored);
      if (block == null || block == end) {
        ended = true;
        if (failure.get() != null || cancelled) {
          // The consumer must fail too: ending the stream here would commit a partial result.
          throw new IOException(failure.get() == null ? "scoring cancelled"
              : String.valueOf(failure.get().getMessage()), failure.get());
        }
        return false;
      }
      VectorSchemaRoot root = getVectorSchemaRoot();
      List<FieldVector> targets = root.getFieldVectors();
      for (int i = 0; i < targets.size(); i++) {
        block.output.get(i).makeTransferPair(targets.get(i)).transfer();
      }
      root.setRowCount(block.rows);
      block.release();
      rowsOut += block.rows;
      free.add(block);
      progress.accept(rowsOut);
      return true;
    }

    @Override
    public long bytesRead() {
      return 0;
    }

    @Override
    protected void closeReadSource() {}

    /**
     * Once only: both {@link ScoringLoop#close} and DuckDB's release of the exported stream (on
     * a thread of its own) close this reader, in either order.
     */
    @Override
    public synchronized void close(boolean closeReadSource) throws IOException {
      if (!closed) {
        closed = true;
        super.close(closeReadSource);
      }
    }

    @Override
    protected Schema readSchema() {
      return schema;
    }
  }
}
