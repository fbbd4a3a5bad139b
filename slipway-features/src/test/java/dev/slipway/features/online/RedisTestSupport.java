package dev.slipway.features.online;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the test Redis (127.0.0.1, port 6379 unless the system property slipway.redis.port says
 * otherwise). When it is
 * unreachable the test is skipped loudly, or fails when SLIPWAY_REQUIRE_SERVICES=1 (CI).
 */
public final class RedisTestSupport {
  public static final String HOST = "127.0.0.1";
  public static final int PORT = Integer.getInteger("slipway.redis.port", 6379);
  public static final String URI = "redis://" + HOST + ":" + PORT;

  private RedisTestSupport() {}

  public static void assumeRedisReachable(String testName) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, PORT), 500);
    } catch (IOException e) {
      String message = "Redis at " + HOST + ":" + PORT + " is unreachable (" + e.getMessage()
          + ")";
      if ("1".equals(System.getenv("SLIPWAY_REQUIRE_SERVICES"))) {
        throw new AssertionError(message + " and SLIPWAY_REQUIRE_SERVICES=1", e);
      }
      System.err.println("!!!!! SKIPPING " + testName + ": " + message);
      Assumptions.abort(message);
    }
  }
}
