#!/bin/bash
# abc.sh JAR ROUNDS MODELS...: gRPC (h2load) and REST (wrk) req/s, server CPU µs/req, context switches/req
jar=$1; rounds=$2; shift 2
pkill -f ServerLauncher; sleep 1
java -Xms1g -Xmx1g -XX:+UseG1GC -cp $jar dev.slipway.bench.ServerLauncher --repository /work/prof/bigrepo --port 18080 > /work/prof/srv.log 2>&1 &
PID=$!
sleep 7
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/$PID/stat; }
cs() { cat /proc/$PID/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n}'; }
export WRK_BODY_FILE=/work/prof/big-body.json
run() { # proto model secs
  if [[ $1 == grpc ]]; then h2load -t1 -c2 -m32 -D $3 -H content-type:application/grpc -H te:trailers -d /work/prof/grpc-$2-raw.bin http://127.0.0.1:18080/inference.GRPCInferenceService/ModelInfer 2>&1 | awk '/finished in/ {printf "%.0f", $4}'
  else wrk -t1 -c64 -d${3}s -s /work/main/bench/wrk-post.lua http://127.0.0.1:18080/v2/models/$2/infer | awk '/Requests\/sec/ {printf "%.0f", $2}'; fi; }
for p in grpc rest; do for m in "$@"; do run $p $m 10 > /dev/null; done; done
for r in $(seq $rounds); do for p in grpc rest; do line="$(basename $jar .jar) $p"; for m in "$@"; do
  t0=$(ticks); c0=$(cs); rps=$(run $p $m 5); t1=$(ticks); c1=$(cs)
  line="$line | $m $rps rps $(awk -v t=$((t1-t0)) -v c=$((c1-c0)) -v r=$rps 'BEGIN {printf "%.1f us %.2f cs", t*1e4/(r*5), c/(r*5)}')"
done; echo "$line"; done; done
kill $PID
