package dev.slipway.features.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidInputException;
import dev.slipway.features.Feature;
import dev.slipway.features.FeatureView;
import dev.slipway.features.ValueType;
import dev.slipway.features.online.OnlineFeatureReader.EntityFeatures;
import dev.slipway.features.online.OnlineFeatureReader.FeatureValue;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnlineFeatureReaderTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir
  Path folder;
  private OnlineStore store;

  @BeforeEach
  void open() {
    store = OnlineStores.rocksDb(folder);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static FeatureView view(Duration ttl) {
    return new FeatureView("driver_stats", List.of("driver"),
        List.of(new Feature("conv_rate", ValueType.FLOAT64),
            new Feature("trips", ValueType.INT64), new Feature("city", ValueType.STRING)),
        "driver_source", ttl, true);
  }

  private void write(long driver, Instant eventTime, Object convRate, Object trips) {
    Map<String, Object> values = new HashMap<>();
    values.put("conv_rate", convRate);
    values.put("trips", trips);
    store.write("driver_stats", List.of(new OnlineRow(EntityKey.of(driver), eventTime, values)));
  }

  @Test
  void reportsPresentNullAndNotFound() {
    write(1L, NOW.minusSeconds(10), 0.5, null);

    List<EntityFeatures> result = new OnlineFeatureReader(store, CLOCK)
        .read(view(Duration.ofHours(1)), List.of(EntityKey.of(1L), EntityKey.of(2L)));

    Map<String, FeatureValue> first = result.get(0).values();
    assertThat(first.keySet()).containsExactly("conv_rate", "trips", "city");
    assertThat(first.get("conv_rate"))
        .isEqualTo(new FeatureValue(0.5, FeatureStatus.PRESENT, NOW.minusSeconds(10)));
    assertThat(first.get("trips"))
        .isEqualTo(new FeatureValue(null, FeatureStatus.NULL_VALUE, NOW.minusSeconds(10)));
    // Declared but never written for this entity.
    assertThat(first.get("city").status()).isEqualTo(FeatureStatus.NOT_FOUND);
    assertThat(result.get(1).key()).isEqualTo(EntityKey.of(2L));
    assertThat(result.get(1).values().values())
        .allSatisfy(value -> assertThat(value)
            .isEqualTo(new FeatureValue(null, FeatureStatus.NOT_FOUND, null)));
  }

  @Test
  void valuesOlderThanTheTtlAreOutsideMaxAge() {
    write(1L, NOW.minus(Duration.ofHours(1)).minusNanos(1), 0.5, 3L);
    write(2L, NOW.minus(Duration.ofHours(1)), 0.7, 4L);

    List<EntityFeatures> result = new OnlineFeatureReader(store, CLOCK)
        .read(view(Duration.ofHours(1)), List.of(EntityKey.of(1L), EntityKey.of(2L)),
            List.of("trips"));

    assertThat(result.get(0).values().get("trips"))
        .isEqualTo(new FeatureValue(3L, FeatureStatus.OUTSIDE_MAX_AGE,
            NOW.minus(Duration.ofHours(1)).minusNanos(1)));
    // Exactly at the edge is still fresh: only eventTime + ttl < now expires.
    assertThat(result.get(1).values().get("trips").status()).isEqualTo(FeatureStatus.PRESENT);
  }

  @Test
  void aZeroTtlNeverExpires() {
    write(1L, Instant.parse("2000-01-01T00:00:00Z"), 0.5, 3L);

    FeatureValue value = new OnlineFeatureReader(store, CLOCK)
        .read(view(Duration.ZERO), List.of(EntityKey.of(1L)), List.of("conv_rate"))
        .get(0).values().get("conv_rate");

    assertThat(value.status()).isEqualTo(FeatureStatus.PRESENT);
  }

  @Test
  void theClockDecidesExpiry() {
    write(1L, NOW, 0.5, 3L);
    OnlineFeatureReader later = new OnlineFeatureReader(store,
        Clock.fixed(NOW.plus(Duration.ofDays(2)), ZoneOffset.UTC));

    assertThat(later.read(view(Duration.ofDays(1)), List.of(EntityKey.of(1L)))
        .get(0).values().get("conv_rate").status()).isEqualTo(FeatureStatus.OUTSIDE_MAX_AGE);
  }

  @Test
  void rejectsFeaturesTheViewDoesNotDeclare() {
    assertThatThrownBy(() -> new OnlineFeatureReader(store, CLOCK)
        .read(view(Duration.ZERO), List.of(EntityKey.of(1L)), List.of("conv_rate", "speed")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'speed'")
        .hasMessageContaining("[conv_rate, trips, city]");
  }
}
