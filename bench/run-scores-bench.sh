#!/usr/bin/env bash
# Pre-computed score look-up benchmark, end to end over loopback: GET /v1/scores/churn/{entity}
# on a Slipway server with no models and one score deployment (ScoreServerLauncher: N entities'
# scores in RocksDB, or in Redis), against the bare-Armeria ceiling server's fixed answer of the
# same size and shape (GET /ceiling/scores/...), with wrk, one thread, a random entity among N per
# request (bench/wrk-scores.lua), c = 1 8 32. The ceiling runs right after Slipway at each c, in
# the same run, so that both see the same machine. Target of the issue: at c=32, at least 0.6 of
# the ceiling's req/s.
# Prints a markdown table on stdout; progress, logs, wrk output (and JFR profiles with PROFILE=1)
# go to $OUT. Every process it starts is stopped on exit and the Redis keys it wrote are deleted;
# every load run is bounded in time (wrk -d, timeout) and in count (WRK_MAX_REQUESTS).
#
# Usage: bench/run-scores-bench.sh                  (about 1.5 minutes per store)
# Knobs (environment): STORES="rocksdb" (or "rocksdb redis") ENTITIES=100000 MEASURE=8 WARMUP=20
#   CONCURRENCIES="1 8 32" MAX_REQUESTS=2000000 REDIS_HOST=127.0.0.1 REDIS_PORT=6379
#   SKIP_BUILD=1 PROFILE=1 INSTALL_WRK=0 OUT=dir SERVER_JVM_OPTS
#   RENDER_ONLY=dir (print the table of an earlier run's dir again, run nothing)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
STORES=${STORES:-rocksdb}
ENTITIES=${ENTITIES:-100000}
MEASURE=${MEASURE:-8}
WARMUP=${WARMUP:-20}
CONCURRENCIES=${CONCURRENCIES:-"1 8 32"}
MAX_REQUESTS=${MAX_REQUESTS:-2000000}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
PROFILE=${PROFILE:-0}
INSTALL_WRK=${INSTALL_WRK:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
OUT=${OUT:-$ROOT/bench/target/scores-bench-$(date -u +%Y%m%dT%H%M%SZ)}
# Same flags as the server benchmark: fixed heap, no resizing during a run.
SERVER_JVM_OPTS=${SERVER_JVM_OPTS:-"-Xms1g -Xmx1g -XX:+UseG1GC"}
JAR=$ROOT/bench/target/benchmarks.jar
LUA=$ROOT/bench/wrk-scores.lua


# ---- table: from $RESULTS, so that RENDER_ONLY=dir can print it again -----------------------
print_table() {
  sed 's/^/    /' "$OUT/machine.txt"
  echo
  echo "### Score look-up (GET /v1/scores/churn/{random entity of $(cat "$OUT/entities.txt")})" \
      "against the ceiling (bare Armeria, fixed answer)"
  echo
  echo "wrk, one thread. ratio: Slipway req/s / ceiling req/s, same c, ceiling measured right"
  echo "after. CPU ratio: the ceiling's server CPU time per request / Slipway's, which the"
  echo "machine's other load disturbs less. errors: non-2xx answers plus socket errors."
  echo
  echo -n "| store | c | req/s | p50 ms | p99 ms | errors | ceiling req/s | ratio"
  echo " | server CPU µs/req | ceiling CPU µs/req | CPU ratio |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '
    # "NaN" compares as a string, above 0: force numbers.
    function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2f", a / b) : "n/a" }
    { row[NR] = $0; if ($1 == "ceiling") { rps[$2 "|" $3] = $4; cpu[$2 "|" $3] = $8 } }
    END {
      for (i = 1; i <= NR; i++) {
        split(row[i], f, "\t")
        if (f[1] != "slipway") continue
        key = f[2] "|" f[3]
        printf "| %s | %s | %.0f | %s | %s | %s | %.0f | %s | %s | %s | %s |\n", f[2], f[3],
            f[4], f[5], f[6], f[7], rps[key], ratio(f[4], rps[key]), f[8], cpu[key],
            ratio(cpu[key], f[8])
      }
    }' "$RESULTS"
  echo
  echo "raw results: $OUT"
}

if [[ -n ${RENDER_ONLY:-} ]]; then
  OUT=$RENDER_ONLY RESULTS=$RENDER_ONLY/results.tsv
  print_table
  exit 0
fi

mkdir -p "$OUT"
# server store c rps p50 p99 errors server-cpu-µs/request server-cores
RESULTS=$OUT/results.tsv
: > "$RESULTS"
echo "$ENTITIES" > "$OUT/entities.txt"

# ---- processes: every one we start is recorded and stopped on exit, by its own pid ----------
REDIS_PREFIXES=()
DATA_DIR=$(mktemp -d -t slipway-scores-bench.XXXXXX)
cleanup() {
  stop_started
  for prefix in "${REDIS_PREFIXES[@]}"; do delete_redis_keys "$prefix"; done
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- profiling (PROFILE=1): bench/lib.sh; wrk has no warm-up, its first second is skipped ----
JFR_OPTS=$(jfr_opts)
profile_start() { profile_window 0; }

# ---- load ------------------------------------------------------------------------------------
# run_wrk PORT PATH_PREFIX C SECONDS: wrk's output on stdout.
run_wrk() {
  local port=$1 prefix=$2 c=$3 seconds=$4
  # One wrk thread: on two cores shared with the server, more threads only add contention.
  WRK_PATH_PREFIX=$prefix WRK_ENTITIES=$ENTITIES WRK_MAX_REQUESTS=$MAX_REQUESTS \
      timeout $(( seconds + 30 )) wrk -t1 -c"$c" -d"${seconds}s" --latency -s "$LUA" \
      "http://127.0.0.1:$port" 2>&1 || true
}

# wrk_load SERVER STORE PID PORT PATH_PREFIX C
wrk_load() {
  local server=$1 store=$2 pid=$3 port=$4 prefix=$5 c=$6
  WRK_PATH_PREFIX=$prefix WRK_ENTITIES=$ENTITIES WRK_MAX_REQUESTS=$MAX_REQUESTS \
      wrk_measure "$pid" "${MEASURE%.*}" -c"$c" -s "$LUA" "http://127.0.0.1:$port"
  log "$server $store c=$c rps=$WRK_RPS p50_ms=$WRK_P50 p99_ms=$WRK_P99 errors=$WRK_ERRORS" \
      "server_cpu_us_per_req=$WRK_CPU_US server_cores=$WRK_CORES" \
      "load=$(cut -d' ' -f1 /proc/loadavg)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$store" "$c" "$WRK_RPS" \
      "$WRK_P50" "$WRK_P99" "$WRK_ERRORS" "$WRK_CPU_US" "$WRK_CORES" >> "$RESULTS"
}

# check_answer NAME URL [REQUIRED_TEXT]: fails loudly unless a 200 JSON answer (holding the text).
check_answer() {
  local name=$1 url=$2 text=${3:-}
  local status body=$OUT/$name-answer.json
  status=$(curl -sS --max-time 10 -o "$body" -w '%{http_code} %{content_type}' "$url") || {
    log "FAIL: $name: no answer from $url"; exit 1; }
  if [[ $status != "200 application/json"* ]] || ! grep -q "^{" "$body" \
      || [[ -n $text && $(cat "$body") != *"$text"* ]]; then
    log "FAIL: $name: GET $url answered '$status', expected 200 JSON${text:+ with $text}:"
    cat "$body" >&2; echo >&2
    exit 1
  fi
  log "$name answer ($(wc -c < "$body") bytes): $(cat "$body")"
}

# ---- build, wrk and machine ------------------------------------------------------------------
if [[ $SKIP_BUILD != 1 || ! -f $JAR ]]; then
  log "building bench/target/benchmarks.jar"
  (cd "$ROOT" && mvn -B -q -pl bench -am package -DskipTests)
fi
install_wrk
command -v curl > /dev/null || { log "FAIL: curl is not installed"; exit 1; }

{
  machine_basics
  echo "stores: $STORES; entities: $ENTITIES; measure=${MEASURE}s per run, warm-up ${WARMUP}s" \
      "per server (c=32, not recorded); max_requests=$MAX_REQUESTS"
  echo "server JVM: $SERVER_JVM_OPTS"
  # wrk --version exits 1 after printing it.
  echo "wrk: $( (wrk --version 2>&1 || true) | head -1 | cut -d' ' -f1-2), one thread"
} > "$OUT/machine.txt"

# ---- the ceiling, then each store ------------------------------------------------------------
start_server ceiling "$JFR_OPTS" dev.slipway.bench.CeilingServer
CEILING_PID=$STARTED_PID CEILING_PORT=$STARTED_PORT
CEILING_PREFIX=/ceiling/scores/churn/
SCORES_PREFIX=/v1/scores/churn/
check_answer ceiling "http://127.0.0.1:$CEILING_PORT${CEILING_PREFIX}42" '"source":"precomputed"'

for store in $STORES; do
  store_args=(--store "$store" --entities "$ENTITIES")
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
  log "writing $ENTITIES entities' scores to $store and starting the score server"
  start_server "slipway-$store" "$JFR_OPTS" dev.slipway.bench.ScoreServerLauncher \
      "${store_args[@]}"
  SCORE_PID=$STARTED_PID SCORE_PORT=$STARTED_PORT
  grep '^wrote' "$OUT/slipway-$store.log" >&2 || true
  check_answer "slipway-$store" "http://127.0.0.1:$SCORE_PORT${SCORES_PREFIX}$(( ENTITIES - 1 ))" \
      '"source":"precomputed"'

  # Long enough for C2 to finish: with 10 s at c=8, the score server was still compiling its
  # request path during the first measured run (JFR: C2 thread busy, ScoresApi.answer compiled
  # 25 s in), which cost it a third of its req/s on a loaded machine.
  log "warming both servers up (${WARMUP}s each at c=32, not recorded)"
  run_wrk "$SCORE_PORT" "$SCORES_PREFIX" 32 "$WARMUP" > /dev/null
  run_wrk "$CEILING_PORT" "$CEILING_PREFIX" 32 "$WARMUP" > /dev/null

  for c in $CONCURRENCIES; do
    [[ $c == 32 ]] && profile_start
    wrk_load slipway "$store" "$SCORE_PID" "$SCORE_PORT" "$SCORES_PREFIX" "$c"
    [[ $c == 32 ]] && profile_report "$SCORE_PID" "slipway-$store-c32"
    [[ $c == 32 ]] && profile_start
    wrk_load ceiling "$store" "$CEILING_PID" "$CEILING_PORT" "$CEILING_PREFIX" "$c"
    [[ $c == 32 ]] && profile_report "$CEILING_PID" "ceiling-$store-c32"
  done
  stop_pid "$SCORE_PID"
  if [[ $store == redis ]]; then
    grep -h '^deleted\|^could not delete' "$OUT/slipway-$store.log" >&2 || true
    left=$(redis_cli --scan --pattern "$prefix:*" | wc -l)
    (( left == 0 )) || { log "$left Redis keys left under $prefix:, deleting"; \
        delete_redis_keys "$prefix"; }
  fi
done
stop_pid "$CEILING_PID"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

print_table
