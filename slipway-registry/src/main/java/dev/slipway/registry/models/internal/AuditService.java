package dev.slipway.registry.models.internal;

import dev.slipway.registry.models.AuditEntry;
import dev.slipway.registry.models.ModelStage;
import dev.slipway.registry.models.SearchPage;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Reads the audit trail: a model's history, and what an alias or stage meant at a time. */
public final class AuditService {
  public static final int DEFAULT_MAX_RESULTS = 1000;
  public static final int MAX_RESULTS = 10_000;

  private final Transactions transactions;

  public AuditService(Transactions transactions) {
    this.transactions = transactions;
  }

  /** Oldest first; kept after the model is deleted, so only a name never seen is unknown. */
  public SearchPage<AuditEntry> history(String name, int maxResults, String pageToken) {
    PageToken.maxResults((long) maxResults, DEFAULT_MAX_RESULTS, MAX_RESULTS);
    int offset = PageToken.decode(pageToken);
    return transactions.read(handle -> {
      requireKnown(handle, name);
      List<AuditEntry> entries = AuditLog.history(handle, name, offset, maxResults + 1);
      boolean more = entries.size() > maxResults;
      return new SearchPage<>(more ? entries.subList(0, maxResults) : entries,
          more ? PageToken.encode(offset + maxResults) : null);
    });
  }

  public OptionalInt aliasAt(String name, String alias, long time) {
    return transactions.read(handle -> {
      requireKnown(handle, name);
      return toOptionalInt(AuditLog.aliasAt(handle, name, alias, time));
    });
  }

  public OptionalInt stageAt(String name, String stage, long time) {
    ModelStage parsed = ModelStage.parse(stage);
    return transactions.read(handle -> {
      requireKnown(handle, name);
      return toOptionalInt(AuditLog.stageAt(handle, name, parsed, time));
    });
  }

  private static void requireKnown(org.jdbi.v3.core.Handle handle, String name) {
    if (!ModelRows.exists(handle, name) && !AuditLog.hasHistory(handle, name)) {
      throw ModelRows.notFound(name);
    }
  }

  private static OptionalInt toOptionalInt(Optional<Integer> version) {
    return version.map(OptionalInt::of).orElse(OptionalInt.empty());
  }
}
