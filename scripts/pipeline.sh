#!/usr/bin/env bash
# Runs the whole pipeline on the bundled data with modelaudit-cli: clean, split, train,
# evaluate. The same commands as the dvc.yaml stages, for users without DVC.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cli="$build/bin/modelaudit-cli"

"$cli" clean --in data/raw/census.csv --out data/census_clean.csv
"$cli" split --in data/census_clean.csv --train data/train.csv --test data/test.csv \
    --test-size 0.2 --seed 42 --stratify
"$cli" train --data data/train.csv --params params.yaml --out models/model.bin
"$cli" evaluate --model models/model.bin --data data/test.csv --out metrics.json
"$cli" slices --model models/model.bin --data data/test.csv --out slices.json --csv slices.csv \
    --text slice_output.txt
"$cli" bias --model models/model.bin --data data/test.csv --out bias.json --csv bias.csv
"$cli" card --model models/model.bin --data data/test.csv --card model_card.md --out model_card.md
