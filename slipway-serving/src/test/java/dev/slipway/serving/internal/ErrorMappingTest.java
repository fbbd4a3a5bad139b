package dev.slipway.serving.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.ClosedSessionException;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {
  @Test
  void clientClosingTheConnectionMidRequest_isNotAnInternalError() {
    // What aggregating a request body fails with when the client disconnects before its end;
    // as an internal error it was logged at ERROR with a stack trace for every such client.
    ErrorMapping.Mapped mapped =
        ErrorMapping.map(new CompletionException(ClosedSessionException.get()));
    assertThat(mapped.httpStatus().isClientError()).as(mapped.toString()).isTrue();
    assertThat(mapped.grpcCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(mapped.message()).contains("client closed the connection");
  }
}
