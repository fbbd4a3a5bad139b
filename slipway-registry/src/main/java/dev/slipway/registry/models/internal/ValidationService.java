package dev.slipway.registry.models.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.ValidationCheck;
import dev.slipway.registry.models.ValidationResult;
import java.util.List;
import java.util.Optional;

/** Records validation results, computing whether each passed, and lists them. */
public final class ValidationService {
  private static final int MAX_CHECK_NAME = 256;
  private static final int MAX_METRIC = 250;

  private final Transactions transactions;

  public ValidationService(Transactions transactions) {
    this.transactions = transactions;
  }

  /** Records (or replaces, by check name) a result; the row lock keeps production still. */
  public ValidationResult record(String name, int version, ValidationCheck check) {
    requireText("check_name", check.checkName(), MAX_CHECK_NAME);
    requireText("metric", check.metric(), MAX_METRIC);
    return transactions.write((handle, events) -> {
      ModelRows.lock(handle, name);
      VersionRows.find(handle, name, version).orElseThrow(() ->
          VersionRows.notFound(name, version));
      long now = transactions.now();
      ValidationResult result;
      if (check.kind() == ValidationCheck.Kind.THRESHOLD) {
        boolean passed = check.comparator().test(check.value(), check.threshold());
        result = new ValidationResult(name, version, check.checkName(), check.kind(),
            check.metric(), check.value(), check.comparator(), check.threshold(), null, passed,
            null, now);
        result = withDetails(result, PromotionGate.describe(result));
      } else {
        Optional<Integer> production = PromotionGate.productionVersion(handle, name, version);
        PromotionGate.Comparison comparison = PromotionGate.compare(handle, name,
            check.metric(), check.value(), check.comparator(), production);
        result = new ValidationResult(name, version, check.checkName(), check.kind(),
            check.metric(), check.value(), check.comparator(), comparison.referenceValue(),
            comparison.referenceVersion(), comparison.passed(), comparison.details(), now);
      }
      ValidationRows.upsert(handle, result);
      return result;
    });
  }

  public List<ValidationResult> list(String name, int version) {
    return transactions.read(handle -> {
      VersionRows.find(handle, name, version).orElseThrow(() ->
          VersionRows.notFound(name, version));
      return ValidationRows.list(handle, name, version);
    });
  }

  private static ValidationResult withDetails(ValidationResult r, String details) {
    return new ValidationResult(r.name(), r.version(), r.checkName(), r.kind(), r.metric(),
        r.value(), r.comparator(), r.threshold(), r.comparedVersion(), r.passed(), details,
        r.recordedAt());
  }

  private static void requireText(String field, String value, int limit) {
    if (value == null || value.isBlank()) {
      throw MlflowException.invalid("Missing value for required parameter '" + field + "'.");
    }
    RegistryNames.maxLength(field, value, limit);
  }
}
