package dev.slipway.serving.internal;

import dev.slipway.core.ModelLoadException;
import dev.slipway.serving.ModelConfig;
import dev.slipway.serving.ModelSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Triton-style model repository: {@code DIR/<model>/<version>/<artifact>} with an optional
 * {@code DIR/<model>/config.yaml}. Versions are positive integers.
 */
public final class RepositoryModelSource implements ModelSource {
  static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

  private final Path repository;

  public RepositoryModelSource(Path repository) {
    this.repository = repository;
  }

  @Override
  public List<String> modelNames() {
    if (!Files.isDirectory(repository)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(repository)) {
      return entries.filter(Files::isDirectory)
          .map(path -> path.getFileName().toString())
          .filter(name -> MODEL_NAME.matcher(name).matches())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the model repository " + repository, e);
    }
  }

  @Override
  public String fingerprint(String name) {
    return Fingerprints.of(repository.resolve(name));
  }

  @Override
  public Optional<SourceModel> model(String name) {
    Path folder = repository.resolve(name);
    if (!Files.isDirectory(folder)) {
      return Optional.empty();
    }
    ModelConfig config = ModelConfig.read(folder);
    String configPrint = Fingerprints.of(folder.resolve(ModelConfig.FILE_NAME));
    return Optional.of(new SourceModel(config, configPrint, versionFolders(folder)));
  }

  @Override
  public String describe() {
    return "the repository " + repository;
  }

  private static SortedMap<Long, Path> versionFolders(Path modelFolder) {
    try (Stream<Path> entries = Files.list(modelFolder)) {
      SortedMap<Long, Path> versions = new TreeMap<>();
      entries.filter(Files::isDirectory)
          .filter(path -> VERSION.matcher(path.getFileName().toString()).matches())
          .forEach(path -> versions.put(Long.parseLong(path.getFileName().toString()), path));
      if (versions.isEmpty()) {
        throw new ModelLoadException(
            "no version folders (expected " + modelFolder + "/<positive integer>/)");
      }
      return versions;
    } catch (IOException e) {
      throw new ModelLoadException(modelFolder + ": cannot list versions: " + e.getMessage(), e);
    }
  }
}
