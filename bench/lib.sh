# Shared by the bench/run-*-bench.sh scripts (sourced, not run). The caller sets OUT (its
# output folder), JAR and SERVER_JVM_OPTS before calling these, and installs the exit trap:
#   trap stop_started EXIT; trap 'exit 130' INT TERM

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# ---- processes: every one started is recorded and stopped on exit, by its own pid ----------
PIDS=()
declare -A PID_OF_PORT

stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop_started() {
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
}

# The malloc the slipway launcher gives every command: jemalloc when installed (SLIPWAY_JEMALLOC=0
# for glibc's). Servers and in-process jobs measured here run with the same: "${WITH_MALLOC[@]}"
# java ... (env execs java, so a background start's $! is still the JVM's pid).
JEMALLOC=""
if [[ ${SLIPWAY_JEMALLOC:-1} != 0 ]]; then
  JEMALLOC=$(ldconfig -p 2>/dev/null | awk '$1 == "libjemalloc.so.2" && !found {print $NF; found = 1}')
fi
WITH_MALLOC=(env ${JEMALLOC:+"LD_PRELOAD=$JEMALLOC"})

# start_server NAME "EXTRA_JVM_OPTS" MAIN_CLASS [ARGS...]: starts a Java main of $JAR in the
# background and sets STARTED_PID and STARTED_PORT once it prints 'ready port=N' (servers bind
# port 0, so parallel runs and other worktrees never collide). Its output goes to $OUT/NAME.log.
start_server() {
  local name=$1 extra=$2; shift 2
  local logfile=$OUT/$name.log
  # shellcheck disable=SC2086
  "${WITH_MALLOC[@]}" java $SERVER_JVM_OPTS $extra -cp "$JAR" "$@" --port 0 > "$logfile" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  for _ in $(seq 1 900); do
    if ! kill -0 "$STARTED_PID" 2>/dev/null; then
      log "$name died while starting:"; cat "$logfile" >&2; exit 1
    fi
    STARTED_PORT=$(sed -n 's/^ready port=\([0-9]*\).*/\1/p' "$logfile" | head -1)
    if [[ -n $STARTED_PORT ]]; then
      PID_OF_PORT[$STARTED_PORT]=$STARTED_PID
      log "$name ready on port $STARTED_PORT (pid $STARTED_PID)"
      return 0
    fi
    sleep 0.2
  done
  log "$name not ready after 180 s:"; cat "$logfile" >&2; exit 1
}

# ---- wrk --------------------------------------------------------------------------------------
# install_tool COMMAND PACKAGE ALLOWED: apt-get install PACKAGE when COMMAND is missing, ALLOWED
# is 1 and it is possible (root, apt); fails loudly when COMMAND is still missing.
install_tool() {
  local command=$1 package=$2 allowed=$3
  if ! command -v "$command" > /dev/null && [[ $allowed == 1 ]] \
      && command -v apt-get > /dev/null && [[ $(id -u) == 0 ]]; then
    log "installing $package"
    (apt-get update -qq && apt-get install -y -qq "$package") >> "$OUT/apt.log" 2>&1 \
        || log "could not install $package"
  fi
  command -v "$command" > /dev/null \
      || { log "FAIL: $command is not installed (apt-get install $package)"; exit 1; }
}

# install_wrk: install_tool for wrk, allowed by $INSTALL_WRK (default 1).
install_wrk() { install_tool wrk wrk "${INSTALL_WRK:-1}"; }

# wrk's latencies come as 412.00us / 1.23ms / 1.01s: normalise to ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else { print "NaN" } }'
}

# CPU ticks (1/100 s) a process has used: utime + stime, fields 14 and 15 of /proc/PID/stat.
cpu_ticks() {
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# wrk_measure SERVER_PID SECONDS WRK_ARGS...: runs wrk (one thread: on two cores shared with the
# server, more only add contention) bounded in time, appends its output to $OUT/wrk.txt and sets
# WRK_RPS, WRK_P50, WRK_P99 (ms), WRK_ERRORS (non-2xx plus socket errors), WRK_CPU_US (the
# server's CPU per request) and WRK_CORES (the server's cores in use).
wrk_measure() {
  local pid=$1 seconds=$2; shift 2
  local output cpu_before cpu_after
  cpu_before=$(cpu_ticks "$pid")
  output=$(timeout $(( seconds + 30 )) wrk -t1 -d"${seconds}s" --latency "$@" 2>&1 || true)
  cpu_after=$(cpu_ticks "$pid")
  { echo "== wrk $*"; echo "$output"; } >> "$OUT/wrk.txt"
  WRK_RPS=$(awk '/^Requests\/sec:/ {print $2}' <<< "$output")
  WRK_RPS=${WRK_RPS:-NaN}
  WRK_P50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<< "$output")")
  WRK_P99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<< "$output")")
  local non2xx socket
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' <<< "$output")
  socket=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<< "$output")
  WRK_ERRORS=$(( ${non2xx:-0} + ${socket:-0} ))
  # wrk has no warm-up: its whole run is the window ("N requests in 8.00s").
  local cpu_stats
  cpu_stats=$(awk -v ticks=$(( cpu_after - cpu_before )) \
      '/requests in/ { secs = $4; sub(/s,?$/, "", secs)
        if ($1 > 0 && secs > 0) printf "%.1f %.2f\n", ticks * 1e4 / $1, ticks / 100 / secs }' \
      <<< "$output")
  WRK_CPU_US=${cpu_stats% *} WRK_CORES=${cpu_stats#* }
  WRK_CPU_US=${WRK_CPU_US:-NaN} WRK_CORES=${WRK_CORES:-NaN}
}

# ---- profiling (PROFILE=1; the caller sets PROFILE and MEASURE) -------------------------------
# Servers record JFR from launch, with "$(jfr_opts)" among start_server's JVM options: starting
# a recording mid-run deoptimises code and spoils that run. Each profiled run's measurement
# window is then cut out of a dump by event time.
jfr_opts() {
  if [[ $PROFILE == 1 ]]; then echo "-XX:StartFlightRecording=name=bench,settings=profile"; fi
}

# profile_window SKIP: the window of a run starting now whose measurement begins SKIP seconds
# in (its load generator's warm-up), plus a second for the generator's own start.
profile_window() {
  [[ $PROFILE == 1 ]] || return 0
  PROFILE_FROM=$(date -d "+$(( $1 + 1 )) sec" +%H:%M:%S)
  PROFILE_TO=$(date -d "+$(( $1 + ${MEASURE%.*} )) sec" +%H:%M:%S)
}

# profile_report PID NAME: dumps PID's recording and writes NAME's top frames, self and
# inclusive, over the window profile_window set, to $OUT.
profile_report() {
  [[ $PROFILE == 1 ]] || return 0
  local pid=$1 name=$2
  jcmd "$pid" JFR.dump name=bench filename="$OUT/$name.jfr" > /dev/null \
      || { log "no JFR dump from $pid"; return 0; }
  # Java samples, plus native ones (ONNX Runtime and RocksDB run in JNI code, which JFR only sees
  # as native-method samples) except threads idling in epoll_wait, park, sleep or wait.
  # Reports top frames (self time) and every frame (inclusive, once per sample) by count.
  # JFR's profile settings sample native methods every 20 ms and Java every 10 ms: a native
  # sample weighs 2, so that shares are shares of time.
  jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth 64 \
      "$OUT/$name.jfr" > "$OUT/$name.samples.txt" || true
  awk -v self="$OUT/$name.top-self.txt" -v incl="$OUT/$name.top-inclusive.txt" \
      -v from="$PROFILE_FROM" -v to="$PROFILE_TO" '
    /^jdk\.ExecutionSample/ { weight = 1 }
    /^jdk\.NativeMethodSample/ { weight = 2 }
    /startTime = / { time = $3; next }
    /stackTrace = \[/ { in_stack = 1; n = 0; next }
    in_stack && /^[ \t]*\]/ {
      in_stack = 0
      if (time < from || time > to) next
      idle = "epollWait|epollBusyWait|Unsafe\\.park|Object\\.wait|Thread\\.sleep"
      if (n == 0 || frames[1] ~ idle) next
      samples += weight
      top[frames[1]] += weight
      delete seen
      for (i = 1; i <= n; i++) {
        if (!(frames[i] in seen)) { seen[frames[i]] = 1; all[frames[i]] += weight }
      }
      next
    }
    in_stack {
      frame = $0; sub(/^[ \t]+/, "", frame); sub(/[ \t]+line:.*/, "", frame)
      frames[++n] = frame
    }
    END {
      to_self = "sort -rn | head -40 > \"" self "\""
      to_incl = "sort -rn | head -150 > \"" incl "\""
      for (f in top) printf "%6d %5.1f%% %s\n", top[f], 100 * top[f] / samples, f | to_self
      for (f in all) printf "%6d %5.1f%% %s\n", all[f], 100 * all[f] / samples, f | to_incl
      printf "%d busy samples (10 ms each)\n", samples
    }' "$OUT/$name.samples.txt" > "$OUT/$name.count.txt" || true
  log "profile $name ($PROFILE_FROM-$PROFILE_TO, $(cat "$OUT/$name.count.txt")):" \
      "$OUT/$name.top-self.txt, $OUT/$name.top-inclusive.txt"
}

# ---- Redis (the caller sets REDIS_HOST and REDIS_PORT) ----------------------------------------
redis_cli() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@"; }

# delete_redis_keys PREFIX: deletes PREFIX:*, SCAN by SCAN. The servers delete their keys when
# they stop; this catches one that was killed.
delete_redis_keys() {
  command -v redis-cli > /dev/null || return 0
  redis_cli --scan --pattern "$1:*" 2>/dev/null \
      | xargs -r -n 1000 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" DEL > /dev/null 2>&1 || true
}

# ---- the load generator -------------------------------------------------------------------------
# field LINE KEY: the value of key=value in a LoadGenerator result line.
field() { tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p"; }

# machine_basics: what every results folder records of the machine and the checkout.
machine_basics() {
  echo "date: $(date -u)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "malloc: ${JEMALLOC:-glibc}"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# machine_info EXTRA_LINES...: machine_basics, the server JVM and wrk, then EXTRA_LINES.
machine_info() {
  machine_basics
  echo "server JVM: $SERVER_JVM_OPTS"
  # wrk --version exits 1 after printing it.
  echo "wrk: $( (wrk --version 2>&1 || true) | head -1 | cut -d' ' -f1-2), one thread"
  for line in "$@"; do echo "$line"; done
}
