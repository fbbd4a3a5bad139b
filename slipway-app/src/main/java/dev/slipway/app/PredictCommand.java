package dev.slipway.app;

import dev.slipway.app.internal.ProgressBars;
import dev.slipway.app.internal.RegistryLocation;
import dev.slipway.batch.ModelArtifact;
import dev.slipway.batch.OfflinePrediction;
import dev.slipway.batch.ScoringRequest;
import dev.slipway.registry.Registry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code slipway predict}: scores one file with one model (offline prediction). */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = "Scores a Parquet or CSV file with a model and writes the scores to a"
        + " Parquet or CSV file. The input is streamed in batches, so files larger than memory"
        + " work. Rows whose features are null or not numbers go to a quarantine file with"
        + " their row number and reason; the output keeps the key columns and adds score"
        + " columns, model_name and model_version.")
final class PredictCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin RegistryLocation registry;

  @Option(names = "--model", required = true, paramLabel = "URI|PATH",
      description = "models:/NAME@ALIAS, models:/NAME/STAGE, models:/NAME/VERSION, or a model"
          + " file or folder.")
  String model;

  @Option(names = "--input", required = true, paramLabel = "FILE",
      description = "in.parquet, in.csv (header on the first line; column types from every"
          + " row), or a folder of Parquet files.")
  Path input;

  @Option(names = "--output", required = true, paramLabel = "FILE",
      description = "out.parquet or out.csv (written atomically).")
  Path output;

  @Option(names = "--key", paramLabel = "COLUMN",
      description = "A column copied to the output (repeatable); default: every column that is"
          + " not a feature.")
  List<String> keys = new ArrayList<>();

  @Option(names = "--features", split = ",", paramLabel = "COLUMN",
      description = "Feature columns in model input order; default: every column that is not a"
          + " key.")
  List<String> features = new ArrayList<>();

  @Option(names = "--quarantine", paramLabel = "FILE",
      description = "Where rows that break the model's contract go (default:"
          + " OUTPUT.quarantine.csv).")
  Path quarantine;

  @Option(names = "--batch-size", defaultValue = "" + ScoringRequest.DEFAULT_BATCH_SIZE,
      description = "Rows per model call (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Override
  public void run() {
    ModelArtifact artifact = resolve();
    OfflinePrediction.Job job =
        new OfflinePrediction.Job(input, output, quarantine, keys, features, batchSize);
    OfflinePrediction.Result result;
    long start = System.nanoTime();
    // The bar appears with the first scored rows, after the input and the model were found to
    // fit, so that a mistake's message is not preceded by a bar. Scoring threads report.
    ProgressBar[] bar = new ProgressBar[1];
    long[] total = {-1};
    try {
      result = OfflinePrediction.run(job, artifact, new OfflinePrediction.Progress() {
        @Override
        public void total(long rows) {
          total[0] = rows;
        }

        @Override
        public void rowsRead(long rows) {
          synchronized (bar) {
            if (bar[0] == null) {
              bar[0] = ProgressBars.rows("predict", Duration.ofNanos(System.nanoTime() - start));
              bar[0].maxHint(total[0]);
            }
            bar[0].stepTo(rows);
          }
        }
      });
    } finally {
      synchronized (bar) {
        if (bar[0] != null) {
          bar[0].close();
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long rows = result.summary().scored() + result.summary().quarantined();
    PrintWriter out = spec.commandLine().getOut();
    out.printf("scored %d rows, quarantined %d rows -> %s (model %s%s; %.2f s, %.0f rows/s)%n",
        result.summary().scored(), result.summary().quarantined(), result.output(),
        artifact.name(), artifact.version() == null ? "" : " version " + artifact.version(),
        seconds, rows / Math.max(seconds, 1e-9));
    if (result.quarantine() != null) {
      out.printf("quarantined rows and reasons: %s%n", result.quarantine());
    }
    out.flush();
  }

  private ModelArtifact resolve() {
    if (!ModelArtifact.isRegistryUri(model)) {
      return ModelArtifact.local(Path.of(model));
    }
    try (Registry opened = Registry.open(registry.registryConfig())) {
      return ModelArtifact.resolve(model, opened.models());
    }
  }
}
