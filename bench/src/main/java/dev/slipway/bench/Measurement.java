package dev.slipway.bench;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One load run's window, bounds and counters, shared by all its users (whatever client they
 * use). A request counts where it is answered: answers before the window are warm-up, answers
 * inside it are measured. Thread-safe: clients complete requests on several event loops.
 */
final class Measurement {
  /** Latencies above this are clamped: nothing legitimate takes longer than the timeout. */
  private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(120);
  private static final int ERRORS_SHOWN = 5;

  private final long maxRequests;
  private final long measureStart;
  private final long measureEnd;
  private final Recorder latencies = new Recorder(HIGHEST_TRACKABLE_NANOS, 3);
  private final AtomicLong issued = new AtomicLong();
  private final LongAdder measuredRequests = new LongAdder();
  private final LongAdder measuredErrors = new LongAdder();
  private final LongAdder warmupErrors = new LongAdder();
  private final AtomicLong lastMeasuredAnswer = new AtomicLong();
  private final AtomicInteger errorsShown = new AtomicInteger();
  private final CountDownLatch usersDone;
  private final String serverPid;
  private final ScheduledExecutorService cpuSampler;
  /** CPU time of the server and of this client at the window's start and end. */
  private final long[] serverCpu = {-1, -1};
  private final long[] clientCpu = {-1, -1};
  private volatile boolean stoppedByCount;

  /**
   * @param serverPid the server's process id, to report its CPU time per request; or null
   */
  Measurement(int users, long maxRequests, long warmupNanos, long measureNanos,
      String serverPid) {
    this.maxRequests = maxRequests;
    this.measureStart = System.nanoTime() + warmupNanos;
    this.measureEnd = measureStart + measureNanos;
    this.usersDone = new CountDownLatch(users);
    this.serverPid = serverPid;
    this.cpuSampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "cpu-sampler");
      thread.setDaemon(true);
      return thread;
    });
    cpuSampler.schedule(() -> sampleCpu(0), warmupNanos, TimeUnit.NANOSECONDS);
    cpuSampler.schedule(() -> sampleCpu(1), warmupNanos + measureNanos, TimeUnit.NANOSECONDS);
  }

  private void sampleCpu(int index) {
    synchronized (serverCpu) {
      serverCpu[index] = serverPid == null ? -1 : ProcessCpu.nanos(serverPid);
      clientCpu[index] = ProcessCpu.nanos("self");
    }
  }

  /**
   * Whether a user may send its next request. Once it says no, the user is done and must not
   * ask again: the window has closed or {@code --max-requests} have been sent.
   */
  boolean nextOrDone() {
    if (System.nanoTime() - measureEnd >= 0) {
      usersDone.countDown();
      return false;
    }
    if (issued.incrementAndGet() > maxRequests) {
      stoppedByCount = true;
      usersDone.countDown();
      return false;
    }
    return true;
  }

  /** A user that can go on no more (its connection died) without having been told to stop. */
  void userLost() {
    usersDone.countDown();
  }

  void answered(long sentNanos) {
    long now = System.nanoTime();
    if (inWindow(now)) {
      measuredRequests.increment();
      latencies.recordValue(Math.min(now - sentNanos, HIGHEST_TRACKABLE_NANOS));
      lastMeasuredAnswer.accumulateAndGet(now, Math::max);
    }
  }

  void failed(String error) {
    long now = System.nanoTime();
    (inWindow(now) ? measuredErrors : warmupErrors).increment();
    if (errorsShown.getAndIncrement() < ERRORS_SHOWN) {
      System.err.println("error: " + error);
    }
  }

  private boolean inWindow(long nanos) {
    return nanos - measureStart >= 0 && nanos - measureEnd < 0;
  }

  /** Waits for every user to stop: the window's length, plus time for the last answers. */
  void awaitUsers(long extraNanos) throws InterruptedException {
    long waitNanos = Math.max(0, measureEnd - System.nanoTime()) + extraNanos;
    if (!usersDone.await(waitNanos, TimeUnit.NANOSECONDS)) {
      System.err.println("gave up waiting for " + usersDone.getCount() + " users");
    }
  }

  /** The result line; {@code labels} (key=value ...) are written after the latencies. */
  String report(String protocol, int concurrency, String labels) throws InterruptedException {
    // The users stop at the window's end, maybe before the sampler took the closing sample:
    // let it, as delayed tasks still run after shutdown().
    cpuSampler.shutdown();
    cpuSampler.awaitTermination(5, TimeUnit.SECONDS);
    long serverCpuNanos;
    long clientCpuNanos;
    synchronized (serverCpu) {
      serverCpuNanos = serverCpu[0] < 0 || serverCpu[1] < 0 ? -1 : serverCpu[1] - serverCpu[0];
      clientCpuNanos = clientCpu[0] < 0 || clientCpu[1] < 0 ? -1 : clientCpu[1] - clientCpu[0];
    }
    Histogram histogram = latencies.getIntervalHistogram();
    long requests = measuredRequests.sum();
    long errors = measuredErrors.sum();
    // Stopped by --max-requests, the window ends with the last answer rather than on time.
    long windowEnd = stoppedByCount && lastMeasuredAnswer.get() != 0
        ? Math.min(lastMeasuredAnswer.get(), measureEnd) : measureEnd;
    double seconds = Math.max(1e-9, (windowEnd - measureStart) / 1e9);
    if (requests == 0) {
      System.err.println("no request was answered in the measurement window"
          + (stoppedByCount ? " (--max-requests was reached during the warm-up)" : ""));
    }
    double windowSeconds = (measureEnd - measureStart) / 1e9;
    return String.format(Locale.ROOT, "result protocol=%s c=%d requests=%d errors=%d rps=%.1f"
            + " p50_ms=%.3f p99_ms=%.3f p90_ms=%.3f p999_ms=%.3f max_ms=%.3f"
            + " server_cpu_us_per_req=%.1f server_cpu_cores=%.2f client_cpu_cores=%.2f %s"
            + " measured_s=%.2f bounded_by=%s warmup_errors=%d",
        protocol, concurrency, requests, errors, requests / seconds,
        millis(histogram, 50), millis(histogram, 99), millis(histogram, 90),
        millis(histogram, 99.9), histogram.getMaxValue() / 1e6,
        // CPU is sampled over the whole window, so per request it only holds when bounded by time.
        serverCpuNanos < 0 || requests == 0 || stoppedByCount ? Double.NaN
            : serverCpuNanos / 1e3 / requests,
        serverCpuNanos < 0 ? Double.NaN : serverCpuNanos / 1e9 / windowSeconds,
        clientCpuNanos < 0 ? Double.NaN : clientCpuNanos / 1e9 / windowSeconds,
        labels, seconds, stoppedByCount ? "count" : "time", warmupErrors.sum());
  }

  private static double millis(Histogram histogram, double percentile) {
    return histogram.getTotalCount() == 0 ? Double.NaN
        : histogram.getValueAtPercentile(percentile) / 1e6;
  }
}
