package dev.slipway.bench;

import dev.slipway.batch.ModelArtifact;
import dev.slipway.batch.OfflinePrediction;
import dev.slipway.batch.ScoringRequest;
import dev.slipway.core.Tensor;
import dev.slipway.core.runtime.Model;
import dev.slipway.core.runtime.ModelLoader;
import dev.slipway.core.runtime.RuntimeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The offline prediction benchmark's two in-process halves (the third, {@code slipway predict}
 * itself, runs as its own process in bench/run-predict-bench.sh so its peak RSS is its own).
 *
 * <pre>
 * generate ROWS FILE.parquet   breast-cancer shaped rows: id + the 30 fixture columns, each row
 *                              a fixture row (cycled) with seeded noise, FLOAT columns (or
 *                              FILE.csv: the same rows as text, with a header row)
 * raw FILE.parquet [MAX_ROWS]  loads up to MAX_ROWS (default 1M) rows into one float[] and
 *                              times a bare ONNX Runtime loop at batch 1024 over them
 * warm FILE.parquet OUT.parquet [ROUNDS]
 *                              the job {@code slipway predict} runs (OfflinePrediction, model
 *                              loaded each round) ROUNDS times (default 6) in this one JVM, as
 *                              the scheduler inside a server runs pipelines: the steady state,
 *                              without the JVM's and the native libraries' start
 * paired FILE.parquet OUT.parquet [PAIRS]
 *                              the raw loop (over up to 1M rows) and the warm job in turns,
 *                              PAIRS times (default 9) after one turn of each: the ratio of each
 *                              pair, their median and range
 * </pre>
 */
public final class OfflinePredictionBench {
  private static final int WIDTH = 30;
  private static final int BATCH = 1024;

  private OfflinePredictionBench() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "generate" -> generate(Long.parseLong(args[1]), Path.of(args[2]));
      case "raw" -> raw(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000);
      case "warm" -> warm(Path.of(args[1]), Path.of(args[2]),
          args.length > 3 ? Integer.parseInt(args[3]) : 6);
      case "paired" -> paired(Path.of(args[1]), Path.of(args[2]),
          args.length > 3 ? Integer.parseInt(args[3]) : 9);
      default -> throw new IllegalArgumentException("expected generate, raw, warm or paired, got "
          + args[0]);
    }
  }

  private static void generate(long rows, Path file) throws Exception {
    Path csv = Fixtures.path("breast_cancer.csv").toAbsolutePath();
    try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckDb.createStatement()) {
      statement.execute("SET autoinstall_known_extensions = false");
      statement.execute("SET memory_limit = '1GB'");
      statement.execute("SELECT setseed(0.42)");
      statement.execute("CREATE TABLE fixture AS SELECT row_number() OVER () - 1 AS n, *"
          + " FROM read_csv('" + csv + "', header = true)");
      List<String> columns;
      try (ResultSet described = statement.executeQuery("DESCRIBE fixture")) {
        columns = new java.util.ArrayList<>();
        while (described.next()) {
          columns.add(described.getString(1));
        }
      }
      StringBuilder select = new StringBuilder("SELECT r.range AS id");
      for (String column : columns.subList(1, 1 + WIDTH)) {
        select.append(", CAST(f.\"").append(column).append("\" * (0.95 + random() * 0.1)")
            .append(" AS FLOAT) AS \"").append(column).append('"');
      }
      select.append(" FROM range(").append(rows).append(") r JOIN fixture f ON f.n = r.range % ")
          .append("(SELECT count(*) FROM fixture) ORDER BY r.range");
      Files.createDirectories(file.toAbsolutePath().getParent());
      boolean asText = file.getFileName().toString().endsWith(".csv");
      statement.execute("COPY (" + select + ") TO '" + file.toAbsolutePath() + "' "
          + (asText ? "(FORMAT csv, HEADER)" : "(FORMAT parquet)"));
    }
    System.out.printf("generated %d rows in %s (%d MB)%n", rows, file,
        Files.size(file) / (1024 * 1024));
  }

  private static void warm(Path input, Path output, int rounds) throws Exception {
    OfflinePrediction.Job job = new OfflinePrediction.Job(input, output, null, List.of("id"),
        List.of(), ScoringRequest.DEFAULT_BATCH_SIZE);
    ModelArtifact model = ModelArtifact.local(Fixtures.path("bc_mlp.onnx"));
    double best = 0;
    String pid = Long.toString(ProcessHandle.current().pid());
    for (int round = 0; round < rounds; round++) {
      // Each round writes a new file, as a first run does: replacing the last round's would
      // add what ext4 does on a rename over an existing file, start writing the new one to
      // disk (9 ms for the 11 MB of a 1M-row output).
      Files.deleteIfExists(output);
      long cpuStart = ProcessCpu.nanos(pid);
      long start = System.nanoTime();
      OfflinePrediction.Result result = OfflinePrediction.run(job, model,
          OfflinePrediction.Progress.NONE);
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuSeconds = (ProcessCpu.nanos(pid) - cpuStart) / 1e9;
      long rows = result.summary().scored();
      // The first round pays for class loading, native libraries and the JIT: not the steady state.
      if (round > 0) {
        best = Math.max(best, rows / seconds);
      }
      System.out.printf("warm round %d: %d rows in %.3f s = %.0f rows/s, %.2f CPU-s%n", round,
          rows, seconds, rows / seconds, cpuSeconds);
    }
    System.out.printf("warm best (rounds 1-%d): %.0f rows/s%n", rounds - 1, best);
  }

  private static void raw(Path file, int maxRows) throws Exception {
    InMemoryRows data = InMemoryRows.load(file, maxRows);
    try (Model model = ModelLoader.withInstalledRuntimes()
        .load(Fixtures.path("bc_mlp.onnx"), RuntimeOptions.DEFAULT)) {
      double best = 0;
      for (int round = 0; round < 5; round++) {
        double seconds = data.score(model);
        best = Math.max(best, data.rows / seconds);
        System.out.printf("raw round %d: %d rows in %.3f s = %.0f rows/s (checksum %.3f)%n",
            round, data.rows, seconds, data.rows / seconds, data.checksum);
      }
      System.out.printf("raw best: %.0f rows/s%n", best);
    }
  }

  /**
   * The raw loop and the warm job in turns in one JVM: on a noisy host each pair sees the same
   * minute, where separate runs of the two saw the raw loop alone move by half.
   */
  private static void paired(Path input, Path output, int pairs) throws Exception {
    InMemoryRows data = InMemoryRows.load(input, 1_000_000);
    OfflinePrediction.Job job = new OfflinePrediction.Job(input, output, null, List.of("id"),
        List.of(), ScoringRequest.DEFAULT_BATCH_SIZE);
    ModelArtifact artifact = ModelArtifact.local(Fixtures.path("bc_mlp.onnx"));
    List<Double> ratios = new ArrayList<>();
    try (Model model = ModelLoader.withInstalledRuntimes()
        .load(Fixtures.path("bc_mlp.onnx"), RuntimeOptions.DEFAULT)) {
      // One turn of each first: class loading, native libraries and the JIT.
      for (int pair = -1; pair < pairs; pair++) {
        double rawRate = data.rows / data.score(model);
        Files.deleteIfExists(output);
        long start = System.nanoTime();
        long rows = OfflinePrediction.run(job, artifact, OfflinePrediction.Progress.NONE)
            .summary().scored();
        double jobRate = rows / ((System.nanoTime() - start) / 1e9);
        if (pair >= 0) {
          ratios.add(jobRate / rawRate);
          System.out.printf("pair %d: raw %.0f rows/s, job %.0f rows/s, ratio %.2f%n", pair,
              rawRate, jobRate, jobRate / rawRate);
        }
      }
    }
    Collections.sort(ratios);
    System.out.printf("paired ratio (job / raw loop, %d pairs): median %.2f, range %.2f-%.2f%n",
        pairs, ratios.get(ratios.size() / 2), ratios.get(0), ratios.get(ratios.size() - 1));
  }

  /** Rows held in one float[], scored by a bare ONNX Runtime loop at batch {@link #BATCH}. */
  private static final class InMemoryRows {
    final float[] values;
    final int rows;
    double checksum;

    private InMemoryRows(float[] values, int rows) {
      this.values = values;
      this.rows = rows;
    }

    static InMemoryRows load(Path file, int maxRows) throws Exception {
      float[] values = new float[maxRows * WIDTH];
      int rows = 0;
      try (Connection duckDb = DriverManager.getConnection("jdbc:duckdb:");
          Statement statement = duckDb.createStatement();
          ResultSet result = statement.executeQuery("SELECT * EXCLUDE (id) FROM '"
              + file.toAbsolutePath() + "' LIMIT " + maxRows)) {
        while (result.next()) {
          for (int f = 0; f < WIDTH; f++) {
            values[rows * WIDTH + f] = result.getFloat(f + 1);
          }
          rows++;
        }
      }
      return new InMemoryRows(values, rows);
    }

    /** One pass over the rows; its seconds. */
    double score(Model model) throws Exception {
      long start = System.nanoTime();
      checksum = 0;
      for (int at = 0; at < rows; at += BATCH) {
        int count = Math.min(BATCH, rows - at);
        float[] batch = new float[count * WIDTH];
        System.arraycopy(values, at * WIDTH, batch, 0, batch.length);
        Tensor output = model.predict(List.of(Tensor.ofFloats("input",
            new long[] {count, WIDTH}, batch))).get(0);
        checksum += output.floats()[1];
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }
}
