#!/usr/bin/env bash
# Server benchmarks for Slipway, end to end over loopback, re-runnable in one go:
#   1. Slipway (bc_mlp) against a bare-Armeria ceiling server, REST and gRPC, c = 1 8 32, with
#      the bench module's closed-loop load generator and, if installed, wrk for REST;
#   2. dynamic batching on big_mlp at c = 64, one row per request: unbatched against a few
#      batching configurations, REST, then gRPC for the best one.
# Prints markdown tables on stdout; progress, logs, raw result lines (and JFR profiles with
# PROFILE=1) go to $OUT. Every server it starts is stopped on exit, every load run is bounded in
# time (--warmup + --measure, wrk -d, timeout) and in count (--max-requests, WRK_MAX_REQUESTS).
#
# Usage: bench/run-server-bench.sh            (about 12 minutes with the defaults)
# Knobs (environment): WARMUP=3 MEASURE=8 SERVER_WARMUP=20 CONCURRENCIES="1 8 32"
#   BATCH_CONCURRENCY=64
#   BATCH_CONFIGS="32:250:1 32:1000:1 32:4000:1 32:1000:2 64:1000:1" (max_batch:delay_us:workers)
#   MAX_REQUESTS=2000000 LOADGEN_CLIENTS="netty armeria" GRPC_CONNECTIONS="1 2"
#   SKIP_BUILD=1 PROFILE=1 INSTALL_WRK=0 OUT=dir
#   RENDER_ONLY=dir (print the tables of an earlier run's dir again, run nothing)
#   SERVER_JVM_OPTS CLIENT_JVM_OPTS
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
WARMUP=${WARMUP:-3}
# Seconds of untimed load per protocol on each server before anything is measured: the JIT must
# be done with the request path (with 5 s, JFR still showed C2 compiling Slipway's JSON and
# HTTP code during the first measured run on a slow day).
SERVER_WARMUP=${SERVER_WARMUP:-20}
MEASURE=${MEASURE:-8}
CONCURRENCIES=${CONCURRENCIES:-"1 8 32"}
BATCH_CONCURRENCY=${BATCH_CONCURRENCY:-64}
BATCH_CONFIGS=${BATCH_CONFIGS:-"32:250:1 32:1000:1 32:4000:1 32:1000:2 64:1000:1"}
MAX_REQUESTS=${MAX_REQUESTS:-2000000}
# netty: the lean client (default); armeria: Armeria's own clients, heavier, as a Java caller.
LOADGEN_CLIENTS=${LOADGEN_CLIENTS:-netty}
# gRPC users share this many HTTP/2 connections (1 = one channel, as most gRPC clients).
GRPC_CONNECTIONS=${GRPC_CONNECTIONS:-"1 2"}
PROFILE=${PROFILE:-0}
INSTALL_WRK=${INSTALL_WRK:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
OUT=${OUT:-$ROOT/bench/target/server-bench-$(date -u +%Y%m%dT%H%M%SZ)}
# Fixed heap: no resizing during a run. Same flags for the ceiling and Slipway.
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseG1GC"}
CLIENT_JVM_OPTS=${CLIENT_JVM_OPTS:-"-Xms512m -Xmx512m"}
CLIENT_JVM_OPTS="$CLIENT_JVM_OPTS -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
JAR=$ROOT/bench/target/benchmarks.jar
FIXTURES=$ROOT/fixtures
BC_INPUT=$FIXTURES/breast_cancer.csv
BIG_INPUT=$FIXTURES/big_inputs.csv

# ---- tables: from $RESULTS, so that RENDER_ONLY=dir can print them again --------------------
print_tables() {
  cat "$OUT/machine.txt" | sed 's/^/    /'
  echo
  echo "### Slipway (bc_mlp, one row) against the ceiling (bare Armeria, fixed answer)"
  echo
  echo "req/s ratio: Slipway / ceiling, same protocol, c and client. CPU ratio: the ceiling's"
  echo "server CPU time per request / Slipway's, which the machine's other load disturbs less."
  echo
  echo -n "| protocol | c | client | req/s | p50 ms | p99 ms | errors | server CPU µs/req"
  echo " | server cores | ceiling req/s | req/s ratio | CPU ratio |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '
    # "NaN" compares as a string, above 0: force numbers.
    function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2f", a / b) : "n/a" }
    { key = $2 "|" $3 "|" $4; rps[key] = $5; cpu[key] = $9; row[NR] = $0 }
    END {
      for (pass = 1; pass <= 2; pass++) {
        for (i = 1; i <= NR; i++) {
          split(row[i], f, "\t")
          if (f[1] != (pass == 1 ? "slipway" : "ceiling")) continue
          ceiling = "ceiling-" f[2] "|" f[3] "|" f[4]
          printf "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s |", \
              f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]
          if (pass == 1) {
            printf " %.0f | %s | %s |\n", rps[ceiling], ratio(f[5], rps[ceiling]), \
                ratio(cpu[ceiling], f[9])
          } else {
            printf " | | |\n"
          }
        }
      }
    }' "$RESULTS"
  echo
  echo "### Dynamic batching, big_mlp, one row per request," \
      "c=$(awk -F'\t' '$1 == "big" { print $3; exit }' "$RESULTS")"
  echo
  echo -n "| model (big_bMAXBATCH_dDELAYµs_wWORKERS) | protocol | client | req/s | p50 ms"
  echo " | p99 ms | errors | server CPU µs/req | server cores | ratio to unbatched |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '
    $1 ~ /^big/ { row[++n] = $0; if ($1 == "big") base[$2] = $5 }
    END {
      for (i = 1; i <= n; i++) {
        split(row[i], f, "\t")
        ratio = base[f[2]] + 0 > 0 ? sprintf("%.2f", f[5] / base[f[2]]) : "n/a"
        printf "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s |\n",
            f[1], f[2], f[4], f[5], f[6], f[7], f[8], f[9], f[10], ratio
      }
    }' "$RESULTS"
  echo
  local best
  best=$(awk -F'\t' '$1 ~ /^big_/ && $2 == "rest" && $5 + 0 > best {
      best = $5 + 0; model = $1 } END { print model ? model : "none" }' "$RESULTS")
  echo "best batching configuration (by REST req/s): $best"
  echo "raw results: $OUT"
}

if [[ -n ${RENDER_ONLY:-} ]]; then
  OUT=$RENDER_ONLY RESULTS=$RENDER_ONLY/results.tsv
  print_tables
  exit 0
fi

mkdir -p "$OUT"
# name protocol c client rps p50 p99 errors server-cpu-µs/request server-cores
RESULTS=$OUT/results.tsv
: > "$RESULTS"

# ---- processes: every one started is stopped on exit (bench/lib.sh) ----------------------------
REPO_DIR=$(mktemp -d -t slipway-bench-repo.XXXXXX)
cleanup() {
  stop_started
  rm -rf "$REPO_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- load ------------------------------------------------------------------------------------

# load NAME PROTOCOL PORT C MODEL INPUT CLIENT_LABEL [extra LoadGenerator options...]
load() {
  local name=$1 protocol=$2 port=$3 c=$4 model=$5 input=$6 client=$7; shift 7
  local budget=$(( ${WARMUP%.*} + ${MEASURE%.*} + 60 ))
  local line
  # timeout is a last resort only: the generator stops by itself after warm-up + measure.
  # shellcheck disable=SC2086
  line=$(timeout "$budget" java $CLIENT_JVM_OPTS -cp "$JAR" dev.slipway.bench.LoadGenerator \
      --protocol "$protocol" --url "http://127.0.0.1:$port" --model "$model" \
      --concurrency "$c" --warmup "$WARMUP" --measure "$MEASURE" \
      --max-requests "$MAX_REQUESTS" --input "$input" --server-pid "${PID_OF_PORT[$port]}" \
      "$@" 2>> "$OUT/loadgen.err" | grep '^result ' || true)
  if [[ -z $line ]]; then
    log "$name $protocol c=$c: no result (see $OUT/loadgen.err)"
    printf '%s\t%s\t%s\t%s\tNaN\tNaN\tNaN\tfailed\tNaN\tNaN\n' "$name" "$protocol" "$c" \
        "$client" >> "$RESULTS"
    return 0
  fi
  echo "$name $line" >> "$OUT/raw-results.txt"
  log "$name $line"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$protocol" "$c" "$client" \
      "$(field "$line" rps)" "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" \
      "$(( $(field "$line" errors) + $(field "$line" warmup_errors) ))" \
      "$(field "$line" server_cpu_us_per_req)" "$(field "$line" server_cpu_cores)" >> "$RESULTS"
}

# wrk_load NAME PROTOCOL PORT PATH C BODY_FILE
wrk_load() {
  local name=$1 protocol=$2 port=$3 path=$4 c=$5 body=$6
  WRK_BODY_FILE=$body WRK_MAX_REQUESTS=$MAX_REQUESTS wrk_measure "${PID_OF_PORT[$port]}" \
      "${MEASURE%.*}" -c"$c" -s "$ROOT/bench/wrk-post.lua" "http://127.0.0.1:$port$path"
  log "$name wrk $protocol c=$c rps=$WRK_RPS p50_ms=$WRK_P50 p99_ms=$WRK_P99" \
      "errors=$WRK_ERRORS server_cpu_us_per_req=$WRK_CPU_US"
  printf '%s\t%s\t%s\twrk\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$protocol" "$c" "$WRK_RPS" \
      "$WRK_P50" "$WRK_P99" "$WRK_ERRORS" "$WRK_CPU_US" "$WRK_CORES" >> "$RESULTS"
}

# ---- profiling (PROFILE=1): bench/lib.sh; the load generator warms up before it measures ----
JFR_OPTS=$(jfr_opts)
profile_start() { profile_window "${WARMUP%.*}"; }

# ---- build and machine -----------------------------------------------------------------------
if [[ $SKIP_BUILD != 1 || ! -f $JAR ]]; then
  log "building bench/target/benchmarks.jar"
  (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
fi
if ! command -v wrk > /dev/null && [[ $INSTALL_WRK == 1 ]] && command -v apt-get > /dev/null \
    && [[ $(id -u) == 0 ]]; then
  log "installing wrk"
  (apt-get update -qq && apt-get install -y -qq wrk) > "$OUT/apt.log" 2>&1 \
      || log "could not install wrk; skipping wrk runs"
fi
HAVE_WRK=0
command -v wrk > /dev/null && HAVE_WRK=1

{
  machine_basics
  echo "warmup=${WARMUP}s measure=${MEASURE}s max_requests=$MAX_REQUESTS"
  echo "server JVM: $SERVER_JVM_OPTS; client JVM: $CLIENT_JVM_OPTS"
  # wrk --version exits 1 after printing it.
  if [[ $HAVE_WRK == 1 ]]; then
    echo "wrk: $( (wrk --version 2>&1 || true) | head -1 | cut -d' ' -f1-2)"
  else
    echo "wrk: not installed, wrk rows skipped"
  fi
} > "$OUT/machine.txt"

# ---- part 1: Slipway against the ceiling -----------------------------------------------------
mkdir -p "$REPO_DIR/bc/bc/1"
cp "$FIXTURES/bc_mlp.onnx" "$REPO_DIR/bc/bc/1/model.onnx"
start_server ceiling "$JFR_OPTS" dev.slipway.bench.CeilingServer
CEILING_PID=$STARTED_PID CEILING_PORT=$STARTED_PORT
start_server slipway-bc "$JFR_OPTS" dev.slipway.bench.ServerLauncher --repository "$REPO_DIR/bc"
SLIPWAY_PID=$STARTED_PID SLIPWAY_PORT=$STARTED_PORT

BODY=$OUT/bc-body.json
java -cp "$JAR" dev.slipway.bench.InputRow "$BC_INPUT" 0 > "$BODY"

log "warming both servers up (${SERVER_WARMUP}s per protocol each, c=8, not recorded)"
for protocol in rest grpc; do
  for target in "$protocol $SLIPWAY_PORT" "ceiling-$protocol $CEILING_PORT"; do
    timeout $(( SERVER_WARMUP + 60 )) java $CLIENT_JVM_OPTS -cp "$JAR" \
        dev.slipway.bench.LoadGenerator --protocol "${target% *}" \
        --url "http://127.0.0.1:${target#* }" --concurrency 8 --warmup 0 \
        --measure "$SERVER_WARMUP" --max-requests "$MAX_REQUESTS" --input "$BC_INPUT" \
        > /dev/null 2>> "$OUT/loadgen.err" || true
  done
done

for c in $CONCURRENCIES; do
  for client in $LOADGEN_CLIENTS; do
    [[ $c == 32 && $client == netty ]] && profile_start
    load slipway rest "$SLIPWAY_PORT" "$c" bc "$BC_INPUT" "$client" --client "$client"
    [[ $c == 32 && $client == netty ]] && profile_report "$SLIPWAY_PID" slipway-rest-c32
    [[ $c == 32 && $client == netty ]] && profile_start
    load ceiling ceiling-rest "$CEILING_PORT" "$c" bc "$BC_INPUT" "$client" --client "$client"
    [[ $c == 32 && $client == netty ]] && profile_report "$CEILING_PID" ceiling-rest-c32
    for connections in $GRPC_CONNECTIONS; do
      (( connections > c )) && continue
      label="$client, $connections conn"
      [[ $c == 32 && $client == netty && $connections == 1 ]] && profile_start
      load slipway grpc "$SLIPWAY_PORT" "$c" bc "$BC_INPUT" "$label" --client "$client" \
          --connections "$connections"
      [[ $c == 32 && $client == netty && $connections == 1 ]] \
          && profile_report "$SLIPWAY_PID" slipway-grpc-c32
      load ceiling ceiling-grpc "$CEILING_PORT" "$c" bc "$BC_INPUT" "$label" --client "$client" \
          --connections "$connections"
    done
  done
  if [[ $HAVE_WRK == 1 ]]; then
    wrk_load slipway rest "$SLIPWAY_PORT" /v2/models/bc/infer "$c" "$BODY"
    wrk_load ceiling ceiling-rest "$CEILING_PORT" /ceiling "$c" "$BODY"
  fi
done
stop_pid "$SLIPWAY_PID"
stop_pid "$CEILING_PID"

# ---- part 2: dynamic batching on big_mlp -----------------------------------------------------
mkdir -p "$REPO_DIR/big/big/1"
cp "$FIXTURES/big_mlp.onnx" "$REPO_DIR/big/big/1/model.onnx"
BATCHED_MODELS=()
for config in $BATCH_CONFIGS; do
  IFS=: read -r max_batch delay workers <<< "$config"
  name=big_b${max_batch}_d${delay}_w${workers}
  mkdir -p "$REPO_DIR/big/$name/1"
  cp "$FIXTURES/big_mlp.onnx" "$REPO_DIR/big/$name/1/model.onnx"
  printf 'max_batch_size: %s\nmax_queue_delay_microseconds: %s\nbatch_workers: %s\n' \
      "$max_batch" "$delay" "$workers" > "$REPO_DIR/big/$name/config.yaml"
  BATCHED_MODELS+=("$name")
done
start_server slipway-big "$JFR_OPTS" dev.slipway.bench.ServerLauncher --repository "$REPO_DIR/big"
BIG_PID=$STARTED_PID BIG_PORT=$STARTED_PORT

# Both protocols: after a REST-only warm-up, unbatched gRPC ran at a third of its warm rate
# (Dec 3), which made gRPC's batching ratio look twice as high as it is.
log "warming the big_mlp server up ($(( SERVER_WARMUP / 2 ))s per model and protocol, not recorded)"
for model in big "${BATCHED_MODELS[@]}"; do
  for protocol in rest grpc; do
    # shellcheck disable=SC2046
    timeout $(( SERVER_WARMUP + 60 )) java $CLIENT_JVM_OPTS -cp "$JAR" \
        dev.slipway.bench.LoadGenerator --protocol "$protocol" \
        $([[ $protocol == grpc ]] && echo --connections 2) \
        --url "http://127.0.0.1:$BIG_PORT" --model "$model" \
        --concurrency "$BATCH_CONCURRENCY" --warmup 0 --measure $(( SERVER_WARMUP / 2 )) \
        --max-requests "$MAX_REQUESTS" --input "$BIG_INPUT" > /dev/null \
        2>> "$OUT/loadgen.err" || true
  done
done

profile_start
load big rest "$BIG_PORT" "$BATCH_CONCURRENCY" big "$BIG_INPUT" netty
profile_report "$BIG_PID" slipway-big-unbatched
best_model=""
best_rps=0
for model in "${BATCHED_MODELS[@]}"; do
  load "$model" rest "$BIG_PORT" "$BATCH_CONCURRENCY" "$model" "$BIG_INPUT" netty
  rps=$(awk -F'\t' -v m="$model" '$1 == m && $2 == "rest" {print $5}' "$RESULTS")
  if awk -v a="$rps" -v b="$best_rps" 'BEGIN {exit !(a + 0 > b + 0)}'; then
    best_rps=$rps best_model=$model
  fi
done
if [[ -n $best_model ]]; then
  # Two connections: with one, every call lands on one server event loop, i.e. one core.
  load big grpc "$BIG_PORT" "$BATCH_CONCURRENCY" big "$BIG_INPUT" "netty, 2 conn" \
      --connections 2
  profile_start
  load "$best_model" grpc "$BIG_PORT" "$BATCH_CONCURRENCY" "$best_model" "$BIG_INPUT" \
      "netty, 2 conn" --connections 2
  profile_report "$BIG_PID" slipway-big-batched-grpc
fi
stop_pid "$BIG_PID"

print_tables
