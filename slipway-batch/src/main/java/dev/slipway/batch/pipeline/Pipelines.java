package dev.slipway.batch.pipeline;

import dev.slipway.batch.pipeline.internal.SpecParser;
import dev.slipway.core.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads pipeline definitions. */
public final class Pipelines {
  private Pipelines() {}

  /**
   * Reads {@code pipelines.yaml}: pipeline names to their definitions, in file order.
   *
   * @throws InvalidInputException naming the file, pipeline and field of the first mistake
   */
  public static Map<String, PipelineSpec> load(Path yaml) {
    if (!Files.isRegularFile(yaml)) {
      throw new InvalidInputException(yaml + ": no such file");
    }
    return SpecParser.parse(yaml);
  }
}
