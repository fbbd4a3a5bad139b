package dev.slipway.registry.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.registry.MlflowException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** MLflow's page tokens: base64 of {@code {"offset": N}}, opaque to clients. */
public final class PageToken {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PageToken() {}

  public static String encode(int offset) {
    byte[] json = ("{\"offset\": " + offset + "}").getBytes(StandardCharsets.UTF_8);
    return Base64.getEncoder().encodeToString(json);
  }

  /** The offset a token stands for; 0 for none. */
  public static int decode(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    byte[] json;
    try {
      json = Base64.getDecoder().decode(token.trim());
    } catch (IllegalArgumentException e) {
      throw MlflowException.invalid("Invalid page token, could not base64-decode");
    }
    try {
      JsonNode offset = JSON.readTree(json).get("offset");
      if (offset == null || !offset.canConvertToInt() || offset.asInt() < 0) {
        throw MlflowException.invalid("Invalid page token, offset missing or negative");
      }
      return offset.asInt();
    } catch (IOException e) {
      throw MlflowException.invalid("Invalid page token, decoded value is not JSON");
    }
  }

  /** Checks max_results against MLflow's limit for the endpoint. */
  public static int maxResults(Long requested, int defaultValue, int limit) {
    if (requested == null) {
      return defaultValue;
    }
    if (requested < 1) {
      throw MlflowException.invalid("Invalid value for max_results. It must be a positive"
          + " integer, but got " + requested);
    }
    if (requested > limit) {
      throw MlflowException.invalid("Invalid value for request parameter max_results. It must"
          + " be at most " + limit + ", but got value " + requested);
    }
    return requested.intValue();
  }
}
