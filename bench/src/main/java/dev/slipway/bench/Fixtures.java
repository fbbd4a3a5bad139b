package dev.slipway.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's {@code fixtures} folder for benchmarks run from the root or bench/. */
public final class Fixtures {
  private Fixtures() {}

  /** {@code -Dslipway.fixtures}, else {@code fixtures} or {@code ../fixtures} from here. */
  public static Path dir() {
    String configured = System.getProperty("slipway.fixtures");
    if (configured != null) {
      return Path.of(configured);
    }
    for (String candidate : new String[] {"fixtures", "../fixtures"}) {
      Path path = Path.of(candidate);
      if (Files.isRegularFile(path.resolve("bc_mlp.onnx"))) {
        return path.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("no fixtures folder under " + Path.of("").toAbsolutePath()
        + " (run from the repository root or pass -Dslipway.fixtures=DIR)");
  }

  public static Path path(String fileName) {
    return dir().resolve(fileName);
  }
}
