package dev.slipway.registry.models.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.registry.MlflowException;
import dev.slipway.registry.models.RegistryEvent;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Runs each registry operation in one transaction, and hands the events it raised to the webhook
 * publisher only once that transaction has committed.
 */
public final class Transactions {
  /** One operation's work inside its transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Handle handle, Events events);
  }

  /** A read-only operation. */
  @FunctionalInterface
  public interface Read<T> {
    T run(Handle handle);
  }

  /** The events an operation raises; discarded if its transaction rolls back. */
  public static final class Events {
    private final List<EventMessage> messages = new ArrayList<>();

    /** Adds an event about {@code name} (and {@code version} if not null); returns its data. */
    public ObjectNode add(RegistryEvent event, long now, String name, Integer version,
        String actor) {
      EventMessage message = EventMessage.of(event, now);
      message.data().put("name", name);
      if (version != null) {
        message.data().put("version", version.toString());
      }
      message.data().put("actor", actor);
      messages.add(message);
      return message.data();
    }
  }

  private final Jdbi jdbi;
  private final Clock clock;
  private final boolean embedded;
  private final Consumer<List<EventMessage>> publisher;

  /**
   * @param embedded H2, whose default lock wait (one second) is too short for a queue of
   *     writers on one model row; it is raised per transaction
   */
  public Transactions(Jdbi jdbi, Clock clock, boolean embedded,
      Consumer<List<EventMessage>> publisher) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.embedded = embedded;
    this.publisher = publisher;
  }

  public long now() {
    return clock.millis();
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public <T> T write(Work<T> work) {
    Events events = new Events();
    T result = jdbi.inTransaction(handle -> {
      if (embedded) {
        handle.execute("SET LOCK_TIMEOUT 30000");
      }
      return work.run(handle, events);
    });
    publisher.accept(List.copyOf(events.messages));
    return result;
  }

  /** Reads in one transaction, so that a model and its versions are seen at one moment. */
  public <T> T read(Read<T> work) {
    return jdbi.inTransaction(work::run);
  }

  /** True when {@code failure} was caused by a duplicate key (SQLSTATE 23505 on both engines). */
  public static boolean isUniqueViolation(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /** Runs {@code write}, turning a duplicate key into RESOURCE_ALREADY_EXISTS. */
  public <T> T writeUnique(Work<T> work, String alreadyExistsMessage) {
    try {
      return write(work);
    } catch (RuntimeException e) {
      if (isUniqueViolation(e)) {
        throw MlflowException.alreadyExists(alreadyExistsMessage);
      }
      throw e;
    }
  }
}
