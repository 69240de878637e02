#!/usr/bin/env bash
# Posts one real census record to a running predict server and prints the answer: the
# live-client check to run after starting `modelaudit-cli serve`.
#   scripts/live_predict.sh [URL]     (default http://127.0.0.1:8000)
set -euo pipefail
url=${1:-http://127.0.0.1:8000}
record='{"age":52,"workclass":"Self-emp-inc","fnlgt":287927,"education":"HS-grad","education-num":9,"marital-status":"Married-civ-spouse","occupation":"Exec-managerial","relationship":"Wife","race":"White","sex":"Female","capital-gain":15024,"capital-loss":0,"hours-per-week":40,"native-country":"United-States"}'
curl -sS --fail-with-body -X POST "$url/predict" -H 'Content-Type: application/json' ${MODELAUDIT_TOKEN:+-H "Authorization: Bearer $MODELAUDIT_TOKEN"} -d "$record"
echo
