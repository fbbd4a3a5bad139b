package dev.slipway.serving.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Cheap change detection for folders: names, sizes and modification times of their files. */
final class Fingerprints {
  private Fingerprints() {}

  static String of(Path path) {
    if (!Files.exists(path)) {
      return "-";
    }
    try (Stream<Path> files = Files.walk(path, 4)) {
      StringBuilder print = new StringBuilder();
      files.filter(Files::isRegularFile).sorted().forEach(file -> {
        try {
          print.append(path.relativize(file)).append(':').append(Files.size(file)).append(':')
              .append(Files.getLastModifiedTime(file).toMillis()).append(';');
        } catch (IOException e) {
          // A file deleted while we walk: the next poll sees the settled folder.
          print.append(file).append(":?;");
        }
      });
      return print.toString();
    } catch (IOException | UncheckedIOException e) {
      return "?" + e.getMessage();
    }
  }
}
