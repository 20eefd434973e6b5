"""Draw aegui's icon: the letter 'a' of the course font (resources/font.h, Font3 0x61) as
rounded dark cells on a light rounded square (from 64 px up the cells that are off show
faintly, so the icon reads as the 5x7 grid the app is about).

    .venv/bin/python installer/make_icons.py              # -> resources/icons/aegui-{16..256}.png, aegui.ico, aegui.icns
    .venv/bin/python installer/make_icons.py --out DIR    # the same files into DIR (tests/test_installer.py)

The PNGs are what the app (window icon) and the Linux .desktop entry use; aegui.ico and
aegui.icns are for PyInstaller builds on Windows and macOS (installer/aegui.spec). Each size
is drawn on its own, on a whole-pixel grid, so 16 and 32 px stay sharp instead of being a
blurred copy of the big one.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aegui.core.data.glyphs import read_font_h  # noqa: E402

SIZES = (16, 32, 48, 64, 128, 256)
# Pixel sizes Pillow writes into an .icns (16 px is stored only as 16@2x, i.e. 32 px).
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)
OUT = ROOT / "resources" / "icons"
BACKGROUND = (236, 240, 245, 255)     # light, cool grey
BORDER = (176, 186, 200, 255)
CELL = (34, 48, 74, 255)              # dark slate blue
GHOST = (214, 220, 229, 255)          # the cells that are off, faintly
SUPERSAMPLE = 8
MAX_CANVAS = 4096   # the supersampled canvas's side: 1024 px is drawn at 4x, not 8x (64 MB, not 256)


def glyph_a():
    """The 7x5 bitmap of 'a' from the shipped course font, as rows of 0/1."""
    for font in read_font_h(ROOT / "resources" / "font.h"):
        for g in font.glyphs:
            if g.code == 0x61:
                return [[(row >> (4 - c)) & 1 for c in range(5)] for row in g.rows]
    raise SystemExit("installer/make_icons.py: no glyph 0x61 ('a') in resources/font.h")


def draw(size: int, bits) -> Image.Image:
    s = max(1, min(SUPERSAMPLE, MAX_CANVAS // size))
    img = Image.new("RGBA", (size * s, size * s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # Background: a rounded square filling the icon (1 px inset from 32 px up, for the border).
    inset = 0 if size < 32 else max(1, size // 32)
    radius = size * 0.2
    d.rounded_rectangle([inset * s, inset * s, (size - inset) * s - 1, (size - inset) * s - 1],
                        radius=radius * s, fill=BACKGROUND,
                        outline=BORDER if size >= 32 else None, width=max(1, size // 64) * s)
    # The 5x7 grid, on whole pixels: pitch is an integer number of target pixels.
    pitch = max(2, round(size * (0.8 if size < 64 else 0.7) / len(bits)))
    if pitch < 6:
        # No room for the faint grid: drop the empty top row so the letter sits in the middle.
        while bits and not any(bits[0]):
            bits = bits[1:]
    rows, cols = len(bits), len(bits[0])
    x0 = (size - cols * pitch) // 2
    y0 = (size - rows * pitch) // 2
    # Target pixels between cells: none, or a whole one, while cells are a few pixels wide.
    gap = 0 if pitch <= 3 else 1 if pitch <= 8 else pitch * 0.12
    cell_radius = 0 if pitch <= 5 else pitch * 0.28
    for r in range(rows):
        for c in range(cols):
            if not bits[r][c] and pitch < 6:
                continue  # ghost cells only where there is room for them
            left = (x0 + c * pitch + gap / 2) * s
            top = (y0 + r * pitch + gap / 2) * s
            right = (x0 + (c + 1) * pitch - gap / 2) * s - 1
            bottom = (y0 + (r + 1) * pitch - gap / 2) * s - 1
            d.rounded_rectangle([left, top, right, bottom], radius=cell_radius * s,
                                fill=CELL if bits[r][c] else GHOST)
    return img.resize((size, size), Image.LANCZOS)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Draw aegui's icon in every size, .ico and .icns.")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the files (default resources/icons)")
    out = parser.parse_args(argv).out
    bits = glyph_a()
    out.mkdir(parents=True, exist_ok=True)
    images = {}
    for size in sorted(set(SIZES) | set(ICNS_SIZES)):
        images[size] = draw(size, bits)
    for size in SIZES:
        path = out / f"aegui-{size}.png"
        images[size].save(path, optimize=True)
        print(path)
    # Each size inside the .ico and .icns is the one drawn for it: a 16 px icon scaled down
    # from 256 px would be a blur.
    images[256].save(out / "aegui.ico", sizes=[(n, n) for n in SIZES],
                     append_images=[images[n] for n in SIZES if n != 256])
    print(out / "aegui.ico")
    try:
        images[1024].save(out / "aegui.icns", append_images=[images[n] for n in ICNS_SIZES])
        print(out / "aegui.icns")
    except (OSError, ValueError) as e:  # not every Pillow build writes icns
        print(f"no aegui.icns ({e}); build it on macOS with iconutil, see docs/packaging.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
