"""Screenshots of the main window at several sizes, in both languages and both themes, and the
text any of them cuts (the same check as tests/qt/test_every_size.py).

python docs/make_window_matrix.py            (writes docs/screenshots/window-WxH-LANG-THEME.png)
python docs/make_window_matrix.py --all      (all 16; by default the 9 the docs keep)
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
os.environ["AEGUI_HOME"] = tempfile.mkdtemp(prefix="aegui-matrix-")

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
KEPT = [((w, h), lang, theme) for (w, h) in ((1280, 800), (1920, 1080)) for lang in ("en", "es")
        for theme in ("light", "dark")] + [((1024, 700), "en", "light")]


def save_small(image, path: Path) -> None:
    """A 256-colour PNG: a window is flat colours and text, a tenth of the bytes."""
    from PIL import Image
    tmp = path.with_suffix(".tmp.png")
    image.save(str(tmp))
    Image.open(tmp).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        path, optimize=True)
    tmp.unlink()


def main() -> int:
    from aegui.qt import theme
    from aegui.qt.main_window import MainWindow
    from aegui.qt.window_matrix import LANGUAGES, SIZES, THEMES, settle, show_as, window_problems
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication([])
    theme.apply("light")
    settings = QSettings(str(Path(os.environ["AEGUI_HOME"]) / "s.ini"), QSettings.IniFormat)
    settings.setValue("guide/done", True)      # no first-run hints over the panels
    win = MainWindow(settings)
    win.confirm_close = False
    win.resize(1280, 800)
    win.show()
    loaded = []
    win.model_loaded.connect(lambda: loaded.append(1))
    win.start_loading()
    end = time.perf_counter() + 120
    while not loaded and time.perf_counter() < end:
        settle(0.05)
    combos = [(s, lang, t) for lang in LANGUAGES for t in THEMES for s in SIZES] if "--all" in sys.argv else KEPT
    OUT.mkdir(parents=True, exist_ok=True)
    bad = 0
    for size, lang, theme_name in combos:
        show_as(win, size, lang, theme_name, seconds=1.0)   # the latent map and charts repaint
        path = OUT / f"window-{size[0]}x{size[1]}-{lang}-{theme_name}.png"
        save_small(win.grab(), path)
        problems = window_problems(win, size)
        bad += bool(problems)
        print(f"{path.name}: {win.width()}x{win.height()}, {len(problems)} problems", *problems, sep="\n  ")
    win.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
