package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import dev.slipway.serving.grpc.InferParameter;
import dev.slipway.serving.grpc.InferTensorContents;
import dev.slipway.serving.grpc.ModelInferRequest;
import dev.slipway.serving.grpc.ModelInferResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Throws thousands of seeded, malformed requests at a running server. Whatever a client sends,
 * the answer must be a 4xx with a JSON {@code {"error": "..."}}, never a 5xx: a 5xx pages an
 * operator for a client's mistake, and usually means an unchecked path in a decoder.
 *
 * <p>The seed is fixed so that a failure reproduces, and printed; {@code -Dslipway.fuzz.seed=N}
 * runs another one.
 */
class FuzzTest extends BreastCancerServerTest {
  private static final long DEFAULT_SEED = 20_260_523L;
  private static final int REST_REQUESTS = 3000;
  private static final int GRPC_REQUESTS = 400;
  /** Each fuzz loop also stops after this long, so a slow machine cannot stall the build. */
  private static final Duration TIME_BUDGET = Duration.ofSeconds(40);
  private static final int PROBLEMS_SHOWN = 20;

  static long seed;

  @BeforeAll
  static void chooseSeed() {
    seed = Long.getLong("slipway.fuzz.seed", DEFAULT_SEED);
    System.out.println("FuzzTest seed " + seed + " (rerun with -Dslipway.fuzz.seed=" + seed + ")");
  }

  // ---------------------------------------------------------------------------------------------
  // REST

  /**
   * One fuzzed HTTP request. {@code mayScore} marks mutations that can leave a valid request (a
   * flipped digit is still a number), which may then be answered 200; every other case is
   * malformed by construction and must get a 4xx. {@code raw} requests go over a plain socket
   * because no well-behaved client would send them (unknown methods, unnormalized paths).
   */
  private record RestCase(String kind, String method, String path, byte[] body,
      String contentType, boolean mayScore, boolean raw) {}

  private record Answer(int status, String contentType, byte[] body) {}

  @Test
  void restFuzz_everyMalformedRequestGets4xxWithJsonError() {
    Random random = new Random(seed);
    List<String> problems = new ArrayList<>();
    Map<String, Map<Integer, Integer>> statusesByKind = new TreeMap<>();
    long deadline = System.nanoTime() + TIME_BUDGET.toNanos();
    int sent = 0;
    for (; sent < REST_REQUESTS && System.nanoTime() < deadline; sent++) {
      RestCase request = nextRestCase(random);
      Answer answer = request.raw() ? sendRaw(request) : send(request);
      statusesByKind.computeIfAbsent(request.kind(), kind -> new TreeMap<>())
          .merge(answer.status(), 1, Integer::sum);
      String problem = problemWith(request, answer);
      if (problem != null) {
        problems.add("#" + sent + " " + problem);
      }
    }
    System.out.println("REST fuzz: " + sent + " requests, statuses by kind: " + statusesByKind);

    assertThat(sent).as("requests sent within %s", TIME_BUDGET).isGreaterThanOrEqualTo(1000);
    assertThat(problems).as("%d of %d answers broke the rules; first ones:%n%s", problems.size(),
        sent, String.join("\n", problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size()))))
        .isEmpty();
    assertStillScoresRowZeroOverRest();
  }

  private static String problemWith(RestCase request, Answer answer) {
    String what = request.kind() + ": " + request.method() + " " + abbreviate(request.path())
        + " body " + abbreviate(printable(request.body())) + " -> " + answer.status() + " "
        + abbreviate(new String(answer.body(), StandardCharsets.UTF_8));
    if (answer.status() >= 500) {
      return "server error for " + what;
    }
    if (request.mayScore() && answer.status() == 200) {
      JsonNode outputs = parse(answer.body()).path("outputs");
      return outputs.isArray() && outputs.size() == 1 ? null : "200 without outputs for " + what;
    }
    if (answer.status() < 400) {
      return "not a 4xx for " + what;
    }
    if (request.method().equals("HEAD")) {
      // A HEAD answer has no body by definition of HTTP.
      return answer.body().length == 0 ? null : "HEAD answer with a body for " + what;
    }
    if (answer.contentType() == null || !answer.contentType().startsWith("application/json")) {
      return "content type " + answer.contentType() + " for " + what;
    }
    JsonNode error = parse(answer.body()).path("error");
    return error.isTextual() && !error.asText().isBlank() ? null : "no error text for " + what;
  }

  private RestCase nextRestCase(Random random) {
    return switch (random.nextInt(17)) {
      case 0, 1, 2 -> byteMutation(random);
      case 3, 4 -> wrongType(random);
      case 5 -> missingField(random);
      case 6 -> unknownField(random);
      case 7 -> badShape(random);
      case 8 -> deepNesting(random);
      case 9 -> garbage(random);
      case 10 -> emptyBody(random);
      case 11 -> badDatatype(random);
      case 12 -> nanLikeNumber(random);
      case 13 -> duplicatedInput(random);
      case 14 -> unknownModelOrVersion(random);
      case 15 -> badMethodOrPath(random);
      default -> oddButValid(random);
    };
  }

  private static RestCase infer(String kind, byte[] body, boolean mayScore) {
    return new RestCase(kind, "POST", "/v2/models/bc/infer", body, "application/json", mayScore,
        false);
  }

  private static RestCase infer(String kind, String body) {
    return infer(kind, body.getBytes(StandardCharsets.UTF_8), false);
  }

  /** A valid request for one random row, as a tree to break. */
  private ObjectNode validTree(Random random) {
    ObjectNode body = ServingFixture.JSON.createObjectNode().put("id", "fuzz");
    body.putObject("parameters");
    ObjectNode input = body.putArray("inputs").addObject()
        .put("name", "input").put("datatype", "FP32");
    input.putArray("shape").add(1).add(30);
    input.putObject("parameters");
    ArrayNode data = input.putArray("data");
    for (float value : rows[random.nextInt(rows.length)]) {
      data.add(value);
    }
    body.putArray("outputs").addObject().put("name", "probabilities").putObject("parameters");
    return body;
  }

  private static ObjectNode firstInput(ObjectNode body) {
    return (ObjectNode) body.get("inputs").get(0);
  }

  private static byte[] utf8(Object text) {
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static final String[] INSERTS = {"{", "}", "[", "]", "\"", ",", ":", "null", "true",
      "-", "e", ".", "\\", "\\u0000", "\\ud800", "\u0000", "\u00ff", "\ud83d\ude00", "1e999",
      "NaN", " ", "\n", "\"inputs\":", "[[[[", "}}}}", "\"data\":[1,2]"};

  private RestCase byteMutation(Random random) {
    byte[] body = utf8(validTree(random));
    int operations = 1 + random.nextInt(4);
    for (int i = 0; i < operations; i++) {
      body = mutateBytes(random, body);
    }
    return infer("byte-mutation", body, true);
  }

  private static byte[] mutateBytes(Random random, byte[] body) {
    if (body.length == 0) {
      return utf8(INSERTS[random.nextInt(INSERTS.length)]);
    }
    int at = random.nextInt(body.length);
    byte[] copy = body.clone();
    switch (random.nextInt(6)) {
      case 0 -> copy[at] ^= (byte) (1 << random.nextInt(8));
      case 1 -> copy[at] = (byte) random.nextInt(256);
      case 2 -> copy = Arrays.copyOf(body, at);
      case 3 -> {
        byte[] insert = random.nextBoolean() ? utf8(INSERTS[random.nextInt(INSERTS.length)])
            : randomBytes(random, 1 + random.nextInt(8));
        copy = concat(Arrays.copyOf(body, at), insert, Arrays.copyOfRange(body, at, body.length));
      }
      case 4 -> {
        int end = Math.min(body.length, at + 1 + random.nextInt(40));
        copy = concat(Arrays.copyOf(body, at), Arrays.copyOfRange(body, end, body.length));
      }
      default -> {
        int end = Math.min(body.length, at + 1 + random.nextInt(40));
        copy = concat(Arrays.copyOf(body, end), Arrays.copyOfRange(body, at, body.length));
      }
    }
    return copy;
  }

  /** JSON type classes; integers and floats differ because shapes need integers. */
  private enum JsonKind { NULL, BOOLEAN, INTEGER, FLOAT, STRING, ARRAY, OBJECT }

  private static final List<JsonNode> SAMPLE_VALUES = List.of(NullNode.getInstance(),
      BooleanNode.TRUE, BooleanNode.FALSE, IntNode.valueOf(0), IntNode.valueOf(-1),
      LongNode.valueOf(Long.MAX_VALUE), DoubleNode.valueOf(2.5), DoubleNode.valueOf(1.0),
      TextNode.valueOf(""), TextNode.valueOf("FP32"), TextNode.valueOf("input"),
      TextNode.valueOf("1"), tree("[]"), tree("[1]"), tree("[\"input\"]"), tree("[[30]]"),
      tree("{}"), tree("{\"name\":\"input\"}"), tree("{\"shape\":[1,30]}"));

  private static JsonKind kindOf(JsonNode node) {
    if (node.getNodeType() == JsonNodeType.NUMBER) {
      return node.isIntegralNumber() ? JsonKind.INTEGER : JsonKind.FLOAT;
    }
    return switch (node.getNodeType()) {
      case NULL -> JsonKind.NULL;
      case BOOLEAN -> JsonKind.BOOLEAN;
      case STRING -> JsonKind.STRING;
      case ARRAY -> JsonKind.ARRAY;
      default -> JsonKind.OBJECT;
    };
  }

  /** A sample value of none of the {@code accepted} kinds. */
  private static JsonNode wrongValue(Random random, JsonKind... accepted) {
    Set<JsonKind> acceptedKinds = Set.of(accepted);
    List<JsonNode> wrong = SAMPLE_VALUES.stream()
        .filter(value -> !acceptedKinds.contains(kindOf(value))).toList();
    return wrong.get(random.nextInt(wrong.size())).deepCopy();
  }

  /** Replaces one field, anywhere in the request, by a value of a type it never accepts. */
  private RestCase wrongType(Random random) {
    ObjectNode body = validTree(random);
    ObjectNode input = firstInput(body);
    ObjectNode output = (ObjectNode) body.get("outputs").get(0);
    switch (random.nextInt(16)) {
      case 0 -> body.set("id", wrongValue(random, JsonKind.STRING));
      case 1 -> body.set("parameters", wrongValue(random, JsonKind.OBJECT));
      case 2 -> body.set("inputs", wrongValue(random, JsonKind.ARRAY));
      case 3 -> ((ArrayNode) body.get("inputs")).set(0, wrongValue(random, JsonKind.OBJECT));
      case 4 -> input.set("name", wrongValue(random, JsonKind.STRING));
      case 5 -> input.set("shape", wrongValue(random, JsonKind.ARRAY));
      case 6 -> ((ArrayNode) input.get("shape"))
          .set(random.nextInt(2), wrongValue(random, JsonKind.INTEGER));
      case 7 -> input.set("datatype", wrongValue(random, JsonKind.STRING));
      case 8 -> input.set("parameters", wrongValue(random, JsonKind.OBJECT));
      case 9 -> input.set("data", wrongValue(random, JsonKind.ARRAY));
      // Nested arrays are legal data, so an array element is not a wrong type there.
      case 10 -> ((ArrayNode) input.get("data")).set(random.nextInt(30),
          wrongValue(random, JsonKind.INTEGER, JsonKind.FLOAT, JsonKind.ARRAY));
      case 11 -> body.set("outputs", wrongValue(random, JsonKind.ARRAY));
      case 12 -> ((ArrayNode) body.get("outputs")).set(0, wrongValue(random, JsonKind.OBJECT));
      case 13 -> output.set("name", wrongValue(random, JsonKind.STRING));
      case 14 -> output.set("parameters", wrongValue(random, JsonKind.OBJECT));
      default -> {
        return infer("wrong-type", wrongValue(random, JsonKind.OBJECT).toString());
      }
    }
    return infer("wrong-type", body.toString());
  }

  private RestCase missingField(Random random) {
    ObjectNode body = validTree(random);
    switch (random.nextInt(7)) {
      case 0 -> body.remove("inputs");
      case 1 -> body.putArray("inputs");
      case 2 -> firstInput(body).remove("name");
      case 3 -> firstInput(body).remove("shape");
      case 4 -> firstInput(body).remove("datatype");
      case 5 -> firstInput(body).remove("data");
      default -> ((ObjectNode) body.get("outputs").get(0)).remove("name");
    }
    return infer("missing-field", body.toString());
  }

  private static final Set<String> ROOT_FIELDS = Set.of("id", "parameters", "inputs", "outputs");
  private static final Set<String> INPUT_FIELDS =
      Set.of("name", "shape", "datatype", "parameters", "data");
  private static final Set<String> OUTPUT_FIELDS = Set.of("name", "parameters");
  private static final String[] UNKNOWN_KEYS = {"Inputs", "input", "model_name",
      "raw_input_contents", "binary_data_size", "", "\u0000", "id ", "DATA", "contents",
      "__proto__", "\ud83d\ude00"};

  private RestCase unknownField(Random random) {
    ObjectNode body = validTree(random);
    String key = random.nextBoolean() ? UNKNOWN_KEYS[random.nextInt(UNKNOWN_KEYS.length)]
        : randomText(random, 1 + random.nextInt(12));
    JsonNode value = SAMPLE_VALUES.get(random.nextInt(SAMPLE_VALUES.size())).deepCopy();
    ObjectNode target;
    Set<String> allowed;
    switch (random.nextInt(3)) {
      case 0 -> {
        target = body;
        allowed = ROOT_FIELDS;
      }
      case 1 -> {
        target = firstInput(body);
        allowed = INPUT_FIELDS;
      }
      default -> {
        target = (ObjectNode) body.get("outputs").get(0);
        allowed = OUTPUT_FIELDS;
      }
    }
    if (allowed.contains(key)) {
      key = key + "_unknown";
    }
    target.set(key, value);
    return infer("unknown-field", body.toString());
  }

  private static final Object[] DIMENSIONS = {-1, -30, 0, 1, 2, 29, 30, 31, 569,
      Integer.MAX_VALUE, 1L << 31, 1L << 32, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE,
      BigInteger.TWO.pow(64), BigInteger.TWO.pow(70).negate(), 1.5, 30.0, "30", "1e3"};

  private RestCase badShape(Random random) {
    ObjectNode body = validTree(random);
    ArrayNode shape = firstInput(body).putArray("shape");
    int rank = random.nextInt(10) == 0 ? 60 + random.nextInt(20) : random.nextInt(5);
    for (int i = 0; i < rank; i++) {
      addDimension(shape, DIMENSIONS[random.nextInt(DIMENSIONS.length)]);
    }
    if (shape.toString().equals("[1,30]")) {
      // The one valid shape for 30 elements; anything else must be refused.
      shape.removeAll().add(30).add(1);
    }
    return infer("bad-shape", body.toString());
  }

  private static void addDimension(ArrayNode shape, Object dimension) {
    if (dimension instanceof Integer value) {
      shape.add(value);
    } else if (dimension instanceof Long value) {
      shape.add(value);
    } else if (dimension instanceof BigInteger value) {
      shape.add(value);
    } else if (dimension instanceof Double value) {
      shape.add(value);
    } else {
      shape.add((String) dimension);
    }
  }

  private RestCase deepNesting(Random random) {
    String values = firstInput(validTree(random)).get("data").toString();
    values = values.substring(1, values.length() - 1);
    // Data deeper than the decoder's 32 levels, and bodies past Jackson's nesting limit of 64.
    int depth = 33 + random.nextInt(3000);
    String body = switch (random.nextInt(5)) {
      case 0 -> "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,30],\"datatype\":\"FP32\","
          + "\"data\":" + "[".repeat(depth) + values + "]".repeat(depth) + "}]}";
      // Data before datatype takes the buffered path through the decoder.
      case 1 -> "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,30],\"data\":"
          + "[".repeat(depth) + values + "]".repeat(depth) + ",\"datatype\":\"FP32\"}]}";
      case 2 -> "{\"parameters\":" + "{\"a\":".repeat(depth + 40) + "1" + "}".repeat(depth + 40)
          + "," + validTree(random).toString().substring(1);
      case 3 -> "[".repeat(depth) + "]".repeat(depth);
      default -> "{\"inputs\":" + "[".repeat(depth);
    };
    return infer("deep-nesting", body);
  }

  private static final String[] NOT_JSON = {"<infer><input/></infer>", "inputs=1&shape=1,30",
      "GET / HTTP/1.1", "{", "}", "[", "]", "\"", "'{'", "{'inputs': []}", "{inputs: []}",
      "/* comment */ {}", "// comment\n{}", "NaN", "undefined", "\u0000", "{}}", "{\"inputs\"}",
      "{\"inputs\":}", "{,}", "{\"inputs\":[],}", "null", "true", "0", "-1", "1.5", "\"text\"",
      "[]", "[{}]", "{}", "{\"inputs\":[{}]}", "{\"inputs\":[null]}", "\ufeff", "{\"id\":\"\\x\"}"};

  private RestCase garbage(Random random) {
    byte[] body = switch (random.nextInt(6)) {
      case 0 -> randomBytes(random, 1 + random.nextInt(2000));
      case 1 -> utf8(randomText(random, 1 + random.nextInt(500)));
      case 2 -> utf8(NOT_JSON[random.nextInt(NOT_JSON.length)]);
      // Byte-order marks and zero bytes make Jackson guess UTF-16 or UTF-32.
      case 3 -> concat(new byte[] {0, 0, (byte) 0xFE, (byte) 0xFF},
          randomBytes(random, 4 * (1 + random.nextInt(20))));
      case 4 -> concat(new byte[] {0, 0, 0, '{'}, randomBytes(random, 1 + random.nextInt(80)));
      default -> concat(new byte[][] {{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
          {(byte) 0xFF, (byte) 0xFE}, {(byte) 0xFE, (byte) 0xFF}, {(byte) 0xED, (byte) 0xA0,
          (byte) 0x80}, {(byte) 0xC0, (byte) 0x80}}[random.nextInt(5)],
          randomBytes(random, random.nextInt(60)));
    };
    return infer("garbage", body, false);
  }

  private static final String[] BLANK_BODIES = {"", " ", "\n", "\r\n", "\t \n "};
  private static final String[] CONTENT_TYPES = {"application/json", null, "text/plain",
      "application/x-www-form-urlencoded", "application/octet-stream",
      "multipart/form-data; boundary=x", "application/json; charset=utf-16"};

  private RestCase emptyBody(Random random) {
    String body = BLANK_BODIES[random.nextInt(BLANK_BODIES.length)];
    return new RestCase("empty-body", "POST", "/v2/models/bc/infer", utf8(body),
        CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)], false, false);
  }

  private static final String[] DATATYPES = {"FP16", "BF16", "BYTES", "INT16", "UINT16",
      "UINT32", "UINT64", "FP64", "INT64", "INT32", "INT8", "UINT8", "BOOL", "", " FP32",
      "FP32 ", "float32", "float", "FP3", "FP322", "\uff26\uff30\uff13\uff12", "FP32\u0000",
      "TYPE_FP32", "fp64"};

  private RestCase badDatatype(Random random) {
    ObjectNode body = validTree(random);
    firstInput(body).put("datatype", DATATYPES[random.nextInt(DATATYPES.length)]);
    return infer("bad-datatype", body.toString());
  }

  private static final String[] NAN_STRINGS = {"NaN", "nan", "Infinity", "-Infinity", "inf",
      "1e999", "", " 1", "0x1F", "1,5", "null", "true", "\u00bd", "\u0661"};
  private static final String[] BAD_NUMBER_TOKENS = {"NaN", "-NaN", "Infinity", "-Infinity",
      "+Infinity", "+1", ".5", "5.", "01", "-01", "0x1F", "1e", "1e+", "--1", "1_000", "1..2",
      "\u221e", "undefined", "-"};
  private static final String PLACEHOLDER = "@@value@@";

  private RestCase nanLikeNumber(Random random) {
    ObjectNode body = validTree(random);
    ArrayNode data = (ArrayNode) firstInput(body).get("data");
    int replaced = 1 + random.nextInt(3);
    if (random.nextBoolean()) {
      for (int i = 0; i < replaced; i++) {
        data.set(random.nextInt(30),
            TextNode.valueOf(NAN_STRINGS[random.nextInt(NAN_STRINGS.length)]));
      }
      return infer("nan-like", body.toString());
    }
    // Tokens that are not JSON numbers can only be written as text.
    data.set(random.nextInt(30), TextNode.valueOf(PLACEHOLDER));
    String token = BAD_NUMBER_TOKENS[random.nextInt(BAD_NUMBER_TOKENS.length)];
    return infer("nan-like", body.toString().replace("\"" + PLACEHOLDER + "\"", token));
  }

  private RestCase duplicatedInput(Random random) {
    ObjectNode body = validTree(random);
    ArrayNode inputs = (ArrayNode) body.get("inputs");
    ObjectNode copy = inputs.get(0).deepCopy();
    if (random.nextBoolean()) {
      // Same name with another row: the server must not pick one silently.
      ArrayNode data = copy.putArray("data");
      for (float value : rows[random.nextInt(rows.length)]) {
        data.add(value);
      }
    }
    int copies = 1 + random.nextInt(3);
    for (int i = 0; i < copies; i++) {
      inputs.add(copy.deepCopy());
    }
    return infer("duplicated-input", body.toString());
  }

  // No ';' in versions or names: Armeria drops a path segment's ";matrix" part before routing,
  // even sent as %3B, so "versions/1;2" reaches version 1 as a legitimate request would.
  private static final String[] BAD_VERSIONS = {"0", "-1", "01", "001", "1.0", "1e0", "0x1",
      "+1", " 1", "1 ", "abc", "2", "10", "9223372036854775807", "9223372036854775808",
      "999999999999999999", "99999999999999999999999999", "\uff11", "\u0661", "null", "latest",
      "v1", "%", "1%2F2"};
  private static final String NAME_CHARACTERS =
      "abcdefgXYZ0189_-.~!$&'()*+,=:@% /\\?#[]\"<>{}|^`\u00e9\u6a21\ud83d\ude00";

  private String randomModelName(Random random) {
    int length = random.nextInt(10) == 0 ? 129 + random.nextInt(200) : 1 + random.nextInt(12);
    StringBuilder name = new StringBuilder();
    while (name.length() < length) {
      int at = random.nextInt(NAME_CHARACTERS.length());
      char c = NAME_CHARACTERS.charAt(at);
      if (Character.isHighSurrogate(c)) {
        name.append(c).append(NAME_CHARACTERS.charAt(at + 1));
      } else if (!Character.isLowSurrogate(c)) {
        name.append(c);
      }
    }
    return name.toString().equals("bc") ? "bcd" : name.toString();
  }

  private RestCase unknownModelOrVersion(Random random) {
    byte[] valid = utf8(validTree(random));
    String model = pathSegment(randomModelName(random));
    String version = pathSegment(BAD_VERSIONS[random.nextInt(BAD_VERSIONS.length)]);
    return switch (random.nextInt(6)) {
      case 0 -> new RestCase("unknown-model", "POST", "/v2/models/" + model + "/infer", valid,
          "application/json", false, false);
      case 1 -> new RestCase("unknown-model", "POST",
          "/v2/models/" + model + "/versions/1/infer", valid, "application/json", false, false);
      case 2 -> new RestCase("bad-version", "POST",
          "/v2/models/bc/versions/" + version + "/infer", valid, "application/json", false, false);
      case 3 -> new RestCase("unknown-model", "GET", "/v2/models/" + model
          + (random.nextBoolean() ? "" : "/ready"), new byte[0], null, false, false);
      case 4 -> new RestCase("bad-version", "GET", "/v2/models/bc/versions/" + version
          + (random.nextBoolean() ? "" : "/ready"), new byte[0], null, false, false);
      // Repository calls for models that do not exist or cannot exist; never "bc" itself, so
      // that the model under test stays loaded.
      default -> new RestCase("unknown-model", "POST", "/v2/repository/models/" + model
          + (random.nextBoolean() ? "/load" : "/unload"), new byte[0], null, false, false);
    };
  }

  private static final String[] ARMERIA_METHODS =
      {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "HEAD", "CONNECT"};
  private static final String[] RAW_METHODS = {"BREW", "FOO", "P0ST", "post", "Post", "PROPFIND",
      "POST\u0001", "GET /x"};
  private static final String[][] WRONG_METHOD_ROUTES = {{"POST", "/v2/health/live"},
      {"DELETE", "/metrics"}, {"GET", "/v2/repository/index"},
      {"GET", "/v2/repository/models/bc/load"}, {"PUT", "/v2"}, {"POST", "/v2/models/bc"},
      {"POST", "/v2/models/bc/ready"}};
  private static final String[] RAW_PATHS = {"/v2/models/%2e%2e/infer",
      "/v2/models/../../etc/passwd", "/v2/models/a%00b/infer", "/v2/models/bc/infer/",
      "/v2/models/bc//infer", "/v2/models/bc/infer?%zz", "/v2/models/%/infer",
      "/v2/models/bc/infer#fragment", "/v2/models/bc%2Finfer", "/V2/MODELS/BC/INFER",
      "/v2/models/bc/infer/../infer", "/v2/models/bc/versions/1/../../bc/infer", "*",
      "/v2/models/\u00e9/infer"};

  private RestCase badMethodOrPath(Random random) {
    // Bodies are "{}": even a path the server normalizes back to the infer route gets a 4xx.
    byte[] body = utf8("{}");
    switch (random.nextInt(5)) {
      case 0: {
        String path =
            random.nextBoolean() ? "/v2/models/bc/infer" : "/v2/models/bc/versions/1/infer";
        return new RestCase("bad-method", ARMERIA_METHODS[random.nextInt(ARMERIA_METHODS.length)],
            path, utf8(validTree(random)), "application/json", false, false);
      }
      case 1: {
        String[] route = WRONG_METHOD_ROUTES[random.nextInt(WRONG_METHOD_ROUTES.length)];
        return new RestCase("bad-method", route[0], route[1], body, "application/json", false,
            false);
      }
      case 2:
        return new RestCase("bad-method", RAW_METHODS[random.nextInt(RAW_METHODS.length)],
            "/v2/models/bc/infer", body, "application/json", false, true);
      case 3:
        return new RestCase("bad-path", "POST", RAW_PATHS[random.nextInt(RAW_PATHS.length)], body,
            "application/json", false, true);
      default:
        return new RestCase("bad-path", "POST",
            "/v2/fuzz/" + pathSegment(randomModelName(random)), body, "application/json", false,
            false);
    }
  }

  private static final Charset[] CHARSETS = {StandardCharsets.UTF_16, StandardCharsets.UTF_16BE,
      StandardCharsets.UTF_16LE, Charset.forName("UTF-32BE"), Charset.forName("UTF-32LE")};
  private static final String[] ODD_NUMBERS = {"1e999", "-1e999", "1e-999", "-0", "-0.0", "1E+2",
      "1e308", "4.9e-324", "1e999999999999", "123456789012345678901234567890",
      "1" + "0".repeat(1200)};

  /** Unusual but legal requests: may score, must never be a 5xx. */
  private RestCase oddButValid(Random random) {
    ObjectNode tree = validTree(random);
    return switch (random.nextInt(5)) {
      case 0 -> infer("odd-but-valid", tree.toString()
          .getBytes(CHARSETS[random.nextInt(CHARSETS.length)]), true);
      case 1 -> new RestCase("odd-but-valid", "POST", "/v2/models/bc/infer", utf8(tree),
          CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)], true, false);
      case 2 -> {
        firstInput(tree).put("datatype", random.nextBoolean() ? "fp32" : "Fp32");
        yield infer("odd-but-valid", utf8(tree), true);
      }
      case 3 -> {
        ((ArrayNode) firstInput(tree).get("data"))
            .set(random.nextInt(30), TextNode.valueOf(PLACEHOLDER));
        String number = ODD_NUMBERS[random.nextInt(ODD_NUMBERS.length)];
        yield infer("odd-but-valid",
            utf8(tree.toString().replace("\"" + PLACEHOLDER + "\"", number)), true);
      }
      default -> infer("odd-but-valid",
          concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(" \n" + tree + "\n ")),
          true);
    };
  }

  private static Answer send(RestCase request) {
    AggregatedHttpResponse response = fixture.execute(HttpMethod.valueOf(request.method()),
        request.path(), request.body(),
        request.contentType() == null ? null : MediaType.parse(request.contentType()));
    MediaType contentType = response.contentType();
    return new Answer(response.status().code(),
        contentType == null ? null : contentType.toString(), response.content().array());
  }

  /** HTTP/1.1 by hand, for requests a proper client refuses to send. */
  private static Answer sendRaw(RestCase request) {
    String head = request.method() + " " + request.path() + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nConnection: close\r\n"
        + (request.contentType() == null ? "" : "Content-Type: " + request.contentType() + "\r\n")
        + "Content-Length: " + request.body().length + "\r\n\r\n";
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), fixture.server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(concat(head.getBytes(StandardCharsets.UTF_8), request.body()));
      return readHttpAnswer(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException("raw request " + request, e);
    }
  }

  /**
   * Reads one answer by its Content-Length instead of waiting for the server to close the
   * connection, which Armeria may do only after a delay. Armeria's error answers always have a
   * Content-Length; one without is reported as it is.
   */
  private static Answer readHttpAnswer(InputStream in) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    int headEnd = -1;
    while (headEnd < 0) {
      int next = in.read();
      assertThat(next).as("an HTTP answer head, got: %s", received).isNotNegative();
      received.write(next);
      headEnd = received.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")
          ? received.size() : -1;
    }
    String[] lines = received.toString(StandardCharsets.ISO_8859_1).trim().split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    String contentType = null;
    int contentLength = -1;
    for (String line : lines) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-type:")) {
        contentType = line.substring("content-type:".length()).trim();
      } else if (lower.startsWith("content-length:")) {
        contentLength = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    assertThat(contentLength).as("Content-Length of %s", received).isNotNegative();
    return new Answer(status, contentType, in.readNBytes(contentLength));
  }

  private void assertStillScoresRowZeroOverRest() {
    AggregatedHttpResponse response = fixture.post("/v2/models/bc/infer",
        ServingFixture.floatRequest("input", new float[][] {rows[0]}));
    assertThat(response.status().code()).as(response.contentUtf8()).isEqualTo(200);
    assertThat(ServingFixture.json(response).path("outputs").get(0).path("data").get(1)
        .asDouble()).isCloseTo(reference[0], within(1e-5));
  }

  // ---------------------------------------------------------------------------------------------
  // gRPC

  @Test
  void grpcFuzz_noMalformedRequestIsAnInternalError() {
    Random random = new Random(seed + 1);
    List<String> problems = new ArrayList<>();
    Map<Status.Code, Integer> codes = new TreeMap<>();
    long deadline = System.nanoTime() + TIME_BUDGET.toNanos();
    int sent = 0;
    for (; sent < GRPC_REQUESTS && System.nanoTime() < deadline; sent++) {
      ModelInferRequest request = nextGrpcCase(random);
      Status.Code code;
      String problem = null;
      try {
        ModelInferResponse response = fixture.grpc.modelInfer(request);
        code = Status.Code.OK;
        if (response.getOutputsCount() == 0) {
          problem = "OK without outputs";
        }
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
        if (code != Status.Code.INVALID_ARGUMENT && code != Status.Code.NOT_FOUND) {
          problem = "status " + e.getStatus();
        } else if (e.getStatus().getDescription() == null
            || e.getStatus().getDescription().isBlank()) {
          problem = code + " without a description";
        }
      }
      codes.merge(code, 1, Integer::sum);
      if (problem != null) {
        problems.add("#" + sent + " " + problem + " for " + abbreviate(request.toString()));
      }
    }
    System.out.println("gRPC fuzz: " + sent + " requests, status codes: " + codes);

    assertThat(sent).as("requests sent within %s", TIME_BUDGET).isGreaterThanOrEqualTo(100);
    assertThat(codes).as("the fuzz produced client errors at all").containsKey(
        Status.Code.INVALID_ARGUMENT);
    assertThat(problems).as("%d of %d answers broke the rules; first ones:%n%s", problems.size(),
        sent, String.join("\n", problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size()))))
        .isEmpty();

    ModelInferResponse valid = fixture.grpc.modelInfer(
        ServingFixture.grpcFloatRequest("bc", "input", new float[][] {rows[0]}).build());
    assertThat((double) valid.getOutputs(0).getContents().getFp32Contents(1))
        .isCloseTo(reference[0], within(1e-5));
  }

  private static final long[] GRPC_DIMENSIONS = {-5, -1, 0, 1, 2, 29, 30, 31, 569,
      Integer.MAX_VALUE, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
  private static final String[] GRPC_DATATYPES = {"FP32", "fp32", "FP64", "INT64", "INT32",
      "INT8", "UINT8", "BOOL", "BYTES", "FP16", "", "FP 32", "\u0000", "UINT64"};

  private ModelInferRequest nextGrpcCase(Random random) {
    float[][] row = {rows[random.nextInt(rows.length)]};
    ModelInferRequest.Builder request = random.nextBoolean()
        ? ServingFixture.grpcFloatRequest("bc", "input", row)
        : ServingFixture.grpcRawFloatRequest("bc", "input", row);
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      mutateGrpc(random, request);
    }
    return request.build();
  }

  private void mutateGrpc(Random random, ModelInferRequest.Builder request) {
    int kind = random.nextInt(10);
    if (request.getInputsCount() == 0 && kind < 4) {
      kind = 7;
    }
    ModelInferRequest.InferInputTensor.Builder input =
        request.getInputsCount() == 0 ? null : request.getInputsBuilder(0);
    switch (kind) {
      case 0 -> {
        input.clearShape();
        int rank = random.nextInt(6);
        for (int i = 0; i < rank; i++) {
          input.addShape(GRPC_DIMENSIONS[random.nextInt(GRPC_DIMENSIONS.length)]);
        }
      }
      case 1 -> input.setDatatype(GRPC_DATATYPES[random.nextInt(GRPC_DATATYPES.length)]);
      case 2 -> {
        List<Float> values = new ArrayList<>(input.getContents().getFp32ContentsList());
        if (random.nextBoolean() || values.isEmpty()) {
          int added = 1 + random.nextInt(40);
          for (int i = 0; i < added; i++) {
            values.add(random.nextFloat());
          }
        } else {
          values = values.subList(0, random.nextInt(values.size()));
        }
        input.setContents(InferTensorContents.newBuilder().addAllFp32Contents(values));
      }
      case 3 -> input.setContents(otherContents(random));
      case 4 -> {
        if (request.getRawInputContentsCount() > 0) {
          ByteString raw = request.getRawInputContents(0);
          request.setRawInputContents(0, switch (random.nextInt(3)) {
            case 0 -> raw.substring(0, random.nextInt(raw.size() + 1));
            case 1 -> raw.concat(ByteString.copyFrom(randomBytes(random, 1 + random.nextInt(8))));
            default -> ByteString.copyFrom(randomBytes(random, random.nextInt(200)));
          });
        } else {
          request.addRawInputContents(ByteString.copyFrom(randomBytes(random,
              random.nextInt(200))));
        }
      }
      case 5 -> {
        if (random.nextBoolean()) {
          request.addRawInputContents(ByteString.copyFrom(randomBytes(random, 120)));
        } else {
          request.clearRawInputContents();
        }
      }
      case 6 -> {
        if (input != null) {
          input.setName(random.nextBoolean() ? randomText(random, random.nextInt(6))
              : new String[] {"", "x", "INPUT", "input ", "probabilities"}[random.nextInt(5)]);
        }
      }
      case 7 -> {
        switch (random.nextInt(3)) {
          case 0 -> request.clearInputs();
          case 1 -> {
            if (request.getInputsCount() > 0) {
              request.addInputs(request.getInputs(0));
            }
          }
          default -> request.addInputs(ModelInferRequest.InferInputTensor.newBuilder()
              .setName(randomText(random, 4)).setDatatype("FP32").addShape(1).addShape(30)
              .setContents(otherContents(random)));
        }
      }
      case 8 -> {
        if (random.nextBoolean()) {
          request.setModelName(randomModelName(random));
        } else {
          request.setModelVersion(BAD_VERSIONS[random.nextInt(BAD_VERSIONS.length)]);
        }
      }
      default -> {
        request.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder()
            .setName(random.nextBoolean() ? "probabilities" : randomText(random, 5)));
        request.putParameters(randomText(random, 3),
            InferParameter.newBuilder().setInt64Param(random.nextLong()).build());
      }
    }
  }

  /** Elements in a typed field other than fp32_contents, in a random count. */
  private static InferTensorContents otherContents(Random random) {
    InferTensorContents.Builder contents = InferTensorContents.newBuilder();
    int count = random.nextBoolean() ? 30 : random.nextInt(64);
    for (int i = 0; i < count; i++) {
      switch (random.nextInt(7)) {
        case 0 -> contents.addInt64Contents(random.nextLong());
        case 1 -> contents.addFp64Contents(random.nextDouble());
        case 2 -> contents.addIntContents(random.nextInt());
        case 3 -> contents.addUintContents(random.nextInt());
        case 4 -> contents.addBoolContents(random.nextBoolean());
        case 5 -> contents.addBytesContents(ByteString.copyFrom(randomBytes(random, 4)));
        default -> contents.addUint64Contents(random.nextLong());
      }
    }
    return contents.build();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static String randomText(Random random, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) (0x20 + random.nextInt(0x5f)));
    }
    return text.toString();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      joined.writeBytes(part);
    }
    return joined.toByteArray();
  }

  /** Percent-encodes every byte but letters, digits, '-', '_' and '~', dots included. */
  private static String pathSegment(String text) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-'
          || b == '_' || b == '~') {
        encoded.append((char) b);
      } else {
        encoded.append('%').append(String.format("%02X", b & 0xFF));
      }
    }
    return encoded.toString();
  }

  private static JsonNode tree(String json) {
    try {
      return ServingFixture.JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  private static JsonNode parse(byte[] body) {
    try {
      return ServingFixture.JSON.readTree(body);
    } catch (IOException e) {
      return NullNode.getInstance();
    }
  }

  private static String printable(byte[] bytes) {
    StringBuilder text = new StringBuilder();
    for (byte b : bytes) {
      text.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b)
          : String.format("\\x%02x", b & 0xFF));
      if (text.length() > 200) {
        break;
      }
    }
    return text.toString();
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...(" + text.length() + ")";
  }
}
