"""Screenshots of the main window at several sizes, in both languages, both themes and each
perspective, with the text any of them cuts and the room rules they break (the same checks as
tests/qt/test_every_size.py), and the room each panel gets (docs/screenshots/room.json: the
map's plot area and share of the window, the editor's grid, every chart's plot height).

python tools/make_window_matrix.py            (writes docs/screenshots/window-WxH-LANG-THEME[-PERSPECTIVE].png)
python tools/make_window_matrix.py --all      (all 48; by default the ones the docs keep)
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

sys.path.insert(0, str(ROOT / "tools"))
from make_screenshots import demo_window  # noqa: E402  (it also sets AEGUI_HOME to a fresh folder)

OUT = ROOT / "docs" / "screenshots"
KEPT = ([((w, h), lang, theme, "explore") for (w, h) in ((1280, 800), (1920, 1080)) for lang in ("en", "es")
         for theme in ("light", "dark")]
        + [((1024, 700), lang, "light", "explore") for lang in ("en", "es")]
        + [((w, h), "en", "light", p) for (w, h) in ((1280, 800), (1024, 700)) for p in ("train", "experiments")])


def save_small(image, path: Path) -> None:
    """A 256-colour PNG: a window is flat colours and text, a tenth of the bytes."""
    from PIL import Image
    tmp = path.with_suffix(".tmp.png")
    image.save(str(tmp))
    Image.open(tmp).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        path, optimize=True)
    tmp.unlink()


def main() -> int:
    from aegui.qt.window.layout_check import room
    from aegui.qt.window.window_matrix import LANGUAGES, PERSPECTIVES, SIZES, THEMES, room_report, show_as, window_problems
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication([])
    win = demo_window(app)
    combos = ([(s, lang, t, p) for lang in LANGUAGES for t in THEMES for p in PERSPECTIVES for s in SIZES]
              if "--all" in sys.argv else KEPT)
    OUT.mkdir(parents=True, exist_ok=True)
    bad = 0
    rooms = {}
    for size, lang, theme_name, perspective in combos:
        show_as(win, size, lang, theme_name, perspective)   # the latent map and charts repaint
        tail = "" if perspective == "explore" else f"-{perspective}"
        path = OUT / f"window-{size[0]}x{size[1]}-{lang}-{theme_name}{tail}.png"
        save_small(win.grab(), path)
        problems = window_problems(win, size)
        bad += bool(problems)
        rooms[path.stem.removeprefix("window-")] = room(win)
        print(f"{path.name}: {room_report(win)}; {len(problems)} problems", *problems, sep="\n  ")
    (OUT / "room.json").write_text(json.dumps(rooms, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    win.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
