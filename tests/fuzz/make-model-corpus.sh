#!/usr/bin/env bash
# Seeds for fuzz_model: one small model of each learner (300 census training rows, 3 trees,
# 3 boosting rounds of depth 3, a 4-3 MLP; the last xgboost also calibrated both ways), each without its 16-byte md5 trailer (fuzz_model appends it). Models are made
# from DVC-tracked data, so they are generated here, not committed.
#   tests/fuzz/make-model-corpus.sh OUT_DIR [BUILD_DIR]     (default build: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: make-model-corpus.sh OUT_DIR [BUILD_DIR]}
cli=$root/${2:-build}/bin/modelaudit-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/data"
head -301 "$root/data/train.csv" > "$work/data/small.csv"
cp "$root/data/census.schema.yaml" "$work/data/"
for learner in logistic linear_svm random_forest mlp xgboost; do
    sed -e "s/^\(  learner:\) .*/\1 $learner/" -e 's/trees: [0-9]*/trees: 3/' -e 's/min_leaf: [0-9]*/min_leaf: 20/' \
        -e 's/rounds: [0-9]*/rounds: 3/' -e 's/max_depth: [0-9]*/max_depth: 3/' \
        -e 's/hidden1: [0-9]*/hidden1: 4/' -e 's/hidden2: [0-9]*/hidden2: 3/' -e 's/epochs: [0-9]*/epochs: 1/' \
        "$root/params.yaml" > "$work/params.yaml"
    (cd "$work" && "$cli" train --data data/small.csv --params params.yaml --out model.bin 2> /dev/null)
    head -c -16 "$work/model.bin" > "$out/$learner"
done
# Format 2: a calibration map in the header (isotonic breakpoints, Platt's a and b).
head -1001 "$root/data/train.csv" > "$work/data/small.csv" # 100 early-stopping rows to fit a map on
for method in platt isotonic; do
    (cd "$work" && "$cli" train --data data/small.csv --params params.yaml --calibration $method --out model.bin 2> /dev/null)
    head -c -16 "$work/model.bin" > "$out/xgboost-$method"
done
ls -l "$out"
