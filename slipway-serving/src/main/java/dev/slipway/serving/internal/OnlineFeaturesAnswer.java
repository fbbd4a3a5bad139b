package dev.slipway.serving.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import dev.slipway.features.online.FeatureStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes Feast's online-features answer ({@code metadata.feature_names}, then one result per
 * entity column and per feature: values, statuses, event timestamps) into one byte array.
 *
 * <p>The answer's shape is fixed and most of its bytes repeat, so it is written from pre-encoded
 * pieces into a plain array: for 250 features, a JSON generator's bookkeeping (a context per
 * array, a check per token, a copy from its own buffer into ours) or a Netty buffer's checks on
 * each of its ~3000 small writes cost more than the values themselves. Jackson still
 * formats every number ({@link NumberOutput}, the shortest repr that reads back the same value)
 * and escapes every string it did not see at start ({@link JsonStringEncoder}), and the entity
 * values are echoed through Jackson as the request sent them.
 */
final class OnlineFeaturesAnswer {
  private static final byte[] METADATA_START = ascii("{\"metadata\":{\"feature_names\":[");
  private static final byte[] RESULTS_START = ascii("]},\"results\":[");
  private static final byte[] VALUES_START = ascii("{\"values\":");
  private static final byte[] STATUSES_START = ascii(",\"statuses\":[");
  private static final byte[] EVENT_TIMESTAMPS_START = ascii("],\"event_timestamps\":[");
  private static final byte[] RESULT_END = ascii("]}");
  private static final byte[] ANSWER_END = ascii("]}");
  private static final byte[] NULL = ascii("null");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");
  private static final byte[] EPOCH = quoted(Instant.EPOCH.toString());
  private static final byte[][] STATUS_NAMES = Arrays.stream(FeatureStatus.values())
      .map(status -> quoted(status.name())).toArray(byte[][]::new);

  /** Feature names as answered, quoted; only defined features get here, so the map stays small. */
  private final Map<String, byte[]> featureNames = new ConcurrentHashMap<>();

  /**
   * Writes the answer for {@code rows} rows: {@code entities} as the request sent them (join keys
   * and request fields, each an array), then {@code columns}, named by feature or, with {@code
   * fullNames}, by {@code view__feature}.
   */
  HttpData write(JsonNode entities, List<OnlineFeatureRetrieval.Column> columns, int rows,
      boolean fullNames) {
    Bytes out = new Bytes(256 + columns.size() * rows * 128);
    out.writeBytes(METADATA_START);
    boolean first = true;
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) entities::fields) {
      first = comma(out, first);
      out.writeBytes(quoted(field.getKey()));
    }
    for (OnlineFeatureRetrieval.Column column : columns) {
      first = comma(out, first);
      String name = fullNames ? column.ref().replace(":", "__") : column.feature();
      out.writeBytes(featureNames.computeIfAbsent(name, OnlineFeaturesAnswer::quoted));
    }
    out.writeBytes(RESULTS_START);
    first = true;
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) entities::fields) {
      first = comma(out, first);
      out.writeBytes(VALUES_START);
      out.writeBytes(echoed(field.getValue()));
      out.writeBytes(STATUSES_START);
      repeat(out, STATUS_NAMES[FeatureStatus.PRESENT.ordinal()], rows);
      out.writeBytes(EVENT_TIMESTAMPS_START);
      repeat(out, EPOCH, rows);
      out.writeBytes(RESULT_END);
    }
    // Columns of one view share their rows' event times (the same instances): each instant is
    // formatted once while it repeats.
    Instant lastTime = null;
    byte[] lastTimeText = EPOCH;
    for (OnlineFeatureRetrieval.Column column : columns) {
      first = comma(out, first);
      out.writeBytes(VALUES_START);
      out.writeByte('[');
      for (int row = 0; row < rows; row++) {
        comma(out, row == 0);
        writeValue(out, column.values()[row]);
      }
      out.writeByte(']');
      out.writeBytes(STATUSES_START);
      for (int row = 0; row < rows; row++) {
        comma(out, row == 0);
        out.writeBytes(STATUS_NAMES[column.statuses()[row].ordinal()]);
      }
      out.writeBytes(EVENT_TIMESTAMPS_START);
      for (int row = 0; row < rows; row++) {
        comma(out, row == 0);
        Instant time = column.eventTimes()[row];
        if (time != lastTime) {
          lastTime = time;
          lastTimeText = time == null ? EPOCH : quoted(time.toString());
        }
        out.writeBytes(lastTimeText);
      }
      out.writeBytes(RESULT_END);
    }
    out.writeBytes(ANSWER_END);
    return HttpData.wrap(out.array, 0, out.size);
  }

  /** Writes a comma unless {@code first}; gives what {@code first} is for the next element. */
  private static boolean comma(Bytes out, boolean first) {
    if (!first) {
      out.writeByte(',');
    }
    return false;
  }

  private static void repeat(Bytes out, byte[] element, int times) {
    for (int i = 0; i < times; i++) {
      comma(out, i == 0);
      out.writeBytes(element);
    }
  }

  /** A value as Jackson's generator writes it (non-finite numbers as strings, as it does). */
  private static void writeValue(Bytes out, Object value) {
    if (value == null) {
      out.writeBytes(NULL);
    } else if (value instanceof Float number) {
      writeNumber(out, NumberOutput.toString(number, true), Float.isFinite(number));
    } else if (value instanceof Double number) {
      writeNumber(out, NumberOutput.toString(number, true), Double.isFinite(number));
    } else if (value instanceof Long || value instanceof Integer) {
      out.writeAscii(value.toString());
    } else if (value instanceof Boolean flag) {
      out.writeBytes(flag ? TRUE : FALSE);
    } else {
      out.writeBytes(quoted(value.toString()));
    }
  }

  private static void writeNumber(Bytes out, String text, boolean finite) {
    if (finite) {
      out.writeAscii(text);
    } else {
      out.writeBytes(quoted(text));
    }
  }

  /** A growable array: no bounds or reference-count checks beyond the capacity test. */
  private static final class Bytes {
    private byte[] array;
    private int size;

    Bytes(int capacity) {
      array = new byte[capacity];
    }

    void writeByte(char ascii) {
      room(1);
      array[size++] = (byte) ascii;
    }

    void writeBytes(byte[] bytes) {
      room(bytes.length);
      System.arraycopy(bytes, 0, array, size, bytes.length);
      size += bytes.length;
    }

    /** Numbers and such: every char is ASCII. */
    void writeAscii(String text) {
      room(text.length());
      for (int i = 0; i < text.length(); i++) {
        array[size++] = (byte) text.charAt(i);
      }
    }

    private void room(int more) {
      if (size + more > array.length) {
        array = Arrays.copyOf(array, Math.max(array.length * 2, size + more));
      }
    }
  }

  private static byte[] echoed(JsonNode value) {
    try {
      return RestApi.JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      // A tree parsed from the request always writes back.
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] quoted(String text) {
    byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(text);
    byte[] quoted = new byte[escaped.length + 2];
    quoted[0] = '"';
    System.arraycopy(escaped, 0, quoted, 1, escaped.length);
    quoted[quoted.length - 1] = '"';
    return quoted;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
