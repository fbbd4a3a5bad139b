package dev.slipway.batch.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Loads what a batch job's first steps wait for: DuckDB's native library and a first database
 * (the first open costs four times a later one), Arrow's allocator, its schema classes and its
 * C data interface. A cold {@code slipway predict} spent about 150 ms on these one after the
 * other; begun while the command line is parsed, they take no time of the job's own.
 */
public final class NativeWarmUp {
  private NativeWarmUp() {}

  /** Runs the warm-up on a daemon thread; the job that follows waits only for what is left. */
  public static void startInBackground() {
    Thread thread = new Thread(NativeWarmUp::run, "slipway-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  private static void run() {
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        BufferAllocator allocator = new RootAllocator();
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
      // Initializing the class is the work: its schema (de)serializers take most of it.
      new Schema(List.of());
    } catch (SQLException | RuntimeException | LinkageError e) {
      // Whatever fails here fails again in the job, which reports it with its context.
    }
  }
}
