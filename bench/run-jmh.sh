#!/usr/bin/env bash
# In-process micro-benchmarks (JMH): Open Inference Protocol JSON decode/encode for one bc_mlp
# row, and one ONNX Runtime call through ModelLoader for bc_mlp batch 1 and big_mlp batch 1 / 32.
# Prints a markdown table (rows/s for the runtime calls) on stdout; JMH's own output and CSV
# results go to $OUT. About 2 minutes with the defaults.
#
# Usage: bench/run-jmh.sh [extra JMH options, e.g. -f 3 or a benchmark regex]
# Knobs (environment): SKIP_BUILD=1 OUT=dir
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
OUT=${OUT:-$ROOT/bench/target/jmh-$(date -u +%Y%m%dT%H%M%SZ)}
JAR=$ROOT/bench/target/benchmarks.jar
mkdir -p "$OUT"

if [[ ${SKIP_BUILD:-0} != 1 || ! -f $JAR ]]; then
  echo "building bench/target/benchmarks.jar" >&2
  (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
fi

{
  machine_basics
} > "$OUT/machine.txt"

# Run from the repository root: the benchmarks find fixtures/ there (forks inherit the cwd).
# An English locale keeps the CSV's decimal points.
(cd "$ROOT" && java -Duser.language=en -Duser.country=US -jar "$JAR" \
    -rf csv -rff "$OUT/jmh.csv" "$@") | tee "$OUT/jmh.txt" >&2

sed 's/^/    /' "$OUT/machine.txt"
echo
echo "| benchmark | params | µs/op | ± (99.9%) | rows/s |"
echo "|---|---|---:|---:|---:|"
# JMH's CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit",
# then "Param: modelAndBatch" (empty for the JSON benchmarks); lines end in CRLF.
awk -F, 'NR > 1 {
  for (i = 1; i <= NF; i++) gsub(/["\r]/, "", $i)
  n = split($1, parts, "."); name = parts[n - 1] "." parts[n]
  rows = ""
  if ($8 != "") { split($8, mb, ":"); rows = sprintf("%.0f", mb[2] / $5 * 1e6) }
  error = $6 == "NaN" ? "" : sprintf("%.3f", $6)
  printf "| %s | %s | %.3f | %s | %s |\n", name, $8, $5, error, rows
}' "$OUT/jmh.csv"
