package dev.slipway.registry.models;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which moves the validation gate guards: a version enters a gated stage or receives a gated
 * alias only when all its recorded checks pass (and, if required, it has at least one).
 *
 * @param gatedAliases matched without regard to letter case, so "Production" is gated too
 */
public record PromotionPolicy(Set<ModelStage> gatedStages, Set<String> gatedAliases,
    boolean requireAtLeastOneCheck) {
  public PromotionPolicy {
    gatedStages = Set.copyOf(gatedStages);
    gatedAliases = gatedAliases.stream().map(alias -> alias.toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Stage Production and alias {@code production}, each needing at least one passing check. */
  public static PromotionPolicy defaults() {
    return new PromotionPolicy(Set.of(ModelStage.PRODUCTION), Set.of("production"), true);
  }

  /** No gate: MLflow's behaviour. */
  public static PromotionPolicy ungated() {
    return new PromotionPolicy(Set.of(), Set.of(), false);
  }

  public boolean gatesStage(ModelStage stage) {
    return gatedStages.contains(stage);
  }

  public boolean gatesAlias(String alias) {
    return gatedAliases.contains(alias.toLowerCase(Locale.ROOT));
  }
}
