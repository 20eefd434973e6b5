#!/usr/bin/env bash
# Build the one-folder bundle and its tarball:
#     installer/build.sh        (make package runs it after installing PyInstaller into .venv)
#  -> dist/aegui/aegui, dist/aegui/_internal/..., dist/aegui-<version>-linux-<arch>.tar.gz
# PY (default .venv/bin/python) must have aegui's dependencies and PyInstaller installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
t0=$(date +%s)

version=$(sed -n 's/^__version__ *= *"\(.*\)"/\1/p' aegui/__init__.py)
case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=macos ;;
    *) os=$(uname -s | tr '[:upper:]' '[:lower:]') ;;
esac
arch=$(uname -m)

rm -rf dist/aegui
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller installer/aegui.spec

# Launcher entry and its installer travel with the bundle.
cp installer/aegui.desktop installer/install-desktop-entry.sh dist/aegui/
chmod +x dist/aegui/install-desktop-entry.sh

# Fail the build, not the user: the bundle must start and load the demo models.
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
QT_QPA_PLATFORM=offscreen AEGUI_HOME="$home" dist/aegui/aegui --smoke

tarball="dist/aegui-${version}-${os}-${arch}.tar.gz"
if command -v pigz >/dev/null; then gz=pigz; else gz=gzip; fi
tar -C dist -cf - aegui | "$gz" -6 > "$tarball"

echo "bundle:  dist/aegui/ ($(du -sh dist/aegui | cut -f1))"
echo "tarball: $tarball ($(du -sh "$tarball" | cut -f1))"
echo "built in $(( $(date +%s) - t0 )) s"
