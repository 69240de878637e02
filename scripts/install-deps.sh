#!/usr/bin/env bash
# Installs the Debian 12 packages ModelAudit needs, only those that are missing.
# Idempotent and non-interactive; run as root (or with sudo available).
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev libqt6svg6-dev libqt6opengl6-dev
    libdlib-dev libopenblas-dev liblapack-dev libyaml-cpp-dev libgit2-dev libxgboost-dev
    xvfb xauth xdotool imagemagick poppler-utils
    python3 python3-jsonschema python3-yaml
    dpkg-dev file desktop-file-utils clang-format systemd
)
# Extras: --bench (load tests), --lint (clang-tidy).
for extra in "$@"; do
    case "$extra" in
        --bench) packages+=(wrk hyperfine) ;;
        --lint) packages+=(clang-tidy) ;;
        *) echo "install-deps: unknown option $extra (--bench, --lint)" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
