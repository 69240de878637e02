#!/usr/bin/env bash
# Runs the whole pipeline (the stages of dvc.yaml) on the bundled data: what `make run` does
# the first time. The same as `dvc repro` or scripts/repro.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import subprocess, yaml
for name, stage in yaml.safe_load(open("dvc.yaml"))["stages"].items():
    print(f"pipeline: {name}", flush=True)
    subprocess.run(stage["cmd"], shell=True, check=True)
PY
