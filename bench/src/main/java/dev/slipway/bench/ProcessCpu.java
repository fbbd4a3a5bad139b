package dev.slipway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used, from Linux's {@code /proc/PID/stat}. Throughput on a shared
 * two-core machine swings with whatever else runs; the server's CPU time per request does much
 * less, so runs report it next to req/s.
 */
final class ProcessCpu {
  /** /proc counts in USER_HZ ticks, which Linux fixes at 100 per second for user space. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private ProcessCpu() {}

  /** User plus system CPU time of {@code pid} ("self" for this process), or -1 if unknown. */
  static long nanos(String pid) {
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // Fields 14 (utime) and 15 (stime) of the whole line are 11 and 12 after the name.
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
