package dev.slipway.core.yaml;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** How Slipway reads its own YAML files (pipelines.yaml, features.yaml, a model's config). */
public final class YamlFiles {
  private YamlFiles() {}

  /**
   * A mapper that refuses a key given twice in one mapping, naming its line: by default the last
   * one wins silently, and a pipeline or a sink defined twice would vanish without a word.
   */
  public static ObjectMapper mapper() {
    return new ObjectMapper(factory());
  }

  /**
   * The line where each value starts, by JSON pointer ({@code /pipelines/nightly}): the tree
   * Jackson builds forgets locations, so one extra pass over the tokens keeps them for messages.
   * Empty when the file cannot be read (its tree then fails with the reason).
   */
  public static Map<String, Integer> lines(Path yaml) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser parser = factory().createParser(yaml.toFile())) {
      // Bounded by the file: each call consumes one token until the end.
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        // A key's line for the value it names, a list item's for a mapping in a list.
        if (token == JsonToken.FIELD_NAME || token == JsonToken.START_OBJECT) {
          lines.putIfAbsent(parser.getParsingContext().pathAsPointer().toString(),
              parser.currentTokenLocation().getLineNr());
        }
      }
    } catch (IOException e) {
      // Lines are only a help to messages.
    }
    return lines;
  }

  private static YAMLFactory factory() {
    return YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  }
}
