package dev.slipway.registry;

import dev.slipway.core.SlipwayException;

/**
 * A failure with MLflow's error code, answered as {@code {"error_code": ..., "message": ...}} with
 * the HTTP status MLflow uses for that code.
 */
public class MlflowException extends SlipwayException {
  private static final long serialVersionUID = 1L;

  /** MLflow's error codes that Slipway raises, with their HTTP statuses. */
  public enum ErrorCode {
    RESOURCE_DOES_NOT_EXIST(404),
    INVALID_PARAMETER_VALUE(400),
    RESOURCE_ALREADY_EXISTS(400),
    INVALID_STATE(400),
    BAD_REQUEST(400),
    ENDPOINT_NOT_FOUND(404),
    INTERNAL_ERROR(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    public int httpStatus() {
      return httpStatus;
    }
  }

  private final ErrorCode errorCode;

  public MlflowException(ErrorCode errorCode, String message) {
    super(message);
    this.errorCode = errorCode;
  }

  public ErrorCode errorCode() {
    return errorCode;
  }

  public static MlflowException notFound(String message) {
    return new MlflowException(ErrorCode.RESOURCE_DOES_NOT_EXIST, message);
  }

  public static MlflowException invalid(String message) {
    return new MlflowException(ErrorCode.INVALID_PARAMETER_VALUE, message);
  }

  public static MlflowException alreadyExists(String message) {
    return new MlflowException(ErrorCode.RESOURCE_ALREADY_EXISTS, message);
  }
}
