package dev.slipway.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.registry.MlflowException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One MLflow API request's fields, from the JSON body and the query string alike (MLflow clients
 * send GET parameters in the query and everything else as JSON, DELETE included). Accessors
 * apply MLflow's leniency: int64 fields as numbers or strings.
 */
public final class MlflowRequest {
  static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode fields;

  private MlflowRequest(ObjectNode fields) {
    this.fields = fields;
  }

  /** Merges a JSON object body (may be empty) with query parameters; repeated ones become arrays. */
  public static MlflowRequest of(byte[] body, Map<String, List<String>> query) {
    ObjectNode fields = JSON.createObjectNode();
    if (body.length > 0 && !new String(body, 0, Math.min(body.length, 64)).isBlank()) {
      JsonNode parsed;
      try {
        parsed = JSON.readTree(body);
      } catch (IOException e) {
        throw new MlflowException(MlflowException.ErrorCode.BAD_REQUEST,
            "Malformed request body: " + firstLine(e.getMessage()));
      }
      if (!(parsed instanceof ObjectNode object)) {
        throw new MlflowException(MlflowException.ErrorCode.BAD_REQUEST,
            "Malformed request body: expected a JSON object");
      }
      fields.setAll(object);
    }
    query.forEach((name, values) -> {
      if (fields.has(name)) {
        return;
      }
      if (values.size() == 1) {
        fields.put(name, values.get(0));
      } else {
        ArrayNode array = fields.putArray(name);
        values.forEach(array::add);
      }
    });
    return new MlflowRequest(fields);
  }

  /** For tests and in-process callers. */
  public static MlflowRequest of(ObjectNode fields) {
    return new MlflowRequest(fields);
  }

  public boolean has(String field) {
    JsonNode node = fields.get(field);
    return node != null && !node.isNull();
  }

  /** A string field, or null when absent. */
  public String string(String field) {
    JsonNode node = fields.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isValueNode()) {
      throw invalidType(field, node, "a string");
    }
    return node.asText();
  }

  public String requiredString(String field) {
    String value = string(field);
    if (value == null || value.isEmpty()) {
      throw missing(field);
    }
    return value;
  }

  /** An int64 field given as a number or a numeric string, or null when absent. */
  public Long optionalLong(String field) {
    JsonNode node = fields.get(field);
    if (node == null || node.isNull() || (node.isTextual() && node.asText().isEmpty())) {
      return null;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.asLong();
    }
    if (node.isTextual()) {
      try {
        return Long.parseLong(node.asText().trim());
      } catch (NumberFormatException e) {
        throw invalidType(field, node, "an integer");
      }
    }
    throw invalidType(field, node, "an integer");
  }

  public long requiredLong(String field) {
    Long value = optionalLong(field);
    if (value == null) {
      throw missing(field);
    }
    return value;
  }

  /** A double field given as a number or a numeric string (NaN and Infinity allowed as text). */
  public double requiredDouble(String field) {
    JsonNode node = fields.get(field);
    if (node == null || node.isNull()) {
      throw missing(field);
    }
    return asDouble(field, node);
  }

  static double asDouble(String field, JsonNode node) {
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isTextual()) {
      try {
        return Double.parseDouble(node.asText().trim());
      } catch (NumberFormatException e) {
        throw invalidType(field, node, "a number");
      }
    }
    throw invalidType(field, node, "a number");
  }

  public boolean bool(String field, boolean defaultValue) {
    JsonNode node = fields.get(field);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isTextual() && (node.asText().equalsIgnoreCase("true")
        || node.asText().equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(node.asText());
    }
    throw invalidType(field, node, "true or false");
  }

  /** A repeated string field (a JSON array, or one value). */
  public List<String> strings(String field) {
    JsonNode node = fields.get(field);
    List<String> values = new ArrayList<>();
    if (node == null || node.isNull()) {
      return values;
    }
    if (node.isArray()) {
      for (JsonNode element : node) {
        if (!element.isValueNode()) {
          throw invalidType(field, element, "an array of strings");
        }
        values.add(element.asText());
      }
    } else if (node.isValueNode()) {
      values.add(node.asText());
    } else {
      throw invalidType(field, node, "an array of strings");
    }
    return values;
  }

  /** A repeated message field: an array of objects. */
  public List<JsonNode> objects(String field) {
    JsonNode node = fields.get(field);
    List<JsonNode> values = new ArrayList<>();
    if (node == null || node.isNull()) {
      return values;
    }
    if (!node.isArray()) {
      throw invalidType(field, node, "an array of objects");
    }
    for (JsonNode element : node) {
      if (!element.isObject()) {
        throw invalidType(field, element, "an array of objects");
      }
      values.add(element);
    }
    return values;
  }

  public static MlflowException missing(String field) {
    return MlflowException.invalid("Missing value for required parameter '" + field
        + "'. See the API docs for more information about request parameters.");
  }

  static MlflowException invalidType(String field, JsonNode value, String expected) {
    String shown = value.toString();
    if (shown.length() > 100) {
      shown = shown.substring(0, 100) + "...";
    }
    return MlflowException.invalid("Invalid value " + shown + " for parameter '" + field
        + "' supplied (expected " + expected + ")");
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
