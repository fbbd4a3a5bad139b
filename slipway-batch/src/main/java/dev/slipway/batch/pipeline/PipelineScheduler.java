package dev.slipway.batch.pipeline;

import com.cronutils.model.time.ExecutionTime;
import dev.slipway.batch.pipeline.PipelineRun.Trigger;
import dev.slipway.batch.pipeline.internal.SpecParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs pipelines on their cron schedules (evaluated in UTC) and on demand. A fire time that
 * comes while the pipeline's previous run is still going is skipped, not queued: runs of one
 * pipeline never overlap, and the next run picks up every row the skipped one would have had
 * (it starts at the watermark).
 *
 * <p>The clock and the executor that runs pipelines are injected: tests call {@link #fireDue}
 * with the time they choose instead of waiting for it.
 */
public final class PipelineScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PipelineScheduler.class);

  private final Map<String, PipelineSpec> pipelines;
  private final PipelineRunner runner;
  private final Clock clock;
  private final Executor executor;
  // Guarded by this for both reads and writes.
  private final Map<String, Instant> nextFire = new LinkedHashMap<>();
  private final Map<String, Boolean> inFlight = new ConcurrentHashMap<>();
  private ScheduledExecutorService ticker;

  public PipelineScheduler(Map<String, PipelineSpec> pipelines, PipelineRunner runner,
      Clock clock, Executor executor) {
    this.pipelines = Map.copyOf(pipelines);
    this.runner = Objects.requireNonNull(runner, "runner");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.executor = Objects.requireNonNull(executor, "executor");
    Instant now = clock.instant();
    synchronized (this) {
      pipelines.values().forEach(spec -> next(spec, now).ifPresent(
          time -> nextFire.put(spec.name(), time)));
    }
  }

  /** Checks the schedules once a second from a daemon thread until closed. */
  public PipelineScheduler start() {
    int abandoned = runner.history().abandonInterruptedRuns();
    if (abandoned > 0) {
      log.warn("{} pipeline run(s) were still RUNNING from a process that stopped: marked"
          + " FAILED", abandoned);
    }
    ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "slipway-pipeline-scheduler");
      thread.setDaemon(true);
      return thread;
    });
    ticker.scheduleWithFixedDelay(() -> fireDue(clock.instant()), 1, 1, TimeUnit.SECONDS);
    return this;
  }

  /** Starts every pipeline whose fire time is at or before {@code now}; returns how many. */
  public int fireDue(Instant now) {
    int fired = 0;
    for (PipelineSpec spec : pipelines.values()) {
      Instant due;
      synchronized (this) {
        due = nextFire.get(spec.name());
        if (due == null || due.isAfter(now)) {
          continue;
        }
        Optional<Instant> following = next(spec, now);
        if (following.isPresent()) {
          nextFire.put(spec.name(), following.get());
        } else {
          nextFire.remove(spec.name());
        }
      }
      if (inFlight.putIfAbsent(spec.name(), Boolean.TRUE) != null) {
        log.warn("pipeline {}: fire time {} skipped, its previous run is still going",
            spec.name(), due);
        continue;
      }
      fired++;
      executor.execute(() -> {
        try {
          runner.run(spec, Trigger.SCHEDULE);
        } catch (PipelineBusyException e) {
          log.warn("pipeline {}: fire time {} skipped: {}", spec.name(), due, e.getMessage());
        } catch (RuntimeException e) {
          log.error("pipeline {}: scheduled run failed to start: {}", spec.name(),
              e.getMessage());
        } finally {
          inFlight.remove(spec.name());
        }
      });
    }
    return fired;
  }

  /**
   * Starts a run of {@code name} now, on the scheduler's executor; returns it as begun (RUNNING)
   * so callers can follow it in the run history.
   *
   * @throws UnknownPipelineException for an unknown pipeline
   * @throws PipelineBusyException when a run of it is in progress
   */
  public PipelineRun trigger(String name, Window window) {
    PipelineSpec spec = pipeline(name);
    if (window != null) {
      runner.checkRequested(window);
    }
    PipelineRun run = runner.begin(spec, Trigger.MANUAL,
        window != null ? window : runner.nextWindow(spec));
    inFlight.put(name, Boolean.TRUE);
    try {
      executor.execute(() -> {
        try {
          runner.complete(spec, run);
        } finally {
          inFlight.remove(name);
        }
      });
    } catch (RuntimeException e) {
      inFlight.remove(name);
      runner.history().fail(run.id(), "could not be started: " + e.getMessage());
      throw e;
    }
    return run;
  }

  /** The next time {@code name} fires, if it has a schedule. */
  public synchronized Optional<Instant> nextFireTime(String name) {
    return Optional.ofNullable(nextFire.get(pipeline(name).name()));
  }

  public Map<String, PipelineSpec> pipelines() {
    return pipelines;
  }

  public PipelineRunner runner() {
    return runner;
  }

  public PipelineSpec pipeline(String name) {
    PipelineSpec spec = pipelines.get(name);
    if (spec == null) {
      throw new UnknownPipelineException(name, pipelines.keySet());
    }
    return spec;
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }

  private static Optional<Instant> next(PipelineSpec spec, Instant after) {
    return spec.scheduleExpression().flatMap(expression ->
        ExecutionTime.forCron(SpecParser.CRON.parse(expression))
            .nextExecution(ZonedDateTime.ofInstant(after, ZoneOffset.UTC))
            .map(ZonedDateTime::toInstant));
  }
}
