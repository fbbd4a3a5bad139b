package dev.slipway.serving;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.ModelLoadException;
import dev.slipway.core.runtime.RuntimeOptions;
import dev.slipway.core.yaml.YamlFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model's optional {@code config.yaml}, next to its version folders. Unknown keys are refused so
 * that a typo does not silently leave batching off.
 *
 * <pre>
 * max_batch_size: 32                     # rows per runtime call; 0 (default) turns batching off
 * max_queue_delay_microseconds: 500      # how long the first request waits for company
 * batch_workers: 1                       # runtime calls in flight at once when batching
 * intra_op_threads: 1
 * inter_op_threads: 1
 * </pre>
 */
public record ModelConfig(
    @JsonProperty("max_batch_size") int maxBatchSize,
    @JsonProperty("max_queue_delay_microseconds") long maxQueueDelayMicros,
    @JsonProperty("batch_workers") int batchWorkers,
    @JsonProperty("intra_op_threads") int intraOpThreads,
    @JsonProperty("inter_op_threads") int interOpThreads) {
  public static final String FILE_NAME = "config.yaml";
  public static final ModelConfig DEFAULT = new ModelConfig(0, 500, 1, 1, 1);
  private static final ObjectMapper YAML = YamlFiles.mapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  public ModelConfig {
    check(maxBatchSize >= 0, "max_batch_size", maxBatchSize, ">= 0");
    check(maxQueueDelayMicros >= 0, "max_queue_delay_microseconds", maxQueueDelayMicros, ">= 0");
    check(batchWorkers >= 1, "batch_workers", batchWorkers, ">= 1");
    check(intraOpThreads >= 1, "intra_op_threads", intraOpThreads, ">= 1");
    check(interOpThreads >= 1, "inter_op_threads", interOpThreads, ">= 1");
  }

  private static void check(boolean valid, String key, long value, String expected) {
    if (!valid) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: " + expected + ")");
    }
  }

  /** Reads {@code modelFolder/config.yaml}, or the defaults when there is none. */
  public static ModelConfig read(Path modelFolder) {
    Path file = modelFolder.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return DEFAULT;
    }
    try {
      Defaults merged = YAML.readerForUpdating(new Defaults()).readValue(file.toFile());
      return merged.toConfig();
    } catch (IOException | IllegalArgumentException e) {
      throw new ModelLoadException(file + ": " + rootMessage(e));
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = root.getMessage();
    int detail = message.indexOf(" (class ");
    return detail > 0 ? message.substring(0, detail) : message.lines().findFirst().orElse("");
  }

  public boolean batching() {
    return maxBatchSize > 0;
  }

  public RuntimeOptions runtimeOptions() {
    return new RuntimeOptions(intraOpThreads, interOpThreads);
  }

  /** Mutable holder so that keys absent from the file keep their defaults. */
  private static final class Defaults {
    @JsonProperty("max_batch_size")
    int maxBatchSize = DEFAULT.maxBatchSize;

    @JsonProperty("max_queue_delay_microseconds")
    long maxQueueDelayMicros = DEFAULT.maxQueueDelayMicros;

    @JsonProperty("batch_workers")
    int batchWorkers = DEFAULT.batchWorkers;

    @JsonProperty("intra_op_threads")
    int intraOpThreads = DEFAULT.intraOpThreads;

    @JsonProperty("inter_op_threads")
    int interOpThreads = DEFAULT.interOpThreads;

    ModelConfig toConfig() {
      return new ModelConfig(
          maxBatchSize, maxQueueDelayMicros, batchWorkers, intraOpThreads, interOpThreads);
    }
  }
}
