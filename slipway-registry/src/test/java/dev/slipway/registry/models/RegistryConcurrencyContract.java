package dev.slipway.registry.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent changes to one model queue on its row lock: eight threads racing to put different
 * versions into Production with archive_existing leave exactly one there, racing alias sets
 * leave the alias on one version, and the audit trail replays to the final state.
 */
abstract class RegistryConcurrencyContract extends RegistryContractBase {
  private static final int THREADS = 8;
  private static final long TIMEOUT_SECONDS = 60;

  @Override
  protected PromotionPolicy policy() {
    return PromotionPolicy.defaults();
  }

  @BeforeEach
  void createValidatedVersions() {
    fixture.model("m");
    for (int i = 0; i < THREADS; i++) {
      fixture.validatedVersion("m");
    }
  }

  @Test
  void racingTransitionsWithArchiveExisting_leaveExactlyOneInProduction() throws Exception {
    List<ModelVersion> results = race(version -> () -> registry.transitionModelVersionStage(
        "m", version, "Production", true, "thread-" + version));

    List<ModelVersion> inProduction = registry.getLatestVersions("m", List.of("Production"));
    assertThat(results).hasSize(THREADS);
    assertThat(registry.searchModelVersions("name = 'm'", 100, null, null).items())
        .filteredOn(version -> version.currentStage() == ModelStage.PRODUCTION).hasSize(1);
    assertThat(registry.searchModelVersions("name = 'm'", 100, null, null).items())
        .filteredOn(version -> version.currentStage() == ModelStage.ARCHIVED)
        .hasSize(THREADS - 1);
    List<AuditEntry> stageChanges = registry.getHistory("m", 1000, null).items().stream()
        .filter(entry -> entry.kind() == AuditEntry.Kind.STAGE && entry.fromValue() != null)
        .toList();
    assertThat(stageChanges).filteredOn(entry -> entry.toValue().equals("Production"))
        .hasSize(THREADS);
    assertThat(stageChanges).filteredOn(entry -> entry.toValue().equals("Archived"))
        .hasSize(THREADS - 1).allSatisfy(entry ->
            assertThat(entry.fromValue()).isEqualTo("Production"));
    String lastIntoProduction = stageChanges.stream()
        .filter(entry -> entry.toValue().equals("Production")).reduce((a, b) -> b)
        .orElseThrow().subject();
    assertThat(inProduction).singleElement().satisfies(version ->
        assertThat(Integer.toString(version.version())).isEqualTo(lastIntoProduction));
    assertThat(registry.resolve("models:/m/Production").version())
        .isEqualTo(inProduction.get(0).version());
  }

  @Test
  void racingAliasSets_leaveTheAliasOnOneVersion_andAChainedTrail() throws Exception {
    race(version -> () -> {
      registry.setRegisteredModelAlias("m", "production", version, "thread-" + version);
      return null;
    });

    int finalVersion = registry.getModelVersionByAlias("m", "production").version();
    List<AuditEntry> aliasChanges = registry.getHistory("m", 1000, null).items().stream()
        .filter(entry -> entry.kind() == AuditEntry.Kind.ALIAS).toList();
    assertThat(aliasChanges).hasSize(THREADS);
    Integer previous = null;
    for (AuditEntry change : aliasChanges) {
      assertThat(change.fromVersion()).as("each change starts where the last one ended")
          .isEqualTo(previous);
      assertThat(change.actor()).isEqualTo("thread-" + change.toVersion());
      previous = change.toVersion();
    }
    assertThat(previous).isEqualTo(finalVersion);
    assertThat(registry.getRegisteredModel("m").aliases()).containsExactly(
        new ModelAlias("production", finalVersion));
  }

  @Test
  void racingVersionCreation_givesDistinctNumbersAndFolders() throws Exception {
    fixture.modelFolder("uploads/shared");

    List<ModelVersion> created = race(ignored -> () -> registry.createModelVersion(
        NewModelVersion.of("m", "uploads/shared"), null));

    Set<Integer> numbers = new HashSet<>();
    Set<String> folders = new HashSet<>();
    created.forEach(version -> {
      numbers.add(version.version());
      folders.add(version.storageLocation());
      assertThat(fixture.artifacts.localPath(version.storageLocation()).resolve("MLmodel"))
          .exists();
    });
    assertThat(numbers).hasSize(THREADS).allMatch(number -> number > THREADS
        && number <= 2 * THREADS);
    assertThat(folders).hasSize(THREADS);
  }

  /** Runs one task per version 1..THREADS, released together; bounded in time. */
  private <T> List<T> race(IntFunction<Callable<T>> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int version = 1; version <= THREADS; version++) {
        Callable<T> work = task.apply(version);
        futures.add(pool.submit(() -> {
          start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          return work.call();
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }
}
