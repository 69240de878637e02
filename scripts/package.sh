#!/usr/bin/env bash
# Builds the Debian package (CPack DEB) from a finished build: first a complete example
# project made with the programs just built (the pipeline of dvc.yaml on the bundled census
# data, calling `modelaudit-cli` from PATH, with its own dvc.lock), then the package.
# Prints the .deb's path on its last line.   scripts/package.sh [BUILD_DIR]
set -euo pipefail
build=$(realpath "${1:-$(dirname "$0")/../build}")
cd "$(dirname "$0")/.."
bin="$build/bin"
test -x "$bin/modelaudit-cli" || { echo "package: build first (make build)" >&2; exit 1; }
example="$build/example"
rm -rf "$example"
mkdir -p "$example/data/raw" "$example/.dvc"
cp data/raw/census.csv "$example/data/raw/"
cp data/census.schema.yaml "$example/data/"
cp params.yaml model_card.md .dvcignore "$example/"
# Installed read-only under /usr/share, outside any git repository: DVC's no_scm mode.
printf '[core]\n    no_scm = True\n' > "$example/.dvc/config"
sed 's#build/bin/modelaudit-cli#modelaudit-cli#g' dvc.yaml > "$example/dvc.yaml"
(
    cd "$example"
    PATH="$bin:$PATH" python3 - <<'PY'
import subprocess, yaml
for name, stage in yaml.safe_load(open("dvc.yaml"))["stages"].items():
    print(f"package: example: {name}", flush=True)
    subprocess.run(stage["cmd"], shell=True, check=True, stderr=subprocess.DEVNULL)
PY
)
"$bin/modelaudit-cli" lock --project "$example" 2>/dev/null
rm -rf "$build/package"
(cd "$build" && cpack -G DEB > cpack.log 2>&1) || { cat "$build/cpack.log" >&2; exit 1; }
ls "$build"/package/*.deb
