package dev.slipway.serving;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerStartTest {
  @TempDir Path repository;

  @Test
  void start_onAPortAnotherProcessHolds_isAServerStartExceptionNamingIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      InferenceServer server = InferenceServer.builder(repository).host("127.0.0.1")
          .port(taken.getLocalPort()).build();

      assertThatThrownBy(server::start).isInstanceOf(ServerStartException.class)
          .hasMessage("cannot listen on 127.0.0.1:" + taken.getLocalPort()
              + ": Address already in use");
    }
  }
}
