#!/usr/bin/env bash
# `dvc repro` for users without DVC: runs every stage of dvc.yaml in order with the commands
# it declares, then compares every output with dvc.lock and says which stage changed what.
#   scripts/repro.sh [--update-lock]
set -euo pipefail
cd "$(dirname "$0")/.."
test -x build/bin/modelaudit-cli || { echo "repro: build first (make build)"; exit 1; }
python3 - "$@" <<'PY'
import hashlib, subprocess, sys, yaml
pipeline = yaml.safe_load(open("dvc.yaml"))
lock = yaml.safe_load(open("dvc.lock")) if "--update-lock" not in sys.argv else None
changed = 0
for name, stage in pipeline["stages"].items():
    print(f"repro: {name}: {stage['cmd']}", flush=True)
    subprocess.run(stage["cmd"], shell=True, check=True, stderr=subprocess.DEVNULL)
    if lock is None:
        continue
    for out in lock["stages"].get(name, {}).get("outs", []):
        md5 = hashlib.md5(open(out["path"], "rb").read()).hexdigest()
        if md5 != out["md5"]:
            changed += 1
            print(f"repro: {name}: {out['path']} changed: md5 {md5}, dvc.lock has {out['md5']}")
if lock is None:
    subprocess.run(["build/bin/modelaudit-cli", "lock"], check=True)
    print("repro: dvc.lock updated")
else:
    print("repro: every output matches dvc.lock" if not changed else f"repro: {changed} output(s) differ from dvc.lock")
    sys.exit(1 if changed else 0)
PY
