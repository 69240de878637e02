#!/usr/bin/env bash
# Builds the Debian package (CPack DEB) from a finished build: first a complete example
# project made with the programs just built (the pipeline of dvc.yaml on the bundled census
# data, run by `modelaudit-cli repro` with `modelaudit-cli` from PATH, and its own dvc.lock),
# then the package. Prints the .deb's path on its last line.   scripts/package.sh [BUILD_DIR]
set -euo pipefail
build=$(realpath "${1:-$(dirname "$0")/../build}")
cd "$(dirname "$0")/.."
bin="$build/bin"
test -x "$bin/modelaudit-cli" || { echo "package: build first (make build)" >&2; exit 1; }
# The raw data is versioned with DVC, not git: fetch it from the bundled remote if needed.
test -f data/raw/census.csv || "$bin/modelaudit-cli" pull >&2
example="$build/example"
rm -rf "$example"
mkdir -p "$example/data/raw" "$example/.dvc"
cp data/raw/census.csv data/raw/census.csv.dvc "$example/data/raw/"
cp data/census.schema.yaml "$example/data/"
cp params.yaml model_card.md audit.yaml .dvcignore "$example/"
# Installed read-only under /usr/share, outside any git repository: DVC's no_scm mode.
printf '[core]\n    no_scm = True\n' > "$example/.dvc/config"
sed 's#build/bin/modelaudit-cli#modelaudit-cli#g' dvc.yaml > "$example/dvc.yaml"
"$bin/modelaudit-cli" repro --update-lock --project "$example" > "$build/example.log" 2>&1 \
    || { cat "$build/example.log" >&2; exit 1; }
rm -rf "$build/package"
(cd "$build" && cpack -G DEB > cpack.log 2>&1) || { cat "$build/cpack.log" >&2; exit 1; }
ls "$build"/package/*.deb
