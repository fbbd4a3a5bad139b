#!/usr/bin/env bash
# How much dynamic batching gains on this machine, and what stands in its way: big_mlp, one row
# per request, c = 64, unbatched against max batch 32 / 250 µs / one worker, over REST (wrk)
# and gRPC (h2load, raw_input_contents), next to the bare-Armeria ceiling server answering the
# same requests, in alternating rounds; then ONNX Runtime's cost per row at batch 1 and 32
# (JMH). Both C load generators are much lighter than the Java one, which matters when client
# and server share two cores.
#
# Per request, the machine spends at least C, what the ceiling server and its client spend on
# it (cores / ceiling req/s), plus the model's cost per row: M1 unbatched, M32 batched (alone,
# in JMH). The table splits each arm's cost per request (cores / req/s) into those and the
# rest, Slipway's own work (decoding, checking, batching hand-offs, encoding), and gives the
# ratio a server that added nothing to the transport would reach, (M1 + C) / (M32 + C): a
# reference, not a bound, since the model costs more inside a busy server than alone.
#
# Usage: bench/run-batching-bound.sh          (about 5 minutes with the defaults)
# Knobs (environment): ROUNDS=3 MEASURE=6 SERVER_WARMUP=10 CONCURRENCY=64 SKIP_BUILD=1 OUT=dir
#   INSTALL_TOOLS=0 (do not apt-get install wrk and nghttp2-client's h2load when missing)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ROUNDS=${ROUNDS:-3}
MEASURE=${MEASURE:-6}
SERVER_WARMUP=${SERVER_WARMUP:-10}
CONCURRENCY=${CONCURRENCY:-64}
# gRPC: two HTTP/2 connections sharing the streams, as run-server-bench.sh's gRPC runs.
GRPC_CONNECTIONS=2
OUT=${OUT:-$ROOT/bench/target/batching-bound-$(date -u +%Y%m%dT%H%M%SZ)}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseG1GC"}
JAR=$ROOT/bench/target/benchmarks.jar
FIXTURES=$ROOT/fixtures
BATCHED=big_b32_d250_w1
mkdir -p "$OUT"
REPO_DIR=$(mktemp -d -t slipway-bound-repo.XXXXXX)
cleanup() {
  stop_started
  rm -rf "$REPO_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ ${SKIP_BUILD:-0} != 1 || ! -f $JAR ]]; then
  log "building bench/target/benchmarks.jar"
  (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
fi
install_tool wrk wrk "${INSTALL_TOOLS:-1}"
install_tool h2load nghttp2-client "${INSTALL_TOOLS:-1}"
machine_info "h2load: $(h2load --version 2>&1 | head -1), $GRPC_CONNECTIONS connections" \
    > "$OUT/machine.txt"

for model in big "$BATCHED"; do
  mkdir -p "$REPO_DIR/$model/1"
  cp "$FIXTURES/big_mlp.onnx" "$REPO_DIR/$model/1/model.onnx"
done
printf 'max_batch_size: 32\nmax_queue_delay_microseconds: 250\nbatch_workers: 1\n' \
    > "$REPO_DIR/$BATCHED/config.yaml"
java -cp "$JAR" dev.slipway.bench.InputRow "$FIXTURES/big_inputs.csv" 0 > "$OUT/rest-body.json"
for model in big "$BATCHED"; do
  java -cp "$JAR" dev.slipway.bench.InputRow "$FIXTURES/big_inputs.csv" 0 --grpc-frame "$model" \
      > "$OUT/grpc-$model.bin"
done

start_server ceiling "" dev.slipway.bench.CeilingServer
CEILING_PORT=$STARTED_PORT
start_server slipway "" dev.slipway.bench.ServerLauncher --repository "$REPO_DIR"
SLIPWAY_PORT=$STARTED_PORT

GRPC_PATH=/inference.GRPCInferenceService/ModelInfer
# h2load sees HTTP statuses only; a gRPC failure is a trailer: check each model answers once.
for model in big "$BATCHED"; do
  status=$(nghttp -v -d "$OUT/grpc-$model.bin" -H 'content-type: application/grpc' \
      -H 'te: trailers' "http://127.0.0.1:$SLIPWAY_PORT$GRPC_PATH" 2>&1 \
      | sed -n 's/.*grpc-status: *\([0-9]*\).*/\1/p' | head -1)
  [[ $status == 0 ]] || { log "FAIL: gRPC ModelInfer on $model: grpc-status '$status'"; exit 1; }
done

# measure NAME PROTOCOL PORT TARGET SECONDS: one run; appends "NAME PROTOCOL req/s errors
# server-CPU-µs/request" to $OUT/results.txt (TARGET: a model, or "ceiling").
measure() {
  local name=$1 protocol=$2 port=$3 target=$4 seconds=$5
  local pid=${PID_OF_PORT[$port]} rps errors cpu
  if [[ $protocol == rest ]]; then
    local path=/v2/models/$target/infer
    [[ $target == ceiling ]] && path=/ceiling
    WRK_BODY_FILE=$OUT/rest-body.json WRK_MAX_REQUESTS=2000000 wrk_measure "$pid" "$seconds" \
        -c"$CONCURRENCY" -s "$ROOT/bench/wrk-post.lua" "http://127.0.0.1:$port$path"
    rps=$WRK_RPS errors=$WRK_ERRORS cpu=$WRK_CPU_US
  else
    local body=$OUT/grpc-${target/ceiling/big}.bin output before after
    before=$(cpu_ticks "$pid")
    output=$(timeout $(( seconds + 30 )) h2load -t1 -c"$GRPC_CONNECTIONS" \
        -m$(( CONCURRENCY / GRPC_CONNECTIONS )) -D "$seconds" -d "$body" \
        -H 'content-type: application/grpc' -H 'te: trailers' \
        "http://127.0.0.1:$port$GRPC_PATH" 2>&1 || true)
    after=$(cpu_ticks "$pid")
    { echo "== h2load $name $target"; echo "$output"; } >> "$OUT/h2load.txt"
    rps=$(awk '/^finished in/ { print $4 }' <<< "$output")
    # Failed, errored and timed-out requests, then 3xx, 4xx and 5xx answers.
    errors=$(awk '/^requests:/ { n += $10 + $12 + $14 } /^status codes:/ { n += $5 + $7 + $9 }
        END { print n + 0 }' <<< "$output")
    cpu=$(awk -v ticks=$(( after - before )) -v rps="${rps:-0}" -v s="$seconds" \
        'BEGIN { if (rps > 0) printf "%.1f", ticks * 1e4 / (rps * s); else print "NaN" }')
  fi
  echo "$name $protocol ${rps:-NaN} ${errors:-NaN} $cpu" >> "$OUT/results.txt"
  log "$name $protocol: ${rps:-NaN} req/s, errors ${errors:-NaN}, server CPU $cpu µs/req"
}

log "warming up (${SERVER_WARMUP}s per server, model and protocol, not recorded)"
for protocol in rest grpc; do
  measure warmup "$protocol" "$CEILING_PORT" ceiling "$SERVER_WARMUP" > /dev/null
  for model in big "$BATCHED"; do
    measure warmup "$protocol" "$SLIPWAY_PORT" "$model" "$SERVER_WARMUP" > /dev/null
  done
done
: > "$OUT/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  log "round $round of $ROUNDS"
  for protocol in rest grpc; do
    measure ceiling "$protocol" "$CEILING_PORT" ceiling "$MEASURE"
    measure unbatched "$protocol" "$SLIPWAY_PORT" big "$MEASURE"
    measure batched "$protocol" "$SLIPWAY_PORT" "$BATCHED" "$MEASURE"
  done
done
stop_started

log "ONNX Runtime, big_mlp at batch 1 and 32 (JMH)"
(cd "$ROOT" && java -Duser.language=en -Duser.country=US -jar "$JAR" OnnxPredictBenchmark \
    -p modelAndBatch=big_mlp:1,big_mlp:32 -f 1 -wi 3 -w 1 -i 5 -r 1 \
    -rf csv -rff "$OUT/jmh.csv") > "$OUT/jmh.txt" 2>&1
# The CSV (CRLF lines): the parameter last, the score (µs per call) fifth.
jmh_score() {
  awk -F, -v param="$1" '{ sub(/\r$/, ""); gsub(/"/, "") } $NF == param { print $5 }' \
      "$OUT/jmh.csv"
}
M1=$(jmh_score big_mlp:1)
M32=$(awk -v call="$(jmh_score big_mlp:32)" 'BEGIN { printf "%.2f", call / 32 }')

cat "$OUT/machine.txt" | sed 's/^/    /'
echo
printf "ONNX Runtime per row (JMH): M1 = %.2f µs at batch 1, M32 = %.2f µs at batch 32\n" \
    "$M1" "$M32"
echo
echo "| round | protocol | ceiling req/s | C µs | unbatched req/s | batched req/s | ratio |" \
    "Slipway's own µs/req, unbatched | batched | reference (M1 + C) / (M32 + C) |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -v m1="$M1" -v m32="$M32" -v cores="$(nproc)" -v rounds="$ROUNDS" '
  function own(rps, model) { return sprintf("%.1f", cores * 1e6 / rps - model - c) }
  { n[$2 "|" $1]++; rps[$2 "|" $1 "|" n[$2 "|" $1]] = $3 }
  END {
    split("rest grpc", protocols, " ")
    for (p = 1; p <= 2; p++) {
      for (r = 1; r <= rounds; r++) {
        proto = protocols[p]
        ceiling = rps[proto "|ceiling|" r]; base = rps[proto "|unbatched|" r]
        batched = rps[proto "|batched|" r]
        if (!(ceiling + 0 > 0 && base + 0 > 0 && batched + 0 > 0)) {
          printf "| %d | %s | a run failed: see results.txt |\n", r, proto
          continue
        }
        c = cores * 1e6 / ceiling
        printf "| %d | %s | %.0f | %.1f | %.0f | %.0f | %.2f | %s | %s | %.2f |\n", r, proto,
            ceiling, c, base, batched, batched / base, own(base, m1), own(batched, m32),
            (m1 + c) / (m32 + c)
      }
    }
  }' "$OUT/results.txt"
echo
echo "errors and server CPU per request: $OUT/results.txt; raw output: $OUT"
