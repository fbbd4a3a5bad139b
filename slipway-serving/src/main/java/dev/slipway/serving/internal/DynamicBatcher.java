package dev.slipway.serving.internal;

import dev.slipway.core.Tensor;
import dev.slipway.serving.ModelConfig;
import dev.slipway.core.runtime.Model;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins concurrent requests into one runtime call: the first waiting request opens a batch that
 * closes when it holds {@code maxBatchSize} rows or {@code maxQueueDelayNanos} has passed since
 * that request arrived, whichever comes first. A request larger than the maximum runs alone.
 *
 * <p>One worker at a time collects the next batch while the others run theirs. Requests wake
 * the collector only when it can act: when the first one arrives, and when the queue holds a
 * full batch. A wake-up per request (what a blocking queue gives a worker that takes requests
 * one by one) costs two context switches each, as much CPU as batching saves on small models.
 */
final class DynamicBatcher {
  private static final Logger log = LoggerFactory.getLogger(DynamicBatcher.class);
  /** How often idle workers look whether the batcher was closed. */
  private static final long IDLE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final Model model;
  private final int maxBatchSize;
  private final long maxQueueDelayNanos;
  private final InferenceMetrics.VersionMeters meters;
  private final List<Thread> workers = new ArrayList<>();
  /** Held by the worker collecting the next batch; the others wait for it here. */
  private final ReentrantLock collectorTurn = new ReentrantLock();
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when the queue reaches {@link #wakeAtRows} rows. */
  private final Condition rowsQueued = lock.newCondition();
  // Guarded by lock.
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int queuedRows;
  /** The queued rows at which a request wakes the collector; MAX_VALUE when none waits. */
  private int wakeAtRows = Integer.MAX_VALUE;
  private boolean closed;

  DynamicBatcher(Model model, ModelConfig config, InferenceMetrics.VersionMeters meters,
      String threadName) {
    this.model = model;
    this.maxBatchSize = config.maxBatchSize();
    this.maxQueueDelayNanos = TimeUnit.MICROSECONDS.toNanos(config.maxQueueDelayMicros());
    this.meters = meters;
    for (int i = 0; i < config.batchWorkers(); i++) {
      Thread worker = new Thread(this::work, threadName + "-batcher-" + i);
      worker.setDaemon(true);
      workers.add(worker);
      worker.start();
    }
  }

  /**
   * Queues one request's conformed inputs; the future completes with its own rows' outputs. The
   * caller holds a reference on the model version, so {@link #close} cannot run until this
   * request has been answered.
   */
  CompletableFuture<List<Tensor>> submit(List<Tensor> inputs) {
    Pending pending = new Pending(inputs, (int) inputs.get(0).dimension(0), System.nanoTime());
    lock.lock();
    try {
      queue.add(pending);
      queuedRows += pending.rows;
      if (queuedRows >= wakeAtRows) {
        rowsQueued.signal();
      }
    } finally {
      lock.unlock();
    }
    return pending.result;
  }

  private void work() {
    List<Pending> batch = new ArrayList<>();
    try {
      while (collect(batch)) {
        run(batch);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      batch.forEach(pending -> pending.result.completeExceptionally(e));
    }
  }

  /**
   * Waits for this worker's turn to collect, then for a batch, and moves it into {@code batch};
   * false once the batcher is closed and nothing is queued.
   */
  private boolean collect(List<Pending> batch) throws InterruptedException {
    collectorTurn.lockInterruptibly();
    try {
      lock.lock();
      try {
        while (queue.isEmpty()) {
          if (closed) {
            return false;
          }
          wakeAtRows = 1;
          rowsQueued.awaitNanos(IDLE_CHECK_NANOS);
        }
        long deadline = queue.peekFirst().enqueuedNanos + maxQueueDelayNanos;
        long waitNanos;
        while (queuedRows < maxBatchSize && (waitNanos = deadline - System.nanoTime()) > 0) {
          wakeAtRows = maxBatchSize;
          rowsQueued.awaitNanos(waitNanos);
        }
        int rows = 0;
        // The first request always goes, alone if it is larger than a batch.
        while (!queue.isEmpty() && (rows == 0 || rows + queue.peekFirst().rows <= maxBatchSize)) {
          Pending next = queue.pollFirst();
          batch.add(next);
          rows += next.rows;
        }
        queuedRows -= rows;
        return true;
      } finally {
        wakeAtRows = Integer.MAX_VALUE;
        lock.unlock();
      }
    } finally {
      collectorTurn.unlock();
    }
  }

  private void run(List<Pending> batch) {
    long start = System.nanoTime();
    for (Pending pending : batch) {
      meters.queued(start - pending.enqueuedNanos);
    }
    try {
      int inputCount = batch.get(0).inputs.size();
      List<Tensor> joined = new ArrayList<>(inputCount);
      for (int i = 0; i < inputCount; i++) {
        List<Tensor> parts = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
          parts.add(pending.inputs.get(i));
        }
        joined.add(Tensor.concatRows(parts));
      }
      List<Tensor> outputs = model.predict(joined);
      meters.batch((int) joined.get(0).dimension(0));
      if (batch.size() == 1) {
        batch.get(0).result.complete(outputs);
        return;
      }
      int offset = 0;
      for (Pending pending : batch) {
        List<Tensor> own = new ArrayList<>(outputs.size());
        for (Tensor output : outputs) {
          own.add(output.rows(offset, offset + pending.rows));
        }
        offset += pending.rows;
        pending.result.complete(own);
      }
    } catch (RuntimeException e) {
      log.warn("Batch of {} requests failed", batch.size(), e);
      batch.forEach(pending -> pending.result.completeExceptionally(e));
    }
  }

  /** Stops the workers; called once no request is queued or in flight. */
  void close() {
    lock.lock();
    try {
      closed = true;
      rowsQueued.signalAll();
    } finally {
      lock.unlock();
    }
    for (Thread worker : workers) {
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static final class Pending {
    final List<Tensor> inputs;
    final int rows;
    final long enqueuedNanos;
    final CompletableFuture<List<Tensor>> result = new CompletableFuture<>();

    Pending(List<Tensor> inputs, int rows, long enqueuedNanos) {
      this.inputs = inputs;
      this.rows = rows;
      this.enqueuedNanos = enqueuedNanos;
    }
  }
}
