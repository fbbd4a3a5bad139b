#!/usr/bin/env bash
# Spark batch-scoring throughput: bc_mlp.onnx over generated breast-cancer-shaped rows (Parquet in,
# Parquet out) on local[2]. Prints rows/s for the scoring write alone and for the whole
# SparkScoringJob, per run. About 1.5 minutes for 1M rows and 3 runs on 2 cores.
#
# Usage: bench/run-spark-bench.sh [--rows N] [--runs R] [--seed S] [--batch-size B] [--work DIR]
# Knobs (environment): SKIP_BUILD=1 (reuse the last build), JAVA_OPTS (default -Xmx4g)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
CLASSPATH_FILE=$ROOT/slipway-spark/target/test-classpath.txt

if [[ ${SKIP_BUILD:-0} != 1 || ! -f $CLASSPATH_FILE ]]; then
  echo "compiling slipway-spark and its test classes" >&2
  # One reactor run (-am, no install): slipway-core resolves to this checkout's classes, not to a
  # snapshot in ~/.m2.
  (cd "$ROOT" && mvn -B -q -pl slipway-spark -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt)
fi

{
  machine_basics
} >&2

# From the repository root, where the benchmark finds fixtures/. SPARK_LOCAL_IP keeps Spark on
# loopback without looking up the machine's address.
cd "$ROOT"
SPARK_LOCAL_IP=127.0.0.1 exec "${WITH_MALLOC[@]}" java ${JAVA_OPTS:--Xmx4g} -Dslipway.fixtures="$ROOT/fixtures" \
    -cp "slipway-spark/target/test-classes:slipway-spark/target/classes:$(cat "$CLASSPATH_FILE")" \
    dev.slipway.spark.bench.SparkPredictBenchmark "$@"
