package dev.slipway.registry.models;

import static dev.slipway.registry.models.RegistryAssertions.assertInvalid;
import static dev.slipway.registry.models.RegistryAssertions.assertNotFound;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every stage and alias change lands in the audit trail with actor, time, from and to, side
 * effects included; "which version was it at time T" is answered from it.
 */
abstract class AuditTrailContract extends RegistryContractBase {
  private static final long T0 = RegistryFixture.START;

  @BeforeEach
  void createVersions() {
    fixture.model("m");
    fixture.version("m");
    fixture.version("m");
    fixture.version("m");
  }

  @Test
  void transitions_areAuditedWithTheirArchivingSideEffects() {
    long t1 = fixture.clock.advance(Duration.ofMinutes(1));
    registry.transitionModelVersionStage("m", 1, "Production", false, "alice");
    long t2 = fixture.clock.advance(Duration.ofMinutes(1));
    registry.transitionModelVersionStage("m", 2, "production", true, "bob");
    registry.transitionModelVersionStage("m", 2, "Production", false, "bob");

    assertThat(changes()).containsExactly(
        "STAGE 1 ->None by tester@" + T0,
        "STAGE 2 ->None by tester@" + T0,
        "STAGE 3 ->None by tester@" + T0,
        "STAGE 1 None->Production by alice@" + t1,
        "STAGE 2 None->Production by bob@" + t2,
        "STAGE 1 Production->Archived by bob@" + t2);
  }

  @Test
  void aliasChanges_includingDeletions_areAudited() {
    long t1 = fixture.clock.advance(Duration.ofMinutes(1));
    registry.setRegisteredModelAlias("m", "champion", 1, "alice");
    registry.setRegisteredModelAlias("m", "champion", 1, "alice");
    long t2 = fixture.clock.advance(Duration.ofMinutes(1));
    registry.setRegisteredModelAlias("m", "champion", 2, "bob");
    registry.setRegisteredModelAlias("m", "challenger", 3, null);
    long t3 = fixture.clock.advance(Duration.ofMinutes(1));
    registry.deleteRegisteredModelAlias("m", "champion", "carol");
    registry.deleteRegisteredModelAlias("m", "champion", "carol");
    long t4 = fixture.clock.advance(Duration.ofMinutes(1));
    registry.deleteModelVersion("m", 3, "dave");

    assertThat(changes()).filteredOn(change -> !change.startsWith("STAGE 1")
        && !change.startsWith("STAGE 2")).containsExactly(
        "STAGE 3 ->None by tester@" + T0,
        "ALIAS champion ->1 by alice@" + t1,
        "ALIAS champion 1->2 by bob@" + t2,
        "ALIAS challenger ->3 by unknown@" + t2,
        "ALIAS champion 2-> by carol@" + t3,
        "ALIAS challenger 3-> by dave@" + t4,
        "STAGE 3 None->Deleted by dave@" + t4);
  }

  @Test
  void history_followsRenames_andOutlivesTheModel() {
    registry.setRegisteredModelAlias("m", "champion", 1, "alice");
    registry.renameRegisteredModel("m", "fraud", "alice");
    registry.deleteRegisteredModel("fraud", "bob");

    List<String> history = changes("fraud");

    assertThat(history).contains("ALIAS champion ->1 by alice@" + T0,
        "RENAME fraud m->fraud by alice@" + T0,
        "ALIAS champion 1-> by bob@" + T0,
        "STAGE 2 None->Deleted by bob@" + T0);
    assertNotFound(() -> registry.getHistory("m", 100, null), "name=m");
    assertNotFound(() -> registry.getHistory("never", 100, null), "name=never");
  }

  @Test
  void history_pages() {
    SearchPage<AuditEntry> first = registry.getHistory("m", 2, null);
    SearchPage<AuditEntry> rest = registry.getHistory("m", 2, first.nextPageToken());

    assertThat(first.items()).extracting(AuditEntry::subject).containsExactly("1", "2");
    assertThat(rest.items()).extracting(AuditEntry::subject).containsExactly("3");
    assertThat(rest.nextPageToken()).isNull();
  }

  @Test
  void versionWithAliasAt_answersFromTheTrail() {
    long t1 = fixture.clock.advance(Duration.ofHours(1));
    registry.setRegisteredModelAlias("m", "production", 1, null);
    long t2 = fixture.clock.advance(Duration.ofHours(1));
    registry.setRegisteredModelAlias("m", "production", 2, null);
    long t3 = fixture.clock.advance(Duration.ofHours(1));
    registry.deleteRegisteredModelAlias("m", "production", null);

    assertThat(registry.versionWithAliasAt("m", "production", t1 - 1)).isEmpty();
    assertThat(registry.versionWithAliasAt("m", "production", t1)).hasValue(1);
    assertThat(registry.versionWithAliasAt("m", "production", t2 - 1)).hasValue(1);
    assertThat(registry.versionWithAliasAt("m", "production", t2)).hasValue(2);
    assertThat(registry.versionWithAliasAt("m", "production", t3 - 1)).hasValue(2);
    assertThat(registry.versionWithAliasAt("m", "production", t3)).isEmpty();
    assertThat(registry.versionWithAliasAt("m", "other", t2)).isEmpty();
  }

  @Test
  void versionInStageAt_isTheHighestVersionInThatStageThen() {
    long t1 = fixture.clock.advance(Duration.ofHours(1));
    registry.transitionModelVersionStage("m", 1, "Production", false, null);
    long t2 = fixture.clock.advance(Duration.ofHours(1));
    registry.transitionModelVersionStage("m", 3, "Production", false, null);
    long t3 = fixture.clock.advance(Duration.ofHours(1));
    registry.transitionModelVersionStage("m", 2, "Production", true, null);
    long t4 = fixture.clock.advance(Duration.ofHours(1));
    registry.deleteModelVersion("m", 2, null);

    assertThat(registry.versionInStageAt("m", "Production", t1 - 1)).isEmpty();
    assertThat(registry.versionInStageAt("m", "production", t1)).hasValue(1);
    assertThat(registry.versionInStageAt("m", "Production", t2)).hasValue(3);
    assertThat(registry.versionInStageAt("m", "Production", t3)).hasValue(2);
    assertThat(registry.versionInStageAt("m", "Archived", t3)).hasValue(3);
    assertThat(registry.versionInStageAt("m", "Production", t4)).isEmpty();
    assertThat(registry.versionInStageAt("m", "None", t1)).hasValue(3);
    assertInvalid(() -> registry.versionInStageAt("m", "Live", t1), "Invalid Model Version stage");
  }

  @Test
  void sameMillisecondChanges_areOrderedByTheirSequence() {
    registry.setRegisteredModelAlias("m", "production", 1, null);
    registry.setRegisteredModelAlias("m", "production", 2, null);
    registry.setRegisteredModelAlias("m", "production", 3, null);

    assertThat(registry.versionWithAliasAt("m", "production", T0)).isEqualTo(OptionalInt.of(3));
  }

  private List<String> changes() {
    return changes("m");
  }

  private List<String> changes(String name) {
    return registry.getHistory(name, 1000, null).items().stream().map(entry -> switch (
        entry.kind()) {
      case STAGE -> "STAGE " + entry.subject() + " " + nullToEmpty(entry.fromValue()) + "->"
          + entry.toValue();
      case ALIAS -> "ALIAS " + entry.subject() + " " + nullToEmpty(entry.fromVersion()) + "->"
          + nullToEmpty(entry.toVersion());
      case RENAME -> "RENAME " + entry.subject() + " " + entry.fromValue() + "->"
          + entry.toValue();
    } + " by " + entry.actor() + "@" + entry.changedAt()).toList();
  }

  private static String nullToEmpty(Object value) {
    return value == null ? "" : value.toString();
  }
}
