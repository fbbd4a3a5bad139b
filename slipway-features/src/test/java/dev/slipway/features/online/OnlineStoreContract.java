package dev.slipway.features.online;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every online store must do; subclasses open the store under test. */
public abstract class OnlineStoreContract {
  protected static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  protected static final String VIEW = "driver_stats";

  protected OnlineStore store;

  /** A fresh, empty store. */
  protected abstract OnlineStore openStore();

  /** The same store opened again; only stores that persist return non-null. */
  protected abstract OnlineStore reopenStore();

  @BeforeEach
  void openFreshStore() {
    store = openStore();
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  private static Map<String, Object> allTypes() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("i32", -7);
    values.put("i64", Long.MAX_VALUE);
    values.put("f32", 0.25f);
    values.put("f64", -1.5e300);
    values.put("text", "Zürich \u00e9\u4e2d");
    values.put("flag", true);
    values.put("off", false);
    values.put("missing", null);
    return values;
  }

  @Test
  void roundTripsEveryValueTypeAndNull() {
    Instant eventTime = Instant.parse("2026-01-01T01:02:03.123456789Z");
    store.write(VIEW, List.of(new OnlineRow(EntityKey.of(1001L), eventTime, allTypes())));

    List<Optional<OnlineRow>> rows = store.read(VIEW, List.of(EntityKey.of(1001L)),
        List.copyOf(allTypes().keySet()));

    assertThat(rows).hasSize(1);
    OnlineRow row = rows.get(0).orElseThrow();
    assertThat(row.key()).isEqualTo(EntityKey.of(1001L));
    assertThat(row.eventTime()).isEqualTo(eventTime);
    assertThat(row.values()).containsExactlyEntriesOf(allTypes());
    assertThat(row.values().get("i32")).isInstanceOf(Integer.class);
    assertThat(row.values().get("f32")).isInstanceOf(Float.class);
    assertThat(row.values()).containsKey("missing");
  }

  @Test
  void readAsync_answersAsRead() {
    store.write(VIEW, List.of(new OnlineRow(EntityKey.of(1L), T0, allTypes())));
    List<EntityKey> keys = List.of(EntityKey.of(2L), EntityKey.of(1L));
    List<String> features = List.of("text", "i32");

    List<Optional<OnlineRow>> rows = store.readAsync(VIEW, keys, features).join();

    assertThat(rows).isEqualTo(store.read(VIEW, keys, features));
    assertThat(rows.get(0)).isEmpty();
    assertThat(rows.get(1).orElseThrow().values()).containsEntry("i32", -7);
    assertThat(store.readAsync(VIEW, List.of(), features).join()).isEmpty();
  }

  @Test
  void absentEntitiesReadAsEmpty() {
    store.write(VIEW, List.of(row(1L, T0, "a", 1)));

    List<Optional<OnlineRow>> rows = store.read(VIEW,
        List.of(EntityKey.of(2L), EntityKey.of(1L), EntityKey.of(3L)), List.of("a"));

    assertThat(rows.get(0)).isEmpty();
    assertThat(rows.get(1)).isPresent();
    assertThat(rows.get(2)).isEmpty();
  }

  @Test
  void returnsOnlyTheRequestedFeaturesInRequestOrder() {
    store.write(VIEW, List.of(new OnlineRow(EntityKey.of(1L), T0, allTypes())));

    OnlineRow row = store.read(VIEW, List.of(EntityKey.of(1L)), List.of("text", "i32", "nope"))
        .get(0).orElseThrow();

    assertThat(row.values()).containsExactly(Map.entry("text", "Zürich \u00e9\u4e2d"),
        Map.entry("i32", -7));
  }

  @Test
  void multiPartEntityKeysAreDistinct() {
    store.write(VIEW, List.of(
        new OnlineRow(EntityKey.of(1L, "a"), T0, Map.of("v", 1)),
        new OnlineRow(EntityKey.of(1L, "b"), T0, Map.of("v", 2)),
        new OnlineRow(EntityKey.of("1", "a", 3), T0, Map.of("v", 3))));

    List<Optional<OnlineRow>> rows = store.read(VIEW,
        List.of(EntityKey.of(1L, "b"), EntityKey.of(1L, "a"), EntityKey.of("1", "a", 3),
            EntityKey.of(1L)),
        List.of("v"));

    assertThat(rows.get(0).orElseThrow().values()).containsEntry("v", 2);
    assertThat(rows.get(1).orElseThrow().values()).containsEntry("v", 1);
    assertThat(rows.get(2).orElseThrow().values()).containsEntry("v", 3);
    assertThat(rows.get(3)).isEmpty();
  }

  @Test
  void anOlderRowDoesNotOverwrite() {
    store.write(VIEW, List.of(row(1L, T0.plusSeconds(60), "v", 2)));
    store.write(VIEW, List.of(row(1L, T0, "v", 1)));

    OnlineRow row = readOne(1L, "v");
    assertThat(row.eventTime()).isEqualTo(T0.plusSeconds(60));
    assertThat(row.values()).containsEntry("v", 2);
  }

  @Test
  void anOlderRowByOneNanosecondDoesNotOverwrite() {
    store.write(VIEW, List.of(row(1L, T0.plusNanos(1), "v", 2)));
    store.write(VIEW, List.of(row(1L, T0, "v", 1)));

    assertThat(readOne(1L, "v").values()).containsEntry("v", 2);
  }

  @Test
  void anEqualOrNewerRowOverwrites() {
    store.write(VIEW, List.of(row(1L, T0, "v", 1)));
    store.write(VIEW, List.of(row(1L, T0, "v", 2)));
    assertThat(readOne(1L, "v").values()).containsEntry("v", 2);

    store.write(VIEW, List.of(row(1L, T0.plusMillis(1), "v", 3)));
    OnlineRow row = readOne(1L, "v");
    assertThat(row.values()).containsEntry("v", 3);
    assertThat(row.eventTime()).isEqualTo(T0.plusMillis(1));
  }

  @Test
  void eventTimesBeforeTheEpochOrderCorrectly() {
    Instant early = Instant.parse("1960-01-01T00:00:00Z");
    store.write(VIEW, List.of(row(1L, T0, "v", 2)));
    store.write(VIEW, List.of(row(1L, early, "v", 1)));
    assertThat(readOne(1L, "v").values()).containsEntry("v", 2);

    store.write(VIEW, List.of(row(2L, early, "v", 1)));
    assertThat(readOne(2L, "v").eventTime()).isEqualTo(early);
  }

  @Test
  void theNewestRowOfOneCallWinsWhateverItsPosition() {
    store.write(VIEW, List.of(row(1L, T0.plusSeconds(5), "v", 2), row(1L, T0, "v", 1)));
    assertThat(readOne(1L, "v").values()).containsEntry("v", 2);
  }

  @Test
  void readsManyKeysInOneCallInOrder() {
    List<OnlineRow> rows = new ArrayList<>();
    List<EntityKey> keys = new ArrayList<>();
    for (long id = 0; id < 500; id++) {
      rows.add(row(id, T0, "v", (int) id));
    }
    for (long id = 599; id >= 0; id -= 3) {
      keys.add(EntityKey.of(id));
    }
    store.write(VIEW, rows);

    List<Optional<OnlineRow>> read = store.read(VIEW, keys, List.of("v"));

    assertThat(read).hasSize(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      long id = (Long) keys.get(i).values().get(0);
      if (id < 500) {
        assertThat(read.get(i).orElseThrow().values()).containsEntry("v", (int) id);
        assertThat(read.get(i).orElseThrow().key()).isEqualTo(keys.get(i));
      } else {
        assertThat(read.get(i)).isEmpty();
      }
    }
  }

  @Test
  void featureViewsDoNotMix() {
    store.write("view_a", List.of(row(1L, T0, "v", 1)));
    store.write("view_b", List.of(row(1L, T0.minusSeconds(10), "v", 2)));

    assertThat(store.read("view_a", List.of(EntityKey.of(1L)), List.of("v")).get(0)
        .orElseThrow().values()).containsEntry("v", 1);
    assertThat(store.read("view_b", List.of(EntityKey.of(1L)), List.of("v")).get(0)
        .orElseThrow().values()).containsEntry("v", 2);
    assertThat(store.read("view_c", List.of(EntityKey.of(1L)), List.of("v")).get(0)).isEmpty();
  }

  @Test
  void writesALargeBatchInOneCall() {
    List<OnlineRow> rows = new ArrayList<>();
    for (long id = 0; id < 10_000; id++) {
      Map<String, Object> values = new HashMap<>();
      values.put("id", id);
      values.put("score", id / 10.0);
      rows.add(new OnlineRow(EntityKey.of(id), T0, values));
    }
    store.write(VIEW, rows);

    List<EntityKey> keys = List.of(EntityKey.of(0L), EntityKey.of(4_321L), EntityKey.of(9_999L));
    List<Optional<OnlineRow>> read = store.read(VIEW, keys, List.of("id", "score"));
    assertThat(read.get(1).orElseThrow().values()).containsEntry("id", 4_321L)
        .containsEntry("score", 432.1);
    assertThat(read.get(2).orElseThrow().values()).containsEntry("id", 9_999L);
  }

  @Test
  void emptyCallsAreHarmless() {
    store.write(VIEW, List.of());
    assertThat(store.read(VIEW, List.of(), List.of("v"))).isEmpty();
  }

  @Test
  void keepsDataAcrossReopenWhenItPersists() {
    store.write(VIEW, List.of(row(7L, T0, "v", 7)));
    store.close();
    store = reopenStore();
    if (store == null) {
      return;
    }
    assertThat(readOne(7L, "v").values()).containsEntry("v", 7);
  }

  protected OnlineRow readOne(long id, String feature) {
    return store.read(VIEW, List.of(EntityKey.of(id)), List.of(feature)).get(0).orElseThrow();
  }

  protected static OnlineRow row(long id, Instant eventTime, String feature, Object value) {
    Map<String, Object> values = new HashMap<>();
    values.put(feature, value);
    return new OnlineRow(EntityKey.of(id), eventTime, values);
  }
}
