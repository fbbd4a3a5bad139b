package dev.slipway.serving.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.stream.ClosedStreamException;
import com.linecorp.armeria.server.HttpStatusException;
import dev.slipway.core.InvalidInputException;
import dev.slipway.core.ModelLoadException;
import dev.slipway.serving.ModelNotFoundException;
import io.grpc.Status;
import java.io.CharConversionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns an exception into what a client sees, for HTTP and gRPC alike: a
 * client's mistake becomes a 4xx / INVALID_ARGUMENT-like status with a message naming what to fix;
 * anything else is logged with its stack trace and answered as an internal error without one.
 */
public final class ErrorMapping {
  private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);
  /** The status nginx made common for a request its client abandoned. */
  private static final HttpStatus CLIENT_CLOSED_REQUEST = HttpStatus.valueOf(499);

  /** An exception's client-facing form. */
  public record Mapped(HttpStatus httpStatus, Status.Code grpcCode, String message) {}

  private ErrorMapping() {}

  /** The client-facing form; server-side failures are logged with their stack trace. */
  public static Mapped map(Throwable error) {
    Mapped mapped = classify(unwrap(error));
    if (mapped.httpStatus().isServerError()) {
      log.error("Internal error while serving a request", unwrap(error));
    }
    return mapped;
  }

  private static Mapped classify(Throwable cause) {
    if (cause instanceof InvalidInputException) {
      return new Mapped(HttpStatus.BAD_REQUEST, Status.Code.INVALID_ARGUMENT, cause.getMessage());
    }
    if (cause instanceof ModelNotFoundException) {
      return new Mapped(HttpStatus.NOT_FOUND, Status.Code.NOT_FOUND, cause.getMessage());
    }
    if (cause instanceof ModelLoadException) {
      return new Mapped(HttpStatus.BAD_REQUEST, Status.Code.FAILED_PRECONDITION,
          cause.getMessage());
    }
    if (cause instanceof JsonProcessingException json) {
      return new Mapped(HttpStatus.BAD_REQUEST, Status.Code.INVALID_ARGUMENT, describe(json));
    }
    if (cause instanceof CharConversionException encoding) {
      // Jackson guesses UTF-32 from leading zero bytes and reports undecodable characters with
      // this plain IOException, not a JsonProcessingException: still the body's fault.
      return new Mapped(HttpStatus.BAD_REQUEST, Status.Code.INVALID_ARGUMENT,
          "malformed JSON: " + encoding.getMessage());
    }
    if (cause instanceof ClosedStreamException) {
      // The client hung up before its request was complete (ClosedSessionException is one):
      // nobody reads this answer, and it is no server failure to log with a stack trace.
      return new Mapped(CLIENT_CLOSED_REQUEST, Status.Code.CANCELLED,
          "the client closed the connection before the request was complete");
    }
    if (cause instanceof ContentTooLargeException
        || (cause instanceof HttpStatusException status
            && status.httpStatus() == HttpStatus.REQUEST_ENTITY_TOO_LARGE)) {
      return new Mapped(HttpStatus.REQUEST_ENTITY_TOO_LARGE, Status.Code.RESOURCE_EXHAUSTED,
          "request body larger than the server's limit (raise it with --max-request-bytes)");
    }
    if (cause instanceof HttpStatusException status && status.httpStatus().isClientError()) {
      return new Mapped(status.httpStatus(), Status.Code.INVALID_ARGUMENT,
          status.httpStatus().reasonPhrase());
    }
    return new Mapped(HttpStatus.INTERNAL_SERVER_ERROR, Status.Code.INTERNAL,
        "internal error: " + cause.getClass().getSimpleName()
            + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
  }

  public static boolean isClientError(Throwable error) {
    return classify(unwrap(error)).httpStatus().isClientError();
  }

  static CompletionException asCompletionException(Throwable error) {
    return error instanceof CompletionException completion
        ? completion : new CompletionException(error);
  }

  static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String describe(JsonProcessingException json) {
    String where = json.getLocation() == null ? ""
        : " at line " + json.getLocation().getLineNr() + ", column "
            + json.getLocation().getColumnNr();
    String what = json instanceof JsonEOFException ? "the body ends too early"
        : json.getOriginalMessage();
    return "malformed JSON" + where + ": " + what;
  }
}
