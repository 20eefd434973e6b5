#!/usr/bin/env bash
# Package the one-folder bundle as a Debian package (make package runs it after build.sh):
#     installer/build-deb.sh [BUNDLE [OUTDIR]]        defaults: dist/aegui  dist
#  -> OUTDIR/aegui_<version>_<arch>.deb, which installs
#       /opt/aegui/...                                 the bundle (aegui + _internal/)
#       /usr/bin/aegui                                 runs /opt/aegui/aegui with its arguments
#       /usr/share/applications/aegui.desktop          the menu entry (installer/aegui.desktop)
#       /usr/share/icons/hicolor/NxN/apps/aegui.png    the icon (resources/icons)
# No maintainer scripts: dpkg then removes exactly the files above and nothing in anyone's home
# (~/.local/share/aegui or AEGUI_HOME stays); desktop-file-utils' and the icon theme's dpkg
# triggers refresh the menu and icon caches. Needs dpkg-deb >= 1.19 (--root-owner-group), no root.
# DEB_COMPRESS (gzip, xz, zstd, none; default gzip: fast in `make package` and CI, and every
# dpkg reads it) and DEB_MAINTAINER override the defaults.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle=${1:-$root/dist/aegui}
out=${2:-$root/dist}

fail() { echo "build-deb.sh: $*" >&2; exit 2; }
[ -x "$bundle/aegui" ] || fail "no executable 'aegui' in the bundle folder $bundle (run installer/build.sh first)"
[ -d "$bundle/_internal" ] || fail "no _internal/ folder in the bundle folder $bundle (not a PyInstaller one-folder bundle)"
command -v dpkg-deb >/dev/null || fail "dpkg-deb is not installed (it comes with dpkg on Debian and Ubuntu)"

version=$(sed -n 's/^__version__ *= *"\(.*\)"/\1/p' "$root/aegui/__init__.py")
if command -v dpkg >/dev/null; then
    arch=$(dpkg --print-architecture)
else
    case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
fi
# The bundle carries libraries from the build machine, which need its glibc or a newer one.
glibc=$(getconf GNU_LIBC_VERSION | awk '{print $2}')

stage=$(mktemp -d "${TMPDIR:-/tmp}/aegui-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" "$stage/DEBIAN"
cp -a "$bundle" "$stage/opt/aegui"
# The tarball's per-user launcher files: the package installs the entry system-wide instead.
rm -f "$stage/opt/aegui/install-desktop-entry.sh" "$stage/opt/aegui/aegui.desktop"

# A wrapper, not a symlink: the bundle looks for _internal/ beside the executable it was started as.
printf '#!/bin/sh\nexec /opt/aegui/aegui "$@"\n' > "$stage/usr/bin/aegui"
chmod 755 "$stage/usr/bin/aegui"
cp "$root/installer/aegui.desktop" "$stage/usr/share/applications/aegui.desktop"
for n in 16 32 48 64 128 256; do
    mkdir -p "$stage/usr/share/icons/hicolor/${n}x${n}/apps"
    cp "$root/resources/icons/aegui-$n.png" "$stage/usr/share/icons/hicolor/${n}x${n}/apps/aegui.png"
done
# Whatever the builder's umask was: readable by all, writable by root only.
chmod -R u+rwX,go=rX "$stage/opt" "$stage/usr"

# Qt's xcb platform plugin needs these; PyInstaller bundles them only where the build machine had
# them installed (an install on a system without them failed: "Could not load the Qt platform plugin xcb").
XCB_HELPERS="libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxkbcommon-x11-0"
# The desktop libraries the bundle leaves to the system (X11, fontconfig, freetype, glib, D-Bus, ...):
# their packages, from installer/bundle_options.py.
SYSTEM_LIBS=$("${PY:-python3}" "$root/installer/bundle_options.py" deb-depends)

size_kib=$(du -sk "$stage/opt" "$stage/usr" | awk '{s += $1} END {print s}')
cat > "$stage/DEBIAN/control" <<EOF
Package: aegui
Version: $version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-aegui maintainers <aegui@users.noreply.github.com>}
Installed-Size: $size_kib
Depends: libc6 (>= $glibc), libxcb1, libgl1, libegl1, $XCB_HELPERS, $SYSTEM_LIBS
Section: science
Priority: optional
Description: autoencoder studio for students
 Build, train and explore autoencoders on 5x7 fonts, emoji and digits:
 a desktop window (draw a glyph, walk the latent space, train and watch)
 and the aegui command line (train, eval, decode, sweep, report).
 .
 Self-contained: Python, Qt and a CPU build of PyTorch are inside /opt/aegui.
 User data stays in ~/.local/share/aegui (or AEGUI_HOME) and is kept on removal.
EOF
(cd "$stage" && find opt usr -type f -print0 | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/aegui_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-gzip}" --build "$stage" "$deb" >/dev/null
echo "deb:     $deb ($(du -sh "$deb" | cut -f1))"
