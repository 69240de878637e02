#!/usr/bin/env bash
# Regenerates docs/screenshots/: every tab of the desktop app in the light and dark themes at
# 1280x800 and 1920x1080, as <tab>-<theme>-<W>x<H>.png, headless (xvfb-run) through the GUI's
# own --tab/--theme/--screenshot/--size options, on this repository's project, with an index
# (docs/screenshots/README.md).
#
#   scripts/screenshots.sh [BUILD_DIR]      (default: build; run `make model` first)
#
# The tab list is the one `modelaudit --help` prints (MainWindow::Tab's names), so a new tab is
# picked up without editing this script. Settings go to a throw-away XDG_CONFIG_HOME, so the
# window's saved geometry, columns or theme on this machine do not leak into the pictures, and
# the project's .modelaudit/ workspace state is removed again if this run created it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
gui=$root/$build/bin/modelaudit
out=$root/docs/screenshots
[ -x "$gui" ] || { echo "screenshots.sh: $gui not found; build first (make build)" >&2; exit 1; }
command -v xvfb-run > /dev/null || { echo "screenshots.sh: xvfb-run is not installed (apt-get install xvfb)" >&2; exit 1; }

config=$(mktemp -d)
had_state=0
[ -e "$root/.modelaudit" ] && had_state=1
cleanup() {
    rm -rf "$config"
    [ "$had_state" = 1 ] || rm -rf "$root/.modelaudit"
}
trap cleanup EXIT

# "--tab <name>  Tab to show: project, train, ..., versions." -> project train ... versions
tabs=$(XDG_CONFIG_HOME=$config QT_QPA_PLATFORM=offscreen "$gui" --help 2>/dev/null | tr -s ' \n' ' ' | sed -n 's/.*Tab to show: \([^.]*\)\..*/\1/p' | tr -d ',')
[ -n "$tabs" ] || { echo "screenshots.sh: could not read the tab names from modelaudit --help" >&2; exit 1; }

mkdir -p "$out"
for size in 1280x800 1920x1080; do
    for theme in light dark; do
        for tab in $tabs; do
            png=$out/$tab-$theme-$size.png
            echo "$png"
            XDG_CONFIG_HOME=$config nice -n 10 xvfb-run -a -s "-screen 0 2000x1200x24" \
                "$gui" --project "$root" --tab "$tab" --theme "$theme" --screenshot "$png" --size "$size"
            # Smaller files, same pixels: strip metadata, best zlib compression.
            if command -v convert > /dev/null; then
                convert "$png" -strip -define png:compression-level=9 "$png.tmp" && mv "$png.tmp" "$png"
            fi
        done
    done
done

# An index beside them: one row per tab, light and dark, at each size.
{
    echo "# Screenshots"
    echo
    echo "Every tab of \`modelaudit\` on this repository's project, in the light and dark themes, made"
    echo "headless by [\`scripts/screenshots.sh\`](../../scripts/screenshots.sh) (\`--tab\`, \`--theme\`, \`--size\`,"
    echo "\`--screenshot\`). Regenerate them with \`scripts/screenshots.sh\` after a UI change."
    echo
    echo "| Tab | Light 1280×800 | Dark 1280×800 | Light 1920×1080 | Dark 1920×1080 |"
    echo "|---|---|---|---|---|"
    for tab in $tabs; do
        row="| $tab "
        for size in 1280x800 1920x1080; do
            for theme in light dark; do
                row+="| [![$tab, $theme, $size]($tab-$theme-$size.png)]($tab-$theme-$size.png) "
            done
        done
        echo "$row|"
    done
} > "$out/README.md"
