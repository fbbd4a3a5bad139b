package dev.slipway.registry.models;

import static dev.slipway.registry.models.RegistryAssertions.assertInvalid;
import static dev.slipway.registry.models.RegistryAssertions.assertMlflowError;
import static dev.slipway.registry.models.RegistryAssertions.assertNotFound;
import static dev.slipway.registry.models.MetricComparator.GREATER;
import static dev.slipway.registry.models.MetricComparator.GREATER_OR_EQUAL;
import static dev.slipway.registry.models.MetricComparator.LESS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.registry.MlflowException.ErrorCode;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The validation gate under the default policy: stage Production and alias "production" need
 * every recorded check to pass, and at least one check.
 */
abstract class PromotionGateContract extends RegistryContractBase {
  @Override
  protected PromotionPolicy policy() {
    return PromotionPolicy.defaults();
  }

  @BeforeEach
  void createModel() {
    fixture.model("m");
  }

  @Test
  void production_withoutChecks_isRefusedWithInvalidState() {
    fixture.version("m");

    assertMlflowError(() -> registry.transitionModelVersionStage("m", 1, "Production", false,
        null), ErrorCode.INVALID_STATE, "Model 'm' version 1 cannot move to stage 'Production'",
        "no validation results", "at least one passing check");
    assertThat(registry.getModelVersion("m", 1).currentStage()).isEqualTo(ModelStage.NONE);
  }

  @Test
  void ungatedStagesAndAliases_needNoChecks() {
    fixture.version("m");

    registry.transitionModelVersionStage("m", 1, "Staging", false, null);
    registry.setRegisteredModelAlias("m", "champion", 1, null);

    assertThat(registry.getModelVersion("m", 1).currentStage()).isEqualTo(ModelStage.STAGING);
  }

  @Test
  void failingThreshold_isRefusedNamingTheCheckAndItsValues() {
    fixture.version("m");
    ValidationResult failed = registry.recordValidation("m", 1, ValidationCheck.threshold(
        "accuracy-min", "accuracy", 0.85, GREATER_OR_EQUAL, 0.9));
    ValidationResult passed = registry.recordValidation("m", 1, ValidationCheck.threshold(
        "latency-max", "p99_ms", 12, LESS, 20));

    assertThat(failed.passed()).isFalse();
    assertThat(passed.passed()).isTrue();
    assertMlflowError(() -> registry.transitionModelVersionStage("m", 1, "production", false,
        null), ErrorCode.INVALID_STATE, "1 of 2 validation checks failed",
        "'accuracy-min' (failed: accuracy 0.85 >= 0.9)");
    assertMlflowError(() -> registry.setRegisteredModelAlias("m", "production", 1, null),
        ErrorCode.INVALID_STATE, "cannot move to alias 'production'", "accuracy-min");
    assertMlflowError(() -> registry.setRegisteredModelAlias("m", "Production", 1, null),
        ErrorCode.INVALID_STATE, "accuracy-min");
  }

  @Test
  void recordingAgainUnderTheSameName_replacesTheResult() {
    fixture.version("m");
    registry.recordValidation("m", 1, ValidationCheck.threshold("accuracy-min", "accuracy",
        0.85, GREATER_OR_EQUAL, 0.9));

    registry.recordValidation("m", 1, ValidationCheck.threshold("accuracy-min", "accuracy",
        0.91, GREATER_OR_EQUAL, 0.9));
    ModelVersion promoted = registry.transitionModelVersionStage("m", 1, "Production", false,
        "alice");

    assertThat(registry.listValidations("m", 1)).singleElement()
        .satisfies(result -> {
          assertThat(result.value()).isEqualTo(0.91);
          assertThat(result.passed()).isTrue();
          assertThat(result.details()).isEqualTo("passed: accuracy 0.91 >= 0.9");
        });
    assertThat(promoted.currentStage()).isEqualTo(ModelStage.PRODUCTION);
    registry.setRegisteredModelAlias("m", "production", 1, null);
    assertThat(registry.resolve("models:/m@production").version()).isEqualTo(1);
  }

  @Test
  void beatsProduction_passesWithoutProduction_andComparesWithItsRecordedValue() {
    fixture.version("m");
    ValidationResult first = registry.recordValidation("m", 1, ValidationCheck.beatsProduction(
        "beats-prod", "accuracy", 0.90, GREATER));
    registry.transitionModelVersionStage("m", 1, "Production", false, null);
    fixture.version("m");
    fixture.version("m");

    ValidationResult worse = registry.recordValidation("m", 2, ValidationCheck.beatsProduction(
        "beats-prod", "accuracy", 0.88, GREATER));
    ValidationResult better = registry.recordValidation("m", 3,
        ValidationCheck.beatsProduction("beats-prod", "accuracy", 0.93, GREATER));

    assertThat(first.passed()).isTrue();
    assertThat(first.details()).contains("no production version");
    assertThat(worse.passed()).isFalse();
    assertThat(worse.threshold()).isEqualTo(0.90);
    assertThat(worse.comparedVersion()).isEqualTo(1);
    assertThat(worse.details()).isEqualTo("failed: accuracy 0.88 > 0.9 of production version 1");
    assertThat(better.passed()).isTrue();
    assertMlflowError(() -> registry.transitionModelVersionStage("m", 2, "Production", true,
        null), ErrorCode.INVALID_STATE, "'beats-prod' (failed: accuracy 0.88 > 0.9 of"
        + " production version 1)");
    registry.transitionModelVersionStage("m", 3, "Production", true, null);
    assertThat(registry.getModelVersion("m", 1).currentStage()).isEqualTo(ModelStage.ARCHIVED);
  }

  @Test
  void beatsProduction_isEvaluatedAgainAgainstTheVersionBeingReplaced() {
    fixture.version("m");
    registry.recordValidation("m", 1, ValidationCheck.threshold("acc", "accuracy", 0.90,
        GREATER_OR_EQUAL, 0.5));
    registry.transitionModelVersionStage("m", 1, "Production", false, null);
    fixture.version("m");
    ValidationResult recorded = registry.recordValidation("m", 2,
        ValidationCheck.beatsProduction("beats-prod", "accuracy", 0.92, GREATER));
    fixture.version("m");
    registry.recordValidation("m", 3, ValidationCheck.threshold("acc", "accuracy", 0.95,
        GREATER_OR_EQUAL, 0.5));
    registry.transitionModelVersionStage("m", 3, "Production", true, null);

    assertThat(recorded.passed()).as("beat version 1 when recorded").isTrue();
    assertMlflowError(() -> registry.transitionModelVersionStage("m", 2, "Production", true,
        null), ErrorCode.INVALID_STATE, "accuracy 0.92 > 0.95 of production version 3");
  }

  @Test
  void aliasGate_comparesWithTheVersionTheAliasPointsTo() {
    fixture.version("m");
    registry.recordValidation("m", 1, ValidationCheck.threshold("auc", "auc", 0.8,
        GREATER_OR_EQUAL, 0.7));
    registry.setRegisteredModelAlias("m", "production", 1, null);
    fixture.version("m");
    registry.recordValidation("m", 2, ValidationCheck.beatsProduction("beats", "auc", 0.75,
        GREATER));

    assertMlflowError(() -> registry.setRegisteredModelAlias("m", "production", 2, null),
        ErrorCode.INVALID_STATE, "auc 0.75 > 0.8 of production version 1");
    registry.setRegisteredModelAlias("m", "production", 1, null);
    assertThat(registry.resolve("models:/m@production").version()).isEqualTo(1);
  }

  @Test
  void productionWithoutARecordedValue_failsTheComparison() {
    fixture.version("m");
    registry.recordValidation("m", 1, ValidationCheck.threshold("acc", "accuracy", 0.9,
        GREATER_OR_EQUAL, 0.5));
    registry.transitionModelVersionStage("m", 1, "Production", false, null);
    fixture.version("m");

    ValidationResult result = registry.recordValidation("m", 2,
        ValidationCheck.beatsProduction("beats", "f1", 0.9, GREATER));

    assertThat(result.passed()).isFalse();
    assertThat(result.details()).contains("production version 1 has no recorded value for 'f1'");
  }

  @Test
  void nanValues_neverPass() {
    fixture.version("m");

    ValidationResult result = registry.recordValidation("m", 1, ValidationCheck.threshold(
        "acc", "accuracy", Double.NaN, GREATER_OR_EQUAL, 0.5));

    assertThat(result.passed()).isFalse();
    assertThat(registry.listValidations("m", 1).get(0).value()).isNaN();
  }

  @Test
  void policyWithoutMinimum_letsUncheckedVersionsThrough() {
    fixture.version("m");
    ModelRegistry lenient = new ModelRegistry(fixture.database.database(), fixture.artifacts,
        fixture.clock, new PromotionPolicy(Set.of(ModelStage.PRODUCTION), Set.of(), false),
        WebhookDispatcher.disabled());

    lenient.transitionModelVersionStage("m", 1, "Production", false, null);

    assertThat(lenient.getModelVersion("m", 1).currentStage()).isEqualTo(ModelStage.PRODUCTION);
  }

  @Test
  void recordingForAMissingVersionOrWithBadInput_isRefused() {
    fixture.version("m");

    assertNotFound(() -> registry.recordValidation("m", 7, ValidationCheck.threshold("a", "b",
        1, GREATER, 0)), "version=7");
    assertInvalid(() -> registry.recordValidation("m", 1, ValidationCheck.threshold(" ", "b",
        1, GREATER, 0)), "check_name");
    assertInvalid(() -> MetricComparator.parse("=="), "Invalid comparator '=='");
    assertNotFound(() -> registry.listValidations("m", 7));
  }
}
