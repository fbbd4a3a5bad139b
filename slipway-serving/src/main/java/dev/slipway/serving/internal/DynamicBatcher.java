package dev.slipway.serving.internal;

import dev.slipway.core.Tensor;
import dev.slipway.serving.ModelConfig;
import dev.slipway.core.runtime.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins concurrent requests into one runtime call: the first waiting request opens a batch that
 * closes when it holds {@code maxBatchSize} rows or {@code maxQueueDelayNanos} has passed since
 * that request arrived, whichever comes first. A request larger than the maximum runs alone.
 */
final class DynamicBatcher {
  private static final Logger log = LoggerFactory.getLogger(DynamicBatcher.class);

  private final Model model;
  private final int maxBatchSize;
  private final long maxQueueDelayNanos;
  private final InferenceMetrics.VersionMeters meters;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

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
    queue.add(pending);
    return pending.result;
  }

  private void work() {
    List<Pending> batch = new ArrayList<>();
    Pending carried = null;
    try {
      while (true) {
        Pending first = carried != null ? carried : queue.poll(50, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null) {
          if (closed.get()) {
            return;
          }
          continue;
        }
        batch.add(first);
        int rows = first.rows;
        long deadline = first.enqueuedNanos + maxQueueDelayNanos;
        while (rows < maxBatchSize) {
          long waitNanos = deadline - System.nanoTime();
          // Past the deadline, requests already queued still join without waiting.
          Pending next = waitNanos > 0 ? queue.poll(waitNanos, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          if (rows + next.rows > maxBatchSize) {
            carried = next;
            break;
          }
          batch.add(next);
          rows += next.rows;
        }
        run(batch);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      batch.forEach(pending -> pending.result.completeExceptionally(e));
      if (carried != null) {
        carried.result.completeExceptionally(e);
      }
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
    closed.set(true);
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
