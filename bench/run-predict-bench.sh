#!/usr/bin/env bash
# Offline prediction benchmark (issue 5): bc_mlp over N breast-cancer shaped rows, Parquet to
# Parquet with `slipway predict` (cold: its own process), against a bare ONNX Runtime loop over
# 1M of the same rows in memory at batch 1024, in the same run; then the same job warm, run
# in-process as the scheduler inside a server runs pipelines (OfflinePredictionBench warm), and
# the raw loop and the warm job in turns in one JVM (paired: a ratio per pair of the same minute).
# Prints rows/s and peak RSS (from /usr/bin/time).
#
# Usage: bench/run-predict-bench.sh [ROWS ...]     (default: 1000000 10000000)
# Knobs (environment): SKIP_BUILD=1 OUT=dir INPUT_FORMAT=csv (the input as CSV text, default
# parquet; the raw loop reads the same rows)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
OUT=${OUT:-$ROOT/bench/target/predict-$(date -u +%Y%m%dT%H%M%SZ)}
JAR=$ROOT/bench/target/benchmarks.jar
mkdir -p "$OUT"
if [[ ${SKIP_BUILD:-0} != 1 || ! -f $JAR ]]; then
  echo "building bench/target/benchmarks.jar and the slipway command" >&2
  (cd "$ROOT" && mvn -B -q -pl bench,slipway-app -am package -DskipTests)
fi
cd "$ROOT"
machine_basics
# Builds the command and its class archive now, so that no timed run includes them.
./slipway --version > /dev/null
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000000 10000000)
for rows in "${sizes[@]}"; do
  input=$OUT/input-$rows.${INPUT_FORMAT:-parquet}
  java -cp "$JAR" dev.slipway.bench.OfflinePredictionBench generate "$rows" "$input"
  java -cp "$JAR" dev.slipway.bench.OfflinePredictionBench raw "$input" 1000000 | tail -1
  /usr/bin/time -v -o "$OUT/time-$rows.txt" ./slipway predict --model fixtures/bc_mlp.onnx \
    --input "$input" --output "$OUT/scores-$rows.parquet" --key id 2>/dev/null
  echo "peak RSS (slipway predict, $rows rows): $(awk '/Maximum resident/ {printf "%.0f MB", $6/1024}' \
    "$OUT/time-$rows.txt"), wall $(awk -F': ' '/Elapsed/ {print $2}' "$OUT/time-$rows.txt")"
  "${WITH_MALLOC[@]}" java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$JAR" \
    dev.slipway.bench.OfflinePredictionBench warm "$input" "$OUT/warm-$rows.parquet" \
    "$(( rows > 5000000 ? 3 : 6 ))" 2>/dev/null | tail -1
  "${WITH_MALLOC[@]}" java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$JAR" \
    dev.slipway.bench.OfflinePredictionBench paired "$input" "$OUT/warm-$rows.parquet" \
    "$(( rows > 5000000 ? 3 : 9 ))" 2>/dev/null | tail -1
  rm -f "$OUT/warm-$rows.parquet"
  rm -f "$input" "$OUT/scores-$rows.parquet"
done
