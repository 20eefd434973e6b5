#!/usr/bin/env sh
# Add aegui to the desktop's application menu (for this user; no root needed):
#     ./install-desktop-entry.sh            run from the unpacked bundle (the folder holding `aegui`)
#     ./install-desktop-entry.sh --remove   take it out again
# It installs the icon in every size under ~/.local/share/icons/hicolor and a .desktop entry
# whose Exec points at this folder's `aegui`, so move the folder first, then run this.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
icons="$here/_internal/resources/icons"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$data/applications/aegui.desktop"
    for n in 16 32 48 64 128 256; do rm -f "$data/icons/hicolor/${n}x${n}/apps/aegui.png"; done
    echo "removed the aegui menu entry"
    exit 0
fi
[ -x "$here/aegui" ] || { echo "install-desktop-entry.sh: no aegui executable next to this script" >&2; exit 2; }
for n in 16 32 48 64 128 256; do
    mkdir -p "$data/icons/hicolor/${n}x${n}/apps"
    cp "$icons/aegui-$n.png" "$data/icons/hicolor/${n}x${n}/apps/aegui.png"
done
mkdir -p "$data/applications"
sed -e "s|^Exec=.*|Exec=\"$here/aegui\"|" -e "s|^TryExec=.*|TryExec=$here/aegui|" \
    "$here/aegui.desktop" > "$data/applications/aegui.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "installed $data/applications/aegui.desktop (runs $here/aegui)"
