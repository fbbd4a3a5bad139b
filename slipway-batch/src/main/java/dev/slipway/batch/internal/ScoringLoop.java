package dev.slipway.batch.internal;

import dev.slipway.batch.BatchJobException;
import dev.slipway.batch.ScoringSummary;
import dev.slipway.core.DataType;
import dev.slipway.core.tabular.TabularScorer;
import dev.slipway.core.tabular.TabularScorer.OutputColumn;
import java.io.IOException;
import java.nio.ByteOrder;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBResultSet;

/**
 * The streaming loop of one {@link dev.slipway.batch.ScoringWorkspace#score} call, in stages so that every core works: the
 * calling thread copies feature values out of DuckDB's Arrow batches into blocks, a column at
 * a time (and quarantines bad rows); scoring threads (one per core) run the model on blocks'
 * good rows side by side, then append each block's scores, in block order, as lists (one per
 * column, a placeholder at each quarantined row) so that positions line up with the input. A
 * few blocks circulate between the threads, so memory holds at most that many batches.
 */
public final class ScoringLoop {
  /** Rows per Arrow batch DuckDB hands over: large, so that importing a batch is rare. */
  private static final int ARROW_BATCH = 16_384;
  private static final int SCORING_THREADS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  private static final int BLOCKS = 2 * SCORING_THREADS + 1;

  /** One Arrow batch of rows on its way from the reader to the scorer. */
  private static final class Block {
    // One of the two, by the model's input: FP32 models take floats as they are.
    final double[] values;
    final float[] floats;
    boolean[] good;
    int goodRows;
    long lastRow;
    long sequence;

    Block(int batchSize, int width, boolean floatInput) {
      values = floatInput ? null : new double[batchSize * width];
      floats = floatInput ? new float[batchSize * width] : null;
    }
  }

  private final TabularScorer scorer;
  private final DuckDBAppender scores;
  private final DuckDBAppender quarantine;
  private final boolean[] raw;
  private final int width;
  private final int batchSize;
  // Used by the reading thread only: one column's slice of an Arrow batch.
  private final float[] floatColumn;
  private final double[] doubleColumn;
  private final BlockingQueue<Block> free = new ArrayBlockingQueue<>(BLOCKS);
  private final BlockingQueue<Block> full =
      new ArrayBlockingQueue<>(BLOCKS + SCORING_THREADS);
  private final Block endOfInput = new Block(0, 0, false);
  private final AtomicReference<Throwable> scoringFailure = new AtomicReference<>();
  private final Object appendTurn = new Object();
  // Guarded by appendTurn: the sequence number of the block whose scores are appended next.
  private long nextToAppend;

  /**
   * @param scores appends to the score blocks table (one row of lists per block)
   * @param quarantine appends {@code (row, reason)}; on a connection of its own
   * @param raw per feature, whether the query also selects its text (for reasons)
   */
  public ScoringLoop(TabularScorer scorer, int batchSize, DuckDBAppender scores,
      DuckDBAppender quarantine, boolean[] raw) {
    this.scorer = scorer;
    this.scores = scores;
    this.quarantine = quarantine;
    this.raw = raw;
    this.width = scorer.featureColumns().size();
    this.batchSize = batchSize;
    this.floatColumn = new float[batchSize];
    this.doubleColumn = new double[batchSize];
    for (int i = 0; i < BLOCKS; i++) {
      free.add(new Block(batchSize, width, scorer.takesFloats()));
    }
  }

  /**
   * Reads {@code rows} (the feature columns as FLOAT or DOUBLE, then the text of non-numeric
   * ones) as Arrow batches: DuckDB fills the vectors natively, so no value costs a JDBC call.
   * Each Arrow batch is cut into blocks of at most {@code batchSize} rows.
   */
  public ScoringSummary run(DuckDBResultSet rows, LongConsumer progress)
      throws SQLException, IOException {
    AtomicLong scoredRows = new AtomicLong();
    List<Thread> scoring = new ArrayList<>();
    for (int t = 0; t < SCORING_THREADS; t++) {
      Thread thread = new Thread(() -> scoreBlocks(scoredRows, progress),
          "slipway-scoring-" + t);
      thread.setDaemon(true);
      thread.start();
      scoring.add(thread);
    }
    long sequence = 0;
    long rowNumber = 0;
    long quarantined = 0;
    int[] badColumn = new int[batchSize];
    try (BufferAllocator allocator = new RootAllocator();
        ArrowReader reader = (ArrowReader) rows.arrowExportStream(allocator,
            Math.max(ARROW_BATCH, batchSize))) {
      FloatingPointVector[] values = new FloatingPointVector[width];
      VarCharVector[] texts = new VarCharVector[width];
      boolean reading = true;
      while (reading && reader.loadNextBatch()) {
        VectorSchemaRoot batch = reader.getVectorSchemaRoot();
        int count = batch.getRowCount();
        boolean anyBad = false;
        for (int f = 0, next = width; f < width; f++) {
          values[f] = (FloatingPointVector) batch.getVector(f);
          texts[f] = raw[f] ? (VarCharVector) batch.getVector(next++) : null;
          anyBad |= batch.getVector(f).getNullCount() > 0;
        }
        for (int from = 0; from < count; from += batchSize) {
          int rowsInBlock = Math.min(batchSize, count - from);
          Block block = take(free);
          if (block == null) {
            reading = false;
            break;
          }
          block.good = new boolean[rowsInBlock];
          if (anyBad) {
            quarantined += markBad(values, texts, from, rowsInBlock, rowNumber, badColumn,
                block.good);
          } else {
            Arrays.fill(block.good, true);
          }
          block.goodRows = copyGoodRows(values, from, rowsInBlock, block);
          rowNumber += rowsInBlock;
          block.lastRow = rowNumber;
          block.sequence = sequence++;
          full.add(block);
        }
      }
    } finally {
      // Always let the scoring threads finish (or see the failure) before anything is closed.
      for (Thread thread : scoring) {
        full.add(endOfInput);
      }
      scoring.forEach(ScoringLoop::join);
    }
    rethrowScoringFailure();
    progress.accept(rowNumber);
    return new ScoringSummary(scoredRows.get(), quarantined);
  }

  /**
   * Quarantines rows {@code [from, from + count)} with a null feature (the first such column
   * gives the reason) and marks the others good; returns how many were quarantined.
   */
  private int markBad(FloatingPointVector[] values, VarCharVector[] texts, int from,
      int count, long rowBase, int[] badColumn, boolean[] good) throws SQLException {
    Arrays.fill(badColumn, 0, count, -1);
    for (int f = width - 1; f >= 0; f--) {
      for (int i = 0; i < count; i++) {
        if (values[f].isNull(from + i)) {
          badColumn[i] = f;
        }
      }
    }
    int bad = 0;
    for (int i = 0; i < count; i++) {
      good[i] = badColumn[i] < 0;
      if (!good[i]) {
        quarantine.beginRow().append(rowBase + i + 1)
            .append(reason(badColumn[i], texts[badColumn[i]], from + i)).endRow();
        bad++;
      }
    }
    return bad;
  }

  /**
   * Copies the good rows' values into the block, row-major, a column at a time: each column's
   * slice is copied out of Arrow's buffer in bulk first (a memory copy), then spread.
   */
  private int copyGoodRows(FloatingPointVector[] values, int from, int count, Block block) {
    boolean[] good = block.good;
    int goodRows = 0;
    for (int f = 0; f < width; f++) {
      int at = f;
      if (values[f] instanceof Float4Vector floats) {
        floats.getDataBuffer().nioBuffer((long) from * Float.BYTES, count * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(floatColumn, 0, count);
        for (int i = 0; i < count; i++) {
          if (good[i]) {
            if (block.floats != null) {
              block.floats[at] = floatColumn[i];
            } else {
              block.values[at] = floatColumn[i];
            }
            at += width;
          }
        }
      } else {
        ((Float8Vector) values[f]).getDataBuffer()
            .nioBuffer((long) from * Double.BYTES, count * Double.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(doubleColumn, 0, count);
        for (int i = 0; i < count; i++) {
          if (good[i]) {
            if (block.floats != null) {
              block.floats[at] = (float) doubleColumn[i];
            } else {
              block.values[at] = doubleColumn[i];
            }
            at += width;
          }
        }
      }
      goodRows = (at - f) / width;
    }
    return goodRows;
  }

  /** The next block from {@code queue}, or null once the scoring thread has failed. */
  private Block take(BlockingQueue<Block> queue) {
    try {
      Block block;
      do {
        block = queue.poll(100, TimeUnit.MILLISECONDS);
      } while (block == null && scoringFailure.get() == null);
      return block;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatchJobException("scoring interrupted", e);
    }
  }

  private void scoreBlocks(AtomicLong scoredRows, LongConsumer progress) {
    try {
      for (Block block = full.take(); block != endOfInput; block = full.take()) {
        Object[] outputs = block.goodRows == 0 ? null
            : block.floats != null ? scorer.scoreFloats(block.floats, block.goodRows)
            : scorer.score(block.values, block.goodRows);
        synchronized (appendTurn) {
          while (nextToAppend != block.sequence) {
            if (scoringFailure.get() != null) {
              return;
            }
            appendTurn.wait(100);
          }
          appendScores(block, outputs);
          nextToAppend++;
          appendTurn.notifyAll();
        }
        scoredRows.addAndGet(block.goodRows);
        progress.accept(block.lastRow);
        free.add(block);
      }
    } catch (Throwable e) {
      scoringFailure.compareAndSet(null, e);
    }
  }

  private void rethrowScoringFailure() throws SQLException {
    Throwable failure = scoringFailure.get();
    if (failure instanceof SQLException sql) {
      throw sql;
    }
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
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

  private String reason(int feature, VarCharVector text, int row) {
    String column = scorer.featureColumns().get(feature);
    return text == null || text.isNull(row) ? "column '" + column + "' is null"
        : "column '" + column + "' is not a number: '" + text.getObject(row) + "'";
  }

  /** One row of lists: the good flags, then each score column spread over every position. */
  private void appendScores(Block block, Object[] outputs) throws SQLException {
    List<OutputColumn> outputColumns = scorer.outputColumns();
    int rows = block.good.length;
    scores.beginRow();
    scores.append(block.good);
    for (int c = 0; c < outputColumns.size(); c++) {
      DataType type = outputColumns.get(c).dataType();
      Object column = outputs == null ? type.newArray(rows)
          : block.goodRows == rows ? outputs[c] : spread(outputs[c], block.good, type);
      ColumnAppender.appendList(scores, column, type);
    }
    scores.endRow();
  }

  /** The good rows' scores at their positions among all rows (placeholders elsewhere). */
  private static Object spread(Object scores, boolean[] good, DataType type) {
    Object all = type.newArray(good.length);
    for (int i = 0, k = 0; i < good.length; i++) {
      if (good[i]) {
        System.arraycopy(scores, k++, all, i, 1);
      }
    }
    return all;
  }
}
