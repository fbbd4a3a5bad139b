package dev.slipway.serving;

import dev.slipway.core.ModelLoadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Several sources served side by side; a model name must belong to one source only. */
public final class CompositeModelSource implements ModelSource {
  private final List<ModelSource> sources;

  public CompositeModelSource(List<ModelSource> sources) {
    this.sources = List.copyOf(sources);
  }

  @Override
  public List<String> modelNames() {
    List<String> names = new ArrayList<>();
    for (ModelSource source : sources) {
      names.addAll(source.modelNames());
    }
    return names;
  }

  @Override
  public String fingerprint(String name) {
    StringBuilder print = new StringBuilder();
    for (ModelSource source : sources) {
      if (source.modelNames().contains(name)) {
        print.append(source.fingerprint(name)).append('|');
      }
    }
    return print.toString();
  }

  @Override
  public Optional<SourceModel> model(String name) {
    List<ModelSource> owners = sources.stream()
        .filter(source -> source.modelNames().contains(name)).toList();
    if (owners.size() > 1) {
      throw new ModelLoadException("model '" + name + "' is offered by "
          + owners.stream().map(ModelSource::describe).toList() + " (expected one source: rename"
          + " the deployment or the repository folder)");
    }
    return owners.isEmpty() ? Optional.empty() : owners.get(0).model(name);
  }

  @Override
  public String describe() {
    return String.join(" or ", sources.stream().map(ModelSource::describe).toList());
  }
}
