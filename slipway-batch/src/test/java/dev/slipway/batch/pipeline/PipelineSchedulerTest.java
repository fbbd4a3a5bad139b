package dev.slipway.batch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.batch.pipeline.PipelineRun.Status;
import dev.slipway.batch.pipeline.PipelineRun.Trigger;
import dev.slipway.batch.pipeline.PipelineSpec.Sinks;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineSchedulerTest {
  @TempDir Path folder;
  private PipelineFixture fixture;
  private final List<Runnable> queued = new ArrayList<>();
  private final Executor queue = queued::add;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new PipelineFixture(folder);
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  private PipelineScheduler scheduler(String cron) {
    PipelineSpec spec = new PipelineSpec("hourly", cron, PipelineSpec.Engine.LOCAL,
        "models:/bc/1", new PipelineSpec.Source.File(fixture.source), List.of("customer_id"),
        "event_timestamp", List.of(), new Sinks(folder.resolve("scores"), null, null), 0,
        Duration.ZERO);
    return new PipelineScheduler(Map.of("hourly", spec), fixture.runner(), fixture.clock, queue);
  }

  private void runQueued() {
    List<Runnable> work = new ArrayList<>(queued);
    queued.clear();
    work.forEach(Runnable::run);
  }

  @Test
  void fireDue_atTheCronTime_runsThePipelineOnceAndSchedulesTheNext() {
    // The fixture's clock starts at 2026-01-01T01:00:00Z.
    PipelineScheduler scheduler = scheduler("30 * * * *");
    Instant firstFire = Instant.parse("2026-01-01T01:30:00Z");
    assertThat(scheduler.nextFireTime("hourly")).contains(firstFire);

    assertThat(scheduler.fireDue(firstFire.minusSeconds(1))).isZero();
    fixture.clock.advance(Duration.ofMinutes(30));
    assertThat(scheduler.fireDue(firstFire)).isEqualTo(1);
    assertThat(scheduler.fireDue(firstFire)).isZero();
    runQueued();

    assertThat(scheduler.nextFireTime("hourly")).contains(firstFire.plus(Duration.ofHours(1)));
    List<PipelineRun> runs = fixture.history.runs("hourly", 10);
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).trigger()).isEqualTo(Trigger.SCHEDULE);
    assertThat(runs.get(0).status()).isEqualTo(Status.SUCCEEDED);
    assertThat(runs.get(0).windowEnd()).isEqualTo(firstFire);
  }

  @Test
  void fireDue_whileThePreviousRunIsStillGoing_skipsTheFireTime() {
    PipelineScheduler scheduler = scheduler("* * * * *");
    Instant minute = Instant.parse("2026-01-01T01:01:00Z");

    assertThat(scheduler.fireDue(minute)).isEqualTo(1);
    assertThat(scheduler.fireDue(minute.plusSeconds(60))).isZero();
    runQueued();
    assertThat(scheduler.fireDue(minute.plusSeconds(120))).isEqualTo(1);
  }

  @Test
  void trigger_runsNowAndRefusesASecondWhileTheFirstIsGoing() {
    PipelineScheduler scheduler = scheduler(null);

    PipelineRun run = scheduler.trigger("hourly", null);
    assertThat(run.status()).isEqualTo(Status.RUNNING);
    assertThatThrownBy(() -> scheduler.trigger("hourly", null))
        .isInstanceOf(PipelineBusyException.class);
    runQueued();

    assertThat(fixture.history.run(run.id()).orElseThrow().status())
        .isEqualTo(Status.SUCCEEDED);
    assertThat(scheduler.nextFireTime("hourly")).isEmpty();
    assertThatThrownBy(() -> scheduler.trigger("daily", null))
        .isInstanceOf(UnknownPipelineException.class)
        .hasMessageContaining("pipeline 'daily': not defined (pipelines: [hourly])");
  }

  @Test
  void start_marksRunsLeftRunningByAStoppedProcessAsFailed() {
    PipelineScheduler scheduler = scheduler(null);
    PipelineRun orphan = scheduler.trigger("hourly", null);
    queued.clear();

    try (PipelineScheduler restarted = scheduler(null).start()) {
      assertThat(fixture.history.run(orphan.id()).orElseThrow().status())
          .isEqualTo(Status.FAILED);
      assertThat(restarted.trigger("hourly", null).status()).isEqualTo(Status.RUNNING);
    }
  }
}
