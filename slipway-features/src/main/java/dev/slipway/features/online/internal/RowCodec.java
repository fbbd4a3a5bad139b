package dev.slipway.features.online.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The compact binary form of one stored row, shared by the RocksDB and Redis stores.
 *
 * <p>Layout: 24 ASCII hex digits of the event time (16 for the epoch second with its sign bit
 * flipped, 8 for the nanosecond), then the feature count and per feature its UTF-8 name, a type
 * tag and the value. The event time is fixed-width hex so that plain byte-wise string comparison
 * orders it correctly; the Redis Lua script relies on that to apply the not-older rule without
 * decoding the value.
 */
public final class RowCodec {
  /** Length of the event-time prefix in bytes. */
  public static final int TIME_PREFIX_LENGTH = 24;

  private static final byte TAG_NULL = 0;
  private static final byte TAG_INT32 = 1;
  private static final byte TAG_INT64 = 2;
  private static final byte TAG_FLOAT32 = 3;
  private static final byte TAG_FLOAT64 = 4;
  private static final byte TAG_STRING = 5;
  private static final byte TAG_TRUE = 6;
  private static final byte TAG_FALSE = 7;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private RowCodec() {}

  /** A decoded row: its event time and the requested values (null values kept). */
  public record Decoded(Instant eventTime, Map<String, Object> values) {}

  public static byte[] encode(String featureView, Instant eventTime, Map<String, Object> values) {
    if (eventTime == null) {
      throw new IllegalArgumentException("feature view '" + featureView
          + "': row without event time (expected a non-null eventTime)");
    }
    byte[][] names = new byte[values.size()][];
    int size = TIME_PREFIX_LENGTH + 5;
    int index = 0;
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      names[index] = entry.getKey().getBytes(StandardCharsets.UTF_8);
      size += 5 + names[index].length + 1 + valueSize(featureView, entry.getKey(),
          entry.getValue());
      index++;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(timePrefix(eventTime));
    putVarInt(out, values.size());
    index = 0;
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      putVarInt(out, names[index].length);
      out.put(names[index]);
      putValue(out, entry.getValue());
      index++;
    }
    byte[] encoded = new byte[out.position()];
    out.flip();
    out.get(encoded);
    return encoded;
  }

  /** The event-time prefix on its own: comparable byte-wise, in time order. */
  public static byte[] timePrefix(Instant eventTime) {
    byte[] prefix = new byte[TIME_PREFIX_LENGTH];
    long seconds = eventTime.getEpochSecond() ^ Long.MIN_VALUE;
    for (int i = 0; i < 16; i++) {
      prefix[i] = HEX[(int) (seconds >>> (60 - 4 * i)) & 0xf];
    }
    int nanos = eventTime.getNano();
    for (int i = 0; i < 8; i++) {
      prefix[16 + i] = HEX[(nanos >>> (28 - 4 * i)) & 0xf];
    }
    return prefix;
  }

  public static Instant eventTime(byte[] encoded) {
    long seconds = 0;
    for (int i = 0; i < 16; i++) {
      seconds = (seconds << 4) | hexDigit(encoded[i]);
    }
    int nanos = 0;
    for (int i = 16; i < TIME_PREFIX_LENGTH; i++) {
      nanos = (nanos << 4) | hexDigit(encoded[i]);
    }
    return Instant.ofEpochSecond(seconds ^ Long.MIN_VALUE, nanos);
  }

  /**
   * Decodes only {@code features} (all when null), in the order asked for; a feature the row does
   * not hold is left out of the map, so callers can tell it from a stored null.
   */
  public static Decoded decode(byte[] encoded, List<String> features) {
    ByteBuffer in = ByteBuffer.wrap(encoded);
    in.position(TIME_PREFIX_LENGTH);
    int count = getVarInt(in);
    int expected = features == null ? count : features.size();
    Map<String, Object> inOrder = new LinkedHashMap<>(expected * 4 / 3 + 1);
    // Fast path: rows are written and read in the view's feature order, so the next stored name
    // usually is the next requested one; comparing bytes in place avoids building Strings.
    int next = 0;
    Map<String, Object> outOfOrder = null;
    Set<String> wanted = null;
    for (int i = 0; i < count; i++) {
      int nameLength = getVarInt(in);
      int nameStart = in.position();
      in.position(nameStart + nameLength);
      if (features != null && next < features.size()
          && sameName(encoded, nameStart, nameLength, features.get(next))) {
        inOrder.put(features.get(next++), getValue(in));
        continue;
      }
      String name = new String(encoded, nameStart, nameLength, StandardCharsets.UTF_8);
      if (features == null) {
        inOrder.put(name, getValue(in));
        continue;
      }
      if (wanted == null) {
        wanted = new HashSet<>(features);
        outOfOrder = new HashMap<>();
      }
      if (wanted.contains(name)) {
        outOfOrder.put(name, getValue(in));
      } else {
        skipValue(in);
      }
    }
    if (features == null || next == features.size()) {
      return new Decoded(eventTime(encoded), inOrder);
    }
    Map<String, Object> ordered = new LinkedHashMap<>(expected * 4 / 3 + 1);
    for (String feature : features) {
      if (inOrder.containsKey(feature)) {
        ordered.put(feature, inOrder.get(feature));
      } else if (outOfOrder != null && outOfOrder.containsKey(feature)) {
        ordered.put(feature, outOfOrder.get(feature));
      }
    }
    return new Decoded(eventTime(encoded), ordered);
  }

  /** Whether the UTF-8 bytes spell {@code name}; false (the slow path decides) for non-ASCII. */
  private static boolean sameName(byte[] bytes, int start, int length, String name) {
    if (name.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      byte current = bytes[start + i];
      if (current < 0 || current != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int valueSize(String featureView, String feature, Object value) {
    if (value == null || value instanceof Boolean) {
      return 0;
    } else if (value instanceof Integer || value instanceof Float) {
      return 4;
    } else if (value instanceof Long || value instanceof Double) {
      return 8;
    } else if (value instanceof String text) {
      // UTF-8 takes at most 3 bytes per UTF-16 char.
      return 5 + 3 * text.length();
    }
    throw new IllegalArgumentException("feature view '" + featureView + "', feature '" + feature
        + "': value of type " + value.getClass().getName()
        + " (expected Integer, Long, Float, Double, String, Boolean or null)");
  }

  private static void putValue(ByteBuffer out, Object value) {
    if (value == null) {
      out.put(TAG_NULL);
    } else if (value instanceof Integer number) {
      out.put(TAG_INT32).putInt(number);
    } else if (value instanceof Long number) {
      out.put(TAG_INT64).putLong(number);
    } else if (value instanceof Float number) {
      out.put(TAG_FLOAT32).putFloat(number);
    } else if (value instanceof Double number) {
      out.put(TAG_FLOAT64).putDouble(number);
    } else if (value instanceof String text) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      out.put(TAG_STRING);
      putVarInt(out, bytes.length);
      out.put(bytes);
    } else {
      out.put((Boolean) value ? TAG_TRUE : TAG_FALSE);
    }
  }

  private static Object getValue(ByteBuffer in) {
    byte tag = in.get();
    switch (tag) {
      case TAG_NULL:
        return null;
      case TAG_INT32:
        return in.getInt();
      case TAG_INT64:
        return in.getLong();
      case TAG_FLOAT32:
        return in.getFloat();
      case TAG_FLOAT64:
        return in.getDouble();
      case TAG_STRING:
        int length = getVarInt(in);
        String text = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return text;
      case TAG_TRUE:
        return Boolean.TRUE;
      case TAG_FALSE:
        return Boolean.FALSE;
      default:
        throw new IllegalStateException("stored row: type tag " + tag + " (expected 0..7); the "
            + "online store holds data this version cannot read");
    }
  }

  private static void skipValue(ByteBuffer in) {
    byte tag = in.get();
    if (tag == TAG_INT32 || tag == TAG_FLOAT32) {
      in.position(in.position() + 4);
    } else if (tag == TAG_INT64 || tag == TAG_FLOAT64) {
      in.position(in.position() + 8);
    } else if (tag == TAG_STRING) {
      int length = getVarInt(in);
      in.position(in.position() + length);
    }
  }

  private static void putVarInt(ByteBuffer out, int value) {
    while ((value & ~0x7f) != 0) {
      out.put((byte) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.put((byte) value);
  }

  private static int getVarInt(ByteBuffer in) {
    int value = 0;
    int shift = 0;
    byte current;
    do {
      current = in.get();
      value |= (current & 0x7f) << shift;
      shift += 7;
    } while ((current & 0x80) != 0);
    return value;
  }

  private static int hexDigit(byte digit) {
    return digit <= '9' ? digit - '0' : digit - 'a' + 10;
  }
}
