#!/usr/bin/env bash
# Load test of `modelaudit-cli serve` on loopback with wrk (bounded: fixed duration).
#   [THREADS=2] [RUNS=3] bench/http.sh [DURATION_S] [CONNECTIONS]   (THREADS: server threads)
# Prints requests/s, latency percentiles, non-2xx count, and the server's RSS before and
# after, for POST /predict with a real census record, plain and explained (?explain=true);
# then batch throughput in records/s.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
cli=build/bin/modelaudit-cli
command -v wrk >/dev/null || { echo "wrk is not installed (make bench installs it)"; exit 1; }
port=$((20000 + RANDOM % 20000))
"$cli" serve --model models/model.bin --host 127.0.0.1 --port "$port" --threads "${THREADS:-2}" --quiet 2>/tmp/modelaudit-serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

record='{"age":52,"workclass":"Self-emp-inc","fnlgt":287927,"education":"HS-grad","education-num":9,"marital-status":"Married-civ-spouse","occupation":"Exec-managerial","relationship":"Wife","race":"White","sex":"Female","capital-gain":15024,"capital-loss":0,"hours-per-week":40,"native-country":"United-States"}'
lua=$(mktemp --suffix=.lua)
cat >"$lua" <<LUA
wrk.method = "POST"
wrk.body = '$record'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("requests/s %.0f  p50 %.2f ms  p99 %.2f ms  non-2xx %d  socket errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    non2xx, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
rss() { awk '/VmRSS/ {print $2/1024 " MB"}' "/proc/$server/status"; }
echo "POST /predict, $connections connections, ${duration}s, 2 wrk threads; server RSS before: $(rss)"
wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$lua" "http://127.0.0.1:$port/predict" | grep -E "requests/s|Requests/sec"
echo "server RSS after: $(rss)"
# Explained answers are CPU-bound on the two cores wrk shares: RUNS repeats (default 3), as a
# shared machine's figures vary from run to run.
echo "POST /predict?explain=true (TreeSHAP attributions in every answer), $connections connections, ${duration}s x ${RUNS:-3}"
for _ in $(seq "${RUNS:-3}"); do
    wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$lua" "http://127.0.0.1:$port/predict?explain=true" | grep -E "requests/s"
done
echo "server RSS after: $(rss)"

batch=$(mktemp --suffix=.json)
{ printf '{"records": ['; for _ in $(seq 999); do printf '%s,' "$record"; done; printf '%s]}' "$record"; } >"$batch"
start=$(date +%s.%N)
for _ in $(seq 20); do curl -sf -X POST "http://127.0.0.1:$port/predict/batch" -H 'Content-Type: application/json' --data-binary "@$batch" >/dev/null; done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "batch: 20 x 1,000 records in %.2f s = %.0f records/s\n", e - s, 20000 / (e - s) }'
rm -f "$lua" "$batch"
