#!/usr/bin/env bash
# Online feature read over HTTP (issue 4): POST /v1/features/online for 1 entity x 250 FLOAT32
# features (a feature service of all of them), on a Slipway server over RocksDB and over Redis
# (FeatureServerLauncher writes the features first, as materialization would). Two clients, as in
# the server benchmark: the load generator (closed loop, bare Netty, latencies as the users saw
# them) and wrk (one thread; corrects for coordinated omission, so every stall of this shared
# machine shows in its p99). Target of the issue: p99 at most 1 ms over HTTP. In the same run, the
# ceiling: bare Armeria reading the same request and sending back the first store's answer, byte
# for byte (what the transport alone costs for a 24 KB answer on this machine).
# Prints a markdown table on stdout; progress, logs and raw output go to $OUT. Every process it
# starts is stopped on exit and the Redis keys it wrote are deleted; every load run is bounded in
# time and in count (MAX_REQUESTS).
#
# Usage: bench/run-features-bench.sh                 (about 1.5 minutes per store)
# Knobs (environment): STORES="rocksdb redis" ENTITIES=1000 FEATURES=250 ENTITY=42
#   CONCURRENCIES="1 8 32" MEASURE=8 WARMUP=20 MAX_REQUESTS=2000000 REDIS_HOST=127.0.0.1
#   REDIS_PORT=6379 SKIP_BUILD=1 INSTALL_WRK=0 OUT=dir SERVER_JVM_OPTS
#   RENDER_ONLY=dir (print the table of an earlier run's dir again, run nothing)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
STORES=${STORES:-"rocksdb redis"}
ENTITIES=${ENTITIES:-1000}
FEATURES=${FEATURES:-250}
ENTITY=${ENTITY:-42}
CONCURRENCIES=${CONCURRENCIES:-"1 8 32"}
MEASURE=${MEASURE:-8}
WARMUP=${WARMUP:-20}
MAX_REQUESTS=${MAX_REQUESTS:-2000000}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
SKIP_BUILD=${SKIP_BUILD:-0}
OUT=${OUT:-$ROOT/bench/target/features-bench-$(date -u +%Y%m%dT%H%M%SZ)}
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseG1GC"}
CLIENT_JVM_OPTS=${CLIENT_JVM_OPTS:-"-Xms512m -Xmx512m -XX:+UseG1GC"}
JAR=$ROOT/bench/target/benchmarks.jar
PATH_=/v1/features/online

print_table() {
  sed 's/^/    /' "$OUT/machine.txt"
  echo
  echo "### POST $PATH_, 1 entity x $(cat "$OUT/features.txt") FLOAT32 features"
  echo
  echo "loadgen: closed loop, bare Netty, one connection per user, after a warm-up."
  echo "wrk: one thread, its coordinated-omission correction on. errors: non-2xx + socket."
  echo
  echo "| store | client | c | req/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU µs/req |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s |\n",
      $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$RESULTS"
  echo
  echo "raw results: $OUT"
}

if [[ -n ${RENDER_ONLY:-} ]]; then
  OUT=$RENDER_ONLY RESULTS=$RENDER_ONLY/results.tsv
  print_table
  exit 0
fi

mkdir -p "$OUT"
# store client c rps p50 p99 p999 errors server-cpu-µs/request
RESULTS=$OUT/results.tsv
: > "$RESULTS"
echo "$FEATURES" > "$OUT/features.txt"
BODY=$OUT/body.json
echo "{\"feature_service\": \"all\", \"entities\": {\"customer_id\": [$ENTITY]}}" > "$BODY"

REDIS_PREFIXES=()
# The first store's answer, sent back byte for byte by the ceiling server at the end.
CEILING_ANSWER=""
DATA_DIR=$(mktemp -d -t slipway-features-bench.XXXXXX)
cleanup() {
  stop_started
  for prefix in "${REDIS_PREFIXES[@]}"; do delete_redis_keys "$prefix"; done
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# loadgen STORE PORT PATH C WARMUP_SECONDS: one LoadGenerator run, recorded unless WARMUP_SECONDS
# is "warm-up" (then the whole run is a warm-up and nothing is kept).
loadgen() {
  local store=$1 port=$2 path=$3 c=$4 warmup=$5 measure=$MEASURE
  [[ $warmup == warm-up ]] && { warmup=0; measure=$WARMUP; }
  local line
  # shellcheck disable=SC2086
  line=$(timeout $(( ${warmup%.*} + ${measure%.*} + 60 )) java $CLIENT_JVM_OPTS -cp "$JAR" \
      dev.slipway.bench.LoadGenerator --protocol rest --url "http://127.0.0.1:$port" \
      --path "$path" --body "$BODY" --concurrency "$c" --warmup "$warmup" \
      --measure "$measure" --max-requests "$MAX_REQUESTS" --server-pid "${PID_OF_PORT[$port]}" \
      2>> "$OUT/loadgen.err" | grep '^result ' || true)
  [[ $5 == warm-up ]] && return 0
  if [[ -z $line ]]; then
    log "$store loadgen c=$c: no result (see $OUT/loadgen.err)"
    printf '%s\tloadgen\t%s\tNaN\tNaN\tNaN\tNaN\tfailed\tNaN\n' "$store" "$c" >> "$RESULTS"
    return 0
  fi
  log "$store $line"
  printf '%s\tloadgen\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$store" "$c" "$(field "$line" rps)" \
      "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" "$(field "$line" p999_ms)" \
      "$(( $(field "$line" errors) + $(field "$line" warmup_errors) ))" \
      "$(field "$line" server_cpu_us_per_req)" >> "$RESULTS"
}

# measure_server NAME PORT PID PATH: warm-up, then the load generator and wrk at each concurrency.
measure_server() {
  local name=$1 port=$2 pid=$3 path=$4
  log "warming the $name server up (${WARMUP}s at c=8, not recorded)"
  loadgen "$name" "$port" "$path" 8 warm-up
  for c in $CONCURRENCIES; do
    loadgen "$name" "$port" "$path" "$c" 3
    WRK_BODY_FILE=$BODY WRK_MAX_REQUESTS=$MAX_REQUESTS wrk_measure "$pid" "${MEASURE%.*}" \
        -c"$c" -s "$ROOT/bench/wrk-post.lua" "http://127.0.0.1:$port$path"
    log "$name wrk c=$c rps=$WRK_RPS p50_ms=$WRK_P50 p99_ms=$WRK_P99 errors=$WRK_ERRORS" \
        "server_cpu_us_per_req=$WRK_CPU_US"
    printf '%s\twrk\t%s\t%s\t%s\t%s\t-\t%s\t%s\n' "$name" "$c" "$WRK_RPS" "$WRK_P50" \
        "$WRK_P99" "$WRK_ERRORS" "$WRK_CPU_US" >> "$RESULTS"
  done
}

# ---- build, wrk and machine ------------------------------------------------------------------
if [[ $SKIP_BUILD != 1 || ! -f $JAR ]]; then
  log "building bench/target/benchmarks.jar"
  (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
fi
install_wrk
command -v curl > /dev/null || { log "FAIL: curl is not installed"; exit 1; }
machine_info "stores: $STORES; $ENTITIES entities x $FEATURES features, entity $ENTITY asked" \
    "measure=${MEASURE}s per run, warm-up ${WARMUP}s per server (c=8, not recorded)" \
    "max_requests=$MAX_REQUESTS; client JVM: $CLIENT_JVM_OPTS" > "$OUT/machine.txt"

for store in $STORES; do
  store_args=(--store "$store" --entities "$ENTITIES" --features "$FEATURES")
  if [[ $store == rocksdb ]]; then
    store_args+=(--dir "$DATA_DIR/rocksdb")
  elif [[ $store == redis ]]; then
    if ! redis_cli ping 2>/dev/null | grep -q PONG; then
      log "no Redis at $REDIS_HOST:$REDIS_PORT: skipping the redis store"
      continue
    fi
    prefix=slipwaybench$$x$(date +%s)
    REDIS_PREFIXES+=("$prefix")
    store_args+=(--redis-uri "redis://$REDIS_HOST:$REDIS_PORT" --redis-prefix "$prefix")
  else
    log "FAIL: unknown store '$store' (expected rocksdb or redis)"; exit 1
  fi
  start_server "slipway-$store" "" dev.slipway.bench.FeatureServerLauncher "${store_args[@]}"
  PORT=$STARTED_PORT PID=$STARTED_PID
  grep '^wrote' "$OUT/slipway-$store.log" >&2 || true
  answer=$OUT/$store-answer.json
  status=$(curl -sS --max-time 10 -o "$answer" -w '%{http_code}' -H 'Content-Type: application/json' \
      --data-binary "@$BODY" "http://127.0.0.1:$PORT$PATH_") || status=none
  present=$(grep -o '"PRESENT"' "$answer" | wc -l || true)
  if [[ $status != 200 ]] || (( present < FEATURES )); then
    log "FAIL: $store: POST $PATH_ answered $status with $present PRESENT values" \
        "(expected 200 and at least $FEATURES):"; head -c 600 "$answer" >&2; echo >&2
    exit 1
  fi
  log "$store answer: $(wc -c < "$answer") bytes, $present PRESENT statuses"

  [[ -n $CEILING_ANSWER ]] || CEILING_ANSWER=$answer
  measure_server "$store" "$PORT" "$PID" "$PATH_"
  stop_pid "$PID"
  if [[ $store == redis ]]; then
    grep -h '^deleted\|^could not delete' "$OUT/slipway-$store.log" >&2 || true
    delete_redis_keys "$prefix"
  fi
done
# The transport's floor: bare Armeria reading the same request and sending the same bytes back.
if [[ -n $CEILING_ANSWER ]]; then
  start_server ceiling "" dev.slipway.bench.CeilingServer --features-answer "$CEILING_ANSWER"
  measure_server ceiling "$STARTED_PORT" "$STARTED_PID" /ceiling/features
  stop_pid "$STARTED_PID"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

print_table
