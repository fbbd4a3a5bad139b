package dev.slipway.registry.tracking.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.registry.MlflowException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Offset-based page tokens in MLflow's own format, base64 of {@code {"offset": N}}, so tokens
 * look and behave like an MLflow server's.
 */
public final class PageToken {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PageToken() {}

  public static String encode(long offset) {
    String json = "{\"offset\": " + offset + "}";
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The offset a token stands for; 0 for a null or empty token. */
  public static long decode(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(token.trim());
    } catch (IllegalArgumentException e) {
      throw MlflowException.invalid("Invalid page token, could not base64-decode");
    }
    JsonNode offset;
    try {
      offset = JSON.readTree(decoded).get("offset");
    } catch (IOException | RuntimeException e) {
      throw MlflowException.invalid("Invalid page token, decoded value="
          + new String(decoded, StandardCharsets.UTF_8));
    }
    if (offset == null || !offset.canConvertToLong() || !offset.isIntegralNumber()
        || offset.asLong() < 0) {
      throw MlflowException.invalid("Invalid page token, parsed value="
          + new String(decoded, StandardCharsets.UTF_8));
    }
    return offset.asLong();
  }
}
