package dev.slipway.serving.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.slipway.core.DataType;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Open Inference Protocol JSON for inference requests and responses, read and written with
 * Jackson's streaming API straight into primitive arrays: no tree, no boxed number per element.
 * Fields may come in any order; {@code data} may be flat or nested.
 */
final class OipJson {
  /** A decoded inference request. */
  record InferRequest(String id, List<Tensor> inputs, List<String> outputs) {}

  private static final int MAX_NESTING = 32;
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
      .build();

  private OipJson() {}

  static JsonFactory factory() {
    return FACTORY;
  }

  /**
   * Decodes an inference request body.
   *
   * @throws InvalidInputException naming the field that is wrong and what was expected
   * @throws com.fasterxml.jackson.core.JsonProcessingException for malformed JSON
   */
  static InferRequest readInferRequest(byte[] body) throws IOException {
    try (JsonParser parser = FACTORY.createParser(body)) {
      expect(parser.nextToken(), JsonToken.START_OBJECT, "request body", "a JSON object");
      String id = null;
      List<Tensor> inputs = null;
      List<String> outputs = List.of();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "id":
            expect(value, JsonToken.VALUE_STRING, "id", "a string");
            id = parser.getText();
            break;
          case "parameters":
            expect(value, JsonToken.START_OBJECT, "parameters", "an object");
            parser.skipChildren();
            break;
          case "inputs":
            expect(value, JsonToken.START_ARRAY, "inputs", "an array of tensors");
            inputs = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
              inputs.add(readInput(parser, inputs.size()));
            }
            break;
          case "outputs":
            expect(value, JsonToken.START_ARRAY, "outputs", "an array of {\"name\": ...}");
            outputs = readRequestedOutputs(parser);
            break;
          default:
            throw new InvalidInputException("unknown field '" + field
                + "' in the request (expected id, parameters, inputs, outputs)");
        }
      }
      if (parser.nextToken() != null) {
        throw new InvalidInputException("request body: content after the JSON object");
      }
      if (inputs == null || inputs.isEmpty()) {
        throw new InvalidInputException("inputs: missing or empty (expected at least one tensor)");
      }
      return new InferRequest(id, inputs, outputs);
    }
  }

  private static List<String> readRequestedOutputs(JsonParser parser) throws IOException {
    List<String> names = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      String where = "outputs[" + names.size() + "]";
      expect(parser.currentToken(), JsonToken.START_OBJECT, where, "an object");
      String name = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("name")) {
          expect(value, JsonToken.VALUE_STRING, where + ".name", "a string");
          name = parser.getText();
        } else if (field.equals("parameters")) {
          expect(value, JsonToken.START_OBJECT, where + ".parameters", "an object");
          parser.skipChildren();
        } else {
          throw new InvalidInputException(
              "unknown field '" + field + "' in " + where + " (expected name, parameters)");
        }
      }
      if (name == null) {
        throw new InvalidInputException(where + ".name: missing");
      }
      names.add(name);
    }
    return names;
  }

  private static Tensor readInput(JsonParser parser, int index) throws IOException {
    String where = "inputs[" + index + "]";
    expect(parser.currentToken(), JsonToken.START_OBJECT, where, "an object");
    String name = null;
    long[] shape = null;
    DataType dataType = null;
    Object data = null;
    TokenBuffer earlyData = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      switch (field) {
        case "name":
          expect(value, JsonToken.VALUE_STRING, where + ".name", "a string");
          name = parser.getText();
          where = "input '" + name + "'";
          break;
        case "shape":
          expect(value, JsonToken.START_ARRAY, where + ".shape", "an array of integers");
          shape = readShape(parser, where);
          break;
        case "datatype":
          expect(value, JsonToken.VALUE_STRING, where + ".datatype", "a string");
          dataType = DataType.parse(parser.getText(), where + ".datatype");
          break;
        case "parameters":
          expect(value, JsonToken.START_OBJECT, where + ".parameters", "an object");
          parser.skipChildren();
          break;
        case "data":
          expect(value, JsonToken.START_ARRAY, where + ".data", "an array");
          if (dataType != null) {
            data = readData(parser, dataType, where, sizeHint(shape));
          } else {
            // The datatype comes later: keep the tokens and decode them once it is known.
            earlyData = new TokenBuffer(parser);
            earlyData.copyCurrentStructure(parser);
          }
          break;
        default:
          throw new InvalidInputException("unknown field '" + field + "' in " + where
              + " (expected name, shape, datatype, parameters, data)");
      }
    }
    if (name == null) {
      throw new InvalidInputException(where + ".name: missing");
    }
    if (shape == null) {
      throw new InvalidInputException(where + ": shape missing");
    }
    if (dataType == null) {
      throw new InvalidInputException(where + ": datatype missing");
    }
    if (earlyData != null) {
      try (JsonParser buffered = earlyData.asParser()) {
        buffered.nextToken();
        data = readData(buffered, dataType, where, sizeHint(shape));
      }
    }
    if (data == null) {
      throw new InvalidInputException(where + ": data missing");
    }
    int count = java.lang.reflect.Array.getLength(data);
    long expected = Tensor.elementCount(shape);
    if (count != expected) {
      throw new InvalidInputException(where + ": data has " + count + " elements (expected "
          + expected + " for shape " + Arrays.toString(shape) + ")");
    }
    return Tensor.of(name, dataType, shape, data);
  }

  private static long[] readShape(JsonParser parser, String where) throws IOException {
    long[] dims = new long[8];
    int rank = 0;
    long product = 1;
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token != JsonToken.VALUE_NUMBER_INT
          || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          || parser.getLongValue() < 0) {
        throw new InvalidInputException(
            where + ".shape: element " + rank + " is " + describe(parser, token)
                + " (expected a non-negative integer)");
      }
      if (rank == dims.length) {
        if (rank >= 64) {
          throw new InvalidInputException(where + ".shape: more than 64 dimensions");
        }
        dims = Arrays.copyOf(dims, rank * 2);
      }
      long dim = parser.getLongValue();
      product = dim == 0 ? 0 : (product > Integer.MAX_VALUE / dim ? Long.MAX_VALUE : product * dim);
      dims[rank++] = dim;
    }
    if (product > Integer.MAX_VALUE) {
      throw new InvalidInputException(where + ".shape: " + Arrays.toString(
          Arrays.copyOf(dims, rank)) + " holds more than " + Integer.MAX_VALUE + " elements");
    }
    return Arrays.copyOf(dims, rank);
  }

  private static int sizeHint(long[] shape) {
    if (shape == null) {
      return 16;
    }
    // The shape is only a claim: cap the up-front allocation, grow if the data really is bigger.
    return (int) Math.max(1, Math.min(Tensor.elementCount(shape), 1 << 16));
  }

  private static Object readData(JsonParser parser, DataType type, String where, int sizeHint)
      throws IOException {
    ElementSink sink = new ElementSink(type, where, sizeHint);
    readNested(parser, sink, 0);
    return sink.toArray();
  }

  private static void readNested(JsonParser parser, ElementSink sink, int depth)
      throws IOException {
    if (depth > MAX_NESTING) {
      throw new InvalidInputException(sink.where + ".data: nested deeper than " + MAX_NESTING);
    }
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == JsonToken.START_ARRAY) {
        readNested(parser, sink, depth + 1);
      } else {
        sink.add(parser, token);
      }
    }
  }

  /** Collects elements of one datatype into a growable primitive array. */
  private static final class ElementSink {
    private final DataType type;
    private final String where;
    private float[] floats;
    private double[] doubles;
    private long[] longs;
    private boolean[] booleans;
    private int count;

    ElementSink(DataType type, String where, int capacity) {
      this.type = type;
      this.where = where;
      switch (type) {
        case FP32 -> floats = new float[capacity];
        case FP64 -> doubles = new double[capacity];
        case BOOL -> booleans = new boolean[capacity];
        default -> longs = new long[capacity];
      }
    }

    void add(JsonParser parser, JsonToken token) throws IOException {
      switch (type) {
        case FP32:
          requireNumber(parser, token);
          if (count == floats.length) {
            floats = Arrays.copyOf(floats, count * 2);
          }
          floats[count++] = parser.getFloatValue();
          break;
        case FP64:
          requireNumber(parser, token);
          if (count == doubles.length) {
            doubles = Arrays.copyOf(doubles, count * 2);
          }
          doubles[count++] = parser.getDoubleValue();
          break;
        case BOOL:
          if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
            throw wrongElement(parser, token, "true or false");
          }
          if (count == booleans.length) {
            booleans = Arrays.copyOf(booleans, count * 2);
          }
          booleans[count++] = token == JsonToken.VALUE_TRUE;
          break;
        default:
          if (token != JsonToken.VALUE_NUMBER_INT
              || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw wrongElement(parser, token, "an integer in range for " + type);
          }
          long value = parser.getLongValue();
          if (!inRange(value)) {
            throw wrongElement(parser, token, "an integer in range for " + type);
          }
          if (count == longs.length) {
            longs = Arrays.copyOf(longs, count * 2);
          }
          longs[count++] = value;
      }
    }

    private boolean inRange(long value) {
      return switch (type) {
        case INT32 -> value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
        case INT8 -> value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE;
        case UINT8 -> value >= 0 && value <= 255;
        default -> true;
      };
    }

    private void requireNumber(JsonParser parser, JsonToken token) throws IOException {
      if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
        throw wrongElement(parser, token, "a number");
      }
    }

    private InvalidInputException wrongElement(JsonParser parser, JsonToken token, String expected)
        throws IOException {
      return new InvalidInputException(where + ": data element " + count + " is "
          + describe(parser, token) + " (expected " + expected + " for datatype " + type + ")");
    }

    Object toArray() {
      switch (type) {
        case FP32:
          return count == floats.length ? floats : Arrays.copyOf(floats, count);
        case FP64:
          return count == doubles.length ? doubles : Arrays.copyOf(doubles, count);
        case BOOL:
          return count == booleans.length ? booleans : Arrays.copyOf(booleans, count);
        case INT64:
          return count == longs.length ? longs : Arrays.copyOf(longs, count);
        case INT32: {
          int[] ints = new int[count];
          for (int i = 0; i < count; i++) {
            ints[i] = (int) longs[i];
          }
          return ints;
        }
        default: {
          byte[] bytes = new byte[count];
          for (int i = 0; i < count; i++) {
            bytes[i] = (byte) longs[i];
          }
          return bytes;
        }
      }
    }
  }

  private static String describe(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> "the string \"" + abbreviate(parser.getText()) + "\"";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + abbreviate(parser.getText());
      case VALUE_TRUE, VALUE_FALSE -> "the boolean " + parser.getText();
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  private static void expect(JsonToken actual, JsonToken expected, String where, String what)
      throws IOException {
    if (actual != expected) {
      throw new InvalidInputException(where + ": " + (actual == null ? "missing"
          : "got " + tokenName(actual)) + " (expected " + what + ")");
    }
  }

  private static String tokenName(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.name();
    };
  }

  /** Encodes an inference response; {@code data} is written flat, as the protocol allows. */
  static byte[] writeInferResponse(String id, InferenceService.Result result) {
    ByteArrayBuilder bytes = new ByteArrayBuilder(256);
    try (JsonGenerator json = FACTORY.createGenerator(bytes)) {
      json.writeStartObject();
      json.writeStringField("model_name", result.modelName());
      json.writeStringField("model_version", Long.toString(result.version()));
      if (id != null) {
        json.writeStringField("id", id);
      }
      json.writeArrayFieldStart("outputs");
      for (Tensor output : result.outputs()) {
        json.writeStartObject();
        json.writeStringField("name", output.name());
        json.writeStringField("datatype", output.dataType().name());
        json.writeArrayFieldStart("shape");
        for (long dim : output.shape()) {
          json.writeNumber(dim);
        }
        json.writeEndArray();
        json.writeFieldName("data");
        writeData(json, output);
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeData(JsonGenerator json, Tensor tensor) throws IOException {
    Object data = tensor.data();
    json.writeStartArray();
    switch (tensor.dataType()) {
      case FP32 -> {
        for (float value : (float[]) data) {
          json.writeNumber(value);
        }
      }
      case FP64 -> {
        for (double value : (double[]) data) {
          json.writeNumber(value);
        }
      }
      case INT64 -> {
        for (long value : (long[]) data) {
          json.writeNumber(value);
        }
      }
      case INT32 -> {
        for (int value : (int[]) data) {
          json.writeNumber(value);
        }
      }
      case BOOL -> {
        for (boolean value : (boolean[]) data) {
          json.writeBoolean(value);
        }
      }
      case INT8 -> {
        for (byte value : (byte[]) data) {
          json.writeNumber(value);
        }
      }
      case UINT8 -> {
        for (byte value : (byte[]) data) {
          json.writeNumber(value & 0xFF);
        }
      }
    }
    json.writeEndArray();
  }
}
