package dev.slipway.registry.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.slipway.registry.MlflowException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on MLflow error codes and messages. */
final class RegistryAssertions {
  private RegistryAssertions() {}

  static MlflowException assertMlflowError(ThrowingCallable call,
      MlflowException.ErrorCode code, String... messageParts) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(MlflowException.class);
    MlflowException error = (MlflowException) thrown;
    assertThat(error.errorCode()).as(error.getMessage()).isEqualTo(code);
    if (messageParts.length > 0) {
      assertThat(error.getMessage()).contains(messageParts);
    }
    return error;
  }

  static void assertNotFound(ThrowingCallable call, String... messageParts) {
    assertMlflowError(call, MlflowException.ErrorCode.RESOURCE_DOES_NOT_EXIST, messageParts);
  }

  static void assertInvalid(ThrowingCallable call, String... messageParts) {
    assertMlflowError(call, MlflowException.ErrorCode.INVALID_PARAMETER_VALUE, messageParts);
  }
}
