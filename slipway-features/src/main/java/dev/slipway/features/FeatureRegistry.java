package dev.slipway.features;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.slipway.core.SlipwayException;
import dev.slipway.features.internal.DefinitionFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The applied feature definitions, each with a version that grows whenever the definition
 * changes, kept in {@code registry.json} under a data folder (like Feast's registry file).
 * {@link #plan} compares new definitions with the applied ones; {@link #apply} records them.
 */
public final class FeatureRegistry {
  /** Kinds of definitions, in the order plans list them. */
  public enum Kind {
    ENTITY,
    SOURCE,
    FEATURE_VIEW,
    ON_DEMAND_FEATURE_VIEW,
    FEATURE_SERVICE
  }

  /** What applying would do to a definition. */
  public enum Action {
    ADDED,
    CHANGED,
    REMOVED
  }

  /** One difference; {@code fieldChanges} reads like {@code ttl: 2h -> 7d}. */
  public record Change(Kind kind, String name, Action action, List<String> fieldChanges) {
    public Change {
      fieldChanges = List.copyOf(fieldChanges);
    }
  }

  /** The differences between the applied and the new definitions; empty when in sync. */
  public record Plan(List<Change> changes) {
    public Plan {
      changes = List.copyOf(changes);
    }

    public boolean isEmpty() {
      return changes.isEmpty();
    }

    public List<Change> of(Kind kind, Action action) {
      return changes.stream().filter(c -> c.kind() == kind && c.action() == action).toList();
    }
  }

  /** One applied definition as stored: its fields flattened to text, and its version. */
  public record Applied(int version, Map<String, String> fields) {}

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final TypeReference<TreeMap<Kind, TreeMap<String, Applied>>> STORED =
      new TypeReference<>() {};

  private final Path file;
  private TreeMap<Kind, TreeMap<String, Applied>> applied;

  private FeatureRegistry(Path file, TreeMap<Kind, TreeMap<String, Applied>> applied) {
    this.file = file;
    this.applied = applied;
  }

  /** Opens (or starts) the registry in {@code dataDir}/registry.json. */
  public static FeatureRegistry open(Path dataDir) {
    Path file = dataDir.resolve("registry.json");
    if (!Files.exists(file)) {
      return new FeatureRegistry(file, new TreeMap<>());
    }
    try {
      return new FeatureRegistry(file, JSON.readValue(file.toFile(), STORED));
    } catch (IOException e) {
      throw new SlipwayException(file + ": cannot read the feature registry ("
          + e.getMessage().replace('\n', ' ') + "); expected the JSON written by apply", e);
    }
  }

  /** The version of an applied definition; empty if it was never applied or was removed. */
  public Optional<Integer> version(Kind kind, String name) {
    return Optional.ofNullable(applied.getOrDefault(kind, new TreeMap<>()).get(name))
        .map(Applied::version);
  }

  /** What {@link #apply} would change. */
  public Plan plan(FeatureDefinitions definitions) {
    Map<Kind, Map<String, Map<String, String>>> wanted = DefinitionFields.of(definitions);
    List<Change> changes = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      Map<String, Applied> before = applied.getOrDefault(kind, new TreeMap<>());
      Map<String, Map<String, String>> after = wanted.get(kind);
      for (Map.Entry<String, Map<String, String>> entry : after.entrySet()) {
        Applied old = before.get(entry.getKey());
        if (old == null) {
          changes.add(new Change(kind, entry.getKey(), Action.ADDED, List.of()));
        } else if (!old.fields().equals(entry.getValue())) {
          changes.add(new Change(kind, entry.getKey(), Action.CHANGED,
              fieldChanges(old.fields(), entry.getValue())));
        }
      }
      for (String name : before.keySet()) {
        if (!after.containsKey(name)) {
          changes.add(new Change(kind, name, Action.REMOVED, List.of()));
        }
      }
    }
    return new Plan(changes);
  }

  /**
   * Records {@code definitions} as applied: added definitions get version 1, changed ones their
   * version + 1, removed ones are dropped. The file is replaced atomically so a crash leaves
   * either the old or the new registry, never half of one.
   */
  public Plan apply(FeatureDefinitions definitions) {
    Plan plan = plan(definitions);
    Map<Kind, Map<String, Map<String, String>>> wanted = DefinitionFields.of(definitions);
    TreeMap<Kind, TreeMap<String, Applied>> next = new TreeMap<>();
    for (Kind kind : Kind.values()) {
      TreeMap<String, Applied> before = applied.getOrDefault(kind, new TreeMap<>());
      TreeMap<String, Applied> after = new TreeMap<>();
      wanted.get(kind).forEach((name, fields) -> {
        Applied old = before.get(name);
        int version = old == null ? 1
            : old.fields().equals(fields) ? old.version() : old.version() + 1;
        after.put(name, new Applied(version, new TreeMap<>(fields)));
      });
      next.put(kind, after);
    }
    write(next);
    applied = next;
    return plan;
  }

  private void write(TreeMap<Kind, TreeMap<String, Applied>> state) {
    try {
      Files.createDirectories(file.getParent());
      Path temp = Files.createTempFile(file.getParent(), "registry", ".json.tmp");
      try {
        JSON.writeValue(temp.toFile(), state);
        try {
          Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot write the feature registry", e);
    }
  }

  private static List<String> fieldChanges(Map<String, String> before,
      Map<String, String> after) {
    TreeMap<String, String> all = new TreeMap<>(before);
    all.putAll(after);
    List<String> changes = new ArrayList<>();
    for (String field : all.keySet()) {
      String old = before.get(field);
      String now = after.get(field);
      if (!Objects.equals(old, now)) {
        changes.add(field + ": " + (old == null ? "(none)" : old) + " -> "
            + (now == null ? "(none)" : now));
      }
    }
    return changes;
  }
}
