package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.MetricComparator;
import dev.slipway.registry.models.ModelStage;
import dev.slipway.registry.models.ModelVersion;
import dev.slipway.registry.models.PromotionPolicy;
import dev.slipway.registry.models.ValidationCheck;
import dev.slipway.registry.models.ValidationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The validation gate: refuses to move a version into a gated stage or alias unless its checks
 * pass. Comparisons with production are evaluated again at the move, against the version being
 * replaced, since production may have changed since the check was recorded.
 */
public final class PromotionGate {
  /** The outcome of comparing a value with a reference version's recorded value. */
  public record Comparison(boolean passed, Double referenceValue, Integer referenceVersion,
      String details) {}

  private final PromotionPolicy policy;

  public PromotionGate(PromotionPolicy policy) {
    this.policy = policy;
  }

  /**
   * The version a new comparison is made against: the highest other version in stage
   * Production, else the one the alias {@code production} points to; empty when neither.
   */
  public static Optional<Integer> productionVersion(Handle handle, String name, int excluded) {
    for (ModelVersion version : VersionRows.inStage(handle, name, ModelStage.PRODUCTION)) {
      if (version.version() != excluded) {
        return Optional.of(version.version());
      }
    }
    return AliasRows.version(handle, name, "production").filter(version -> version != excluded);
  }

  public static Comparison compare(Handle handle, String name, String metric, double value,
      MetricComparator comparator, Optional<Integer> reference) {
    if (reference.isEmpty()) {
      return new Comparison(true, null, null, "passed: no production version to compare with");
    }
    int referenceVersion = reference.get();
    Optional<Double> referenceValue = ValidationRows.recordedValue(handle, name,
        referenceVersion, metric);
    if (referenceValue.isEmpty()) {
      return new Comparison(false, null, referenceVersion, "failed: production version "
          + referenceVersion + " has no recorded value for '" + metric + "'");
    }
    boolean passed = comparator.test(value, referenceValue.get());
    return new Comparison(passed, referenceValue.get(), referenceVersion,
        (passed ? "passed: " : "failed: ") + metric + " " + format(value) + " "
            + comparator.symbol() + " " + format(referenceValue.get()) + " of production version "
            + referenceVersion);
  }

  /** Refuses moving {@code candidate} into {@code stage} when gated and checks fail. */
  public void checkStage(Handle handle, ModelVersion candidate, ModelStage stage) {
    if (!policy.gatesStage(stage) || candidate.currentStage() == stage) {
      return;
    }
    Optional<Integer> replaced = VersionRows.inStage(handle, candidate.name(), stage).stream()
        .map(ModelVersion::version).filter(version -> version != candidate.version())
        .findFirst();
    check(handle, candidate, "stage '" + stage.displayName() + "'", replaced);
  }

  /** Refuses pointing a gated {@code alias} at {@code candidate} when checks fail. */
  public void checkAlias(Handle handle, ModelVersion candidate, String alias,
      Optional<Integer> current) {
    if (!policy.gatesAlias(alias) || current.equals(Optional.of(candidate.version()))) {
      return;
    }
    check(handle, candidate, "alias '" + alias + "'", current);
  }

  private void check(Handle handle, ModelVersion candidate, String target,
      Optional<Integer> replaced) {
    List<ValidationResult> results = ValidationRows.list(handle, candidate.name(),
        candidate.version());
    String refused = "Model '" + candidate.name() + "' version " + candidate.version()
        + " cannot move to " + target + ": ";
    if (results.isEmpty()) {
      if (policy.requireAtLeastOneCheck()) {
        throw new MlflowException(MlflowException.ErrorCode.INVALID_STATE, refused + "it has no"
            + " validation results, and the promotion policy requires at least one passing"
            + " check (record one with POST /api/2.0/slipway/model-versions/validations)");
      }
      return;
    }
    List<String> failures = new ArrayList<>();
    for (ValidationResult result : results) {
      if (result.kind() == ValidationCheck.Kind.BEATS_PRODUCTION) {
        Comparison now = compare(handle, candidate.name(), result.metric(), result.value(),
            result.comparator(), replaced);
        if (!now.passed()) {
          failures.add("'" + result.checkName() + "' (" + now.details() + ")");
        }
      } else if (!result.passed()) {
        failures.add("'" + result.checkName() + "' (" + describe(result) + ")");
      }
    }
    if (!failures.isEmpty()) {
      throw new MlflowException(MlflowException.ErrorCode.INVALID_STATE, refused
          + failures.size() + " of " + results.size() + " validation checks failed: "
          + String.join("; ", failures));
    }
  }

  /** A threshold check in words: "failed: accuracy 0.85 >= 0.9". */
  public static String describe(ValidationResult result) {
    return (result.passed() ? "passed: " : "failed: ") + result.metric() + " "
        + format(result.value()) + " " + result.comparator().symbol() + " "
        + (result.threshold() == null ? "?" : format(result.threshold()));
  }

  static String format(double value) {
    if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return Double.toString(value);
  }
}
