#!/usr/bin/env bash
# Soak test: about 1,000,000 POST /predict on loopback (bounded by time), sampling the
# server's RSS every 5 s to show it does not grow.  bench/http_soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-45}
port=$((20000 + RANDOM % 20000))
build/bin/modelaudit-cli serve --model models/model.bin --port "$port" --quiet 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
lua=$(mktemp --suffix=.lua)
cat >"$lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"age":39,"workclass":"State-gov","fnlgt":77516,"education":"Bachelors","education-num":13,"marital-status":"Never-married","occupation":"Adm-clerical","relationship":"Not-in-family","race":"White","sex":"Male","capital-gain":2174,"capital-loss":0,"hours-per-week":40,"native-country":"United-States"}'
wrk.headers["Content-Type"] = "application/json"
LUA
wrk -t2 -c32 -d"${seconds}s" -s "$lua" "http://127.0.0.1:$port/predict" > /tmp/modelaudit-soak.txt &
load=$!
for t in $(seq 5 5 "$seconds"); do
    sleep 5
    echo "t=${t}s RSS $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$server/status)"
done
wait $load
grep -E "requests in|Requests/sec|Non-2xx" /tmp/modelaudit-soak.txt || true
echo "final RSS $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$server/status)"
rm -f "$lua"
