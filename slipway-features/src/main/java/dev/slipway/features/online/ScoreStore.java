package dev.slipway.features.online;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.slipway.core.SlipwayException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Pre-computed scores kept in an online store: batch pipelines write one row per entity and
 * deployment, the server looks them up. Each deployment's scores live beside the feature views,
 * under their own name, so one RocksDB or Redis holds both.
 *
 * <p>An entity's row is stamped with the data time of the window that scored it, so that
 * re-running an old window never replaces the scores of a newer one.
 */
public final class ScoreStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JavaType SCORES_MAP = TypeFactory.defaultInstance()
      .constructMapType(LinkedHashMap.class, String.class, Object.class);
  private static final String SCORES = "scores";
  private static final String MODEL_NAME = "model_name";
  private static final String MODEL_VERSION = "model_version";
  private static final String SCORED_AT = "scored_at_ms";
  private static final List<String> FIELDS = List.of(SCORES, MODEL_NAME, MODEL_VERSION, SCORED_AT);
  private static final EntityKey BASELINE = EntityKey.of("baseline");

  /**
   * One entity's scores.
   *
   * @param scores score column to value (Float, Double, Long, Integer or Boolean)
   * @param modelVersion null for a model that is not registered
   * @param dataTime the end of the window of data that was scored
   */
  public record Scores(Map<String, Object> scores, String modelName, Long modelVersion,
      Instant scoredAt, Instant dataTime) {
    public Scores {
      scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
    }
  }

  private final OnlineStore store;

  public ScoreStore(OnlineStore store) {
    this.store = store;
  }

  /** Writes the scores of many entities of one deployment, all or nothing. */
  public void write(String deployment, Map<EntityKey, Scores> scores) {
    List<OnlineRow> rows = new ArrayList<>(scores.size());
    scores.forEach((key, value) -> rows.add(row(key, value)));
    store.write(view(deployment), rows);
  }

  /** The scores of {@code entity}, if a batch run wrote any. */
  public Optional<Scores> read(String deployment, EntityKey entity) {
    return store.read(view(deployment), List.of(entity), FIELDS).get(0).map(ScoreStore::scores);
  }

  /** As {@link #read}, without holding the caller's thread while a remote store answers. */
  public CompletableFuture<Optional<Scores>> readAsync(String deployment, EntityKey entity) {
    return store.readAsync(view(deployment), List.of(entity), FIELDS)
        .thenApply(rows -> rows.get(0).map(ScoreStore::scores));
  }

  /** Replaces the deployment's baseline: the answer for entities no run scored. */
  public void writeBaseline(String deployment, Scores baseline) {
    store.write(baselineView(deployment), List.of(row(BASELINE, baseline)));
  }

  public Optional<Scores> baseline(String deployment) {
    return baselineAsync(deployment).join();
  }

  public CompletableFuture<Optional<Scores>> baselineAsync(String deployment) {
    return store.readAsync(baselineView(deployment), List.of(BASELINE), FIELDS)
        .thenApply(rows -> rows.get(0).map(ScoreStore::scores));
  }

  private static String view(String deployment) {
    return "scores." + deployment;
  }

  private static String baselineView(String deployment) {
    return "scores." + deployment + ".baseline";
  }

  private static OnlineRow row(EntityKey key, Scores scores) {
    Map<String, Object> values = new LinkedHashMap<>();
    try {
      values.put(SCORES, JSON.writeValueAsString(scores.scores()));
    } catch (JsonProcessingException e) {
      throw new SlipwayException("cannot encode scores of " + key.encoded() + ": "
          + e.getMessage(), e);
    }
    values.put(MODEL_NAME, scores.modelName());
    values.put(MODEL_VERSION, scores.modelVersion());
    values.put(SCORED_AT, scores.scoredAt().toEpochMilli());
    return new OnlineRow(key, scores.dataTime(), values);
  }

  private static Scores scores(OnlineRow row) {
    Map<String, Object> values = row.values();
    Map<String, Object> decoded;
    try {
      decoded = JSON.readValue((String) values.get(SCORES), SCORES_MAP);
    } catch (JsonProcessingException e) {
      throw new SlipwayException("score store: unreadable scores for " + row.key().encoded()
          + ": " + e.getMessage(), e);
    }
    Object version = values.get(MODEL_VERSION);
    return new Scores(decoded, (String) values.get(MODEL_NAME),
        version == null ? null : ((Number) version).longValue(),
        Instant.ofEpochMilli(((Number) values.get(SCORED_AT)).longValue()), row.eventTime());
  }
}
