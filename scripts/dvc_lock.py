#!/usr/bin/env python3
"""Writes dvc.lock for the stages in dvc.yaml from the files on disk, as DVC 3 would after
`dvc repro`: md5 of each dep's and out's bytes (`hash: md5`), its size, and the values of
the params each stage declares. For machines without DVC; with DVC, `dvc repro` (or
`dvc commit`) writes the same file.  Usage: scripts/dvc_lock.py [ROOT]"""
import hashlib
import os
import sys

import yaml


def entry(root, path):
    full = os.path.join(root, path)
    with open(full, "rb") as f:
        data = f.read()
    return {"path": path, "hash": "md5", "md5": hashlib.md5(data).hexdigest(), "size": len(data)}


def paths(items):
    for item in items or []:
        yield next(iter(item)) if isinstance(item, dict) else item


def lookup(data, dotted):
    for key in dotted.split("."):
        data = data[key]
    return data


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    with open(os.path.join(root, "dvc.yaml")) as f:
        pipeline = yaml.safe_load(f)
    with open(os.path.join(root, "params.yaml")) as f:
        params = yaml.safe_load(f)
    stages = {}
    for name, stage in pipeline["stages"].items():
        out = {"cmd": stage["cmd"]}
        deps = [entry(root, p) for p in paths(stage.get("deps"))]
        if deps:
            out["deps"] = sorted(deps, key=lambda e: e["path"])
        if stage.get("params"):
            out["params"] = {"params.yaml": {k: lookup(params, k) for k in sorted(stage["params"])}}
        outs = [entry(root, p) for kind in ("outs", "metrics", "plots") for p in paths(stage.get(kind))]
        if outs:
            out["outs"] = sorted(outs, key=lambda e: e["path"])
        stages[name] = out
    with open(os.path.join(root, "dvc.lock"), "w") as f:
        yaml.safe_dump({"schema": "2.0", "stages": stages}, f, sort_keys=False, width=100)


if __name__ == "__main__":
    main()
