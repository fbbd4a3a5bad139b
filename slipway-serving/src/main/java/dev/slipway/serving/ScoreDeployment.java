package dev.slipway.serving;

import java.util.Map;
import java.util.Objects;

/**
 * A deployment whose scores are pre-computed by a batch pipeline and looked up at {@code GET
 * /v1/scores/{deployment}/{entity}}, with the fallback chain for entities no run scored: inline
 * scoring from online features, then a baseline, then 404.
 *
 * @param entityColumn the entity key's column (the feature store's join key), used to ask the
 *     inline model
 * @param inlineModel a served model bound to a feature service ({@code --bind-features}); null
 *     for no inline fallback
 * @param baseline constant scores; empty for none (unless {@code mostFrequentBaseline})
 * @param mostFrequentBaseline answer with the latest run's most frequent scores, kept in the
 *     score store by the pipeline
 */
public record ScoreDeployment(String name, String entityColumn, String inlineModel,
    Map<String, Double> baseline, boolean mostFrequentBaseline) {
  public ScoreDeployment {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(entityColumn, "entityColumn");
    baseline = Map.copyOf(baseline);
  }
}
