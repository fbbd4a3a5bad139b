package dev.slipway.features.online.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowCodecTest {
  private static final Instant TIME = Instant.parse("2026-01-01T00:00:00.5Z");

  private static byte[] encoded() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("a", 1);
    values.put("b", null);
    values.put("größe", 2.5);
    values.put("c", "x");
    return RowCodec.encode("view", TIME, values);
  }

  @Test
  void decodesAllFeaturesInStoredOrder() {
    RowCodec.Decoded decoded = RowCodec.decode(encoded(), null);
    assertThat(decoded.eventTime()).isEqualTo(TIME);
    assertThat(decoded.values().keySet()).containsExactly("a", "b", "größe", "c");
  }

  @Test
  void decodesSubsetsInRequestOrderWhateverTheStoredOrder() {
    for (List<String> request : List.of(List.of("a", "b", "größe", "c"), List.of("a", "c"),
        List.of("c", "a"), List.of("größe"), List.of("c", "missing", "b"), List.of("a", "a"))) {
      Map<String, Object> values = RowCodec.decode(encoded(), request).values();
      assertThat(values.keySet()).as("request %s", request)
          .containsExactlyElementsOf(request.stream().distinct()
              .filter(name -> !name.equals("missing")).toList());
    }
    assertThat(RowCodec.decode(encoded(), List.of("größe", "b")).values())
        .containsEntry("größe", 2.5).containsEntry("b", null);
  }

  @Test
  void timePrefixesCompareInTimeOrder() {
    List<Instant> times = List.of(Instant.parse("1900-01-01T00:00:00Z"),
        Instant.EPOCH.minusNanos(1), Instant.EPOCH, Instant.EPOCH.plusNanos(1), TIME,
        Instant.parse("2300-01-01T00:00:00Z"));
    for (int i = 1; i < times.size(); i++) {
      assertThat(Arrays.compare(RowCodec.timePrefix(times.get(i - 1)),
          RowCodec.timePrefix(times.get(i)))).isNegative();
      assertThat(RowCodec.eventTime(RowCodec.timePrefix(times.get(i)))).isEqualTo(times.get(i));
    }
  }
}
