package dev.slipway.registry.artifacts.internal;

import dev.slipway.registry.MlflowException;
import dev.slipway.registry.artifacts.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Artifacts as files under one root folder. */
public final class LocalArtifactStore implements ArtifactStore {
  private static final String SEAL_FILE = ".slipway-sealed";
  private static final Pattern FORBIDDEN = Pattern.compile("[\\x00\\\\]");

  private final Path root;

  public LocalArtifactStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(this.root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the artifact folder " + this.root, e);
    }
  }

  public Path root() {
    return root;
  }

  /**
   * Resolves a client-given relative path inside the root.
   *
   * @throws MlflowException INVALID_PARAMETER_VALUE for absolute paths, {@code ..}, backslashes
   */
  Path resolve(String path) {
    String relative = path == null ? "" : path;
    while (relative.startsWith("./")) {
      relative = relative.substring(2);
    }
    if (relative.startsWith("/") || FORBIDDEN.matcher(relative).find()
        || Stream.of(relative.split("/")).anyMatch(".."::equals)) {
      throw MlflowException.invalid("Invalid artifact path '" + path
          + "' (expected a relative path without '..' or backslashes)");
    }
    Path resolved = root.resolve(relative).normalize();
    if (!resolved.startsWith(root)) {
      throw MlflowException.invalid("Invalid artifact path '" + path + "' (outside the store)");
    }
    return resolved;
  }

  @Override
  public Path localPath(String path) {
    return resolve(path);
  }

  @Override
  public void put(String path, InputStream content) throws IOException {
    Path target = resolve(path);
    if (target.equals(root) || Files.isDirectory(target)) {
      throw MlflowException.invalid("Invalid artifact path '" + path + "' (names a folder)");
    }
    checkNotSealed(target, path);
    Files.createDirectories(target.getParent());
    Path temporary = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
    try {
      Files.copy(content, temporary, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  @Override
  public InputStream open(String path) throws IOException {
    Path file = resolve(path);
    if (!Files.isRegularFile(file)) {
      throw MlflowException.notFound("No artifact at '" + path + "'");
    }
    return Files.newInputStream(file);
  }

  @Override
  public List<FileInfo> list(String path) throws IOException {
    Path folder = resolve(path);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    List<FileInfo> entries = new ArrayList<>();
    try (Stream<Path> children = Files.list(folder)) {
      for (Path child : children.sorted().toList()) {
        String name = child.getFileName().toString();
        if (name.equals(SEAL_FILE) || name.startsWith(".upload-")) {
          continue;
        }
        String relative = root.relativize(child).toString();
        boolean directory = Files.isDirectory(child);
        entries.add(new FileInfo(relative, directory, directory ? 0 : Files.size(child)));
      }
    }
    return entries;
  }

  @Override
  public void delete(String path) throws IOException {
    Path target = resolve(path);
    if (target.equals(root)) {
      throw MlflowException.invalid("Refusing to delete the whole artifact store");
    }
    if (!Files.exists(target)) {
      throw MlflowException.notFound("No artifact at '" + path + "'");
    }
    checkNotSealed(target, path);
    List<Path> files;
    try (Stream<Path> tree = Files.walk(target)) {
      files = tree.sorted(Comparator.reverseOrder()).toList();
    }
    // Checked before deleting anything: deleting children first would remove the seal file
    // before its folder is looked at, and a sealed version would go with it.
    for (Path file : files) {
      if (file.getFileName().toString().equals(SEAL_FILE)) {
        throw MlflowException.invalid("Artifact '" + path + "' holds a registered model"
            + " version; delete the version instead");
      }
    }
    for (Path file : files) {
      Files.delete(file);
    }
  }

  @Override
  public void copy(String source, String target) throws IOException {
    Path from = resolve(source);
    Path to = resolve(target);
    if (!Files.exists(from)) {
      throw MlflowException.notFound("No artifact at '" + source + "'");
    }
    if (Files.exists(to)) {
      throw new FileAlreadyExistsException(to.toString());
    }
    try (Stream<Path> tree = Files.walk(from)) {
      for (Path file : tree.toList()) {
        if (file.getFileName().toString().equals(SEAL_FILE)) {
          continue;
        }
        Path copy = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else {
          Files.createDirectories(copy.getParent());
          Files.copy(file, copy);
        }
      }
    }
  }

  @Override
  public void seal(String prefix) throws IOException {
    Path folder = resolve(prefix);
    if (!Files.isDirectory(folder)) {
      throw MlflowException.notFound("No artifact folder at '" + prefix + "'");
    }
    Files.writeString(folder.resolve(SEAL_FILE), "sealed: registered model version\n");
  }

  private void checkNotSealed(Path target, String path) {
    for (Path folder = target.getParent(); folder != null && folder.startsWith(root);
        folder = folder.getParent()) {
      if (Files.exists(folder.resolve(SEAL_FILE))) {
        throw MlflowException.invalid("Artifact path '" + path + "' is inside a registered model"
            + " version, which is immutable");
      }
    }
  }

  /** Deletes a file if present; used to clean a failed copy. */
  public void deleteQuietly(String path) {
    try {
      Path target = resolve(path);
      if (!Files.exists(target)) {
        return;
      }
      try (Stream<Path> tree = Files.walk(target)) {
        for (Path file : tree.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // Best effort: a leftover folder is harmless and reported nowhere.
    }
  }
}
