"""The main window shown at a size, in a language and a theme, and what is wrong with it there.

One window serves every combination (building it takes seconds, switching a fraction of one):
the window-size test matrix and docs/make_screenshots.py both use it.
"""
from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication

from aegui.qt.layout_check import layout_problems

SIZES = ((1024, 700), (1280, 800), (1600, 1000), (1920, 1080))
LANGUAGES = ("en", "es")
THEMES = ("light", "dark")


def settle(seconds: float = 0.25) -> None:
    """Let layouts (several passes) and debounced repaints run."""
    app = QApplication.instance()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def show_as(win, size: tuple[int, int], lang: str, theme_name: str, seconds: float = 0.25) -> None:
    if win.menus.lang_actions[lang].isChecked() is False or QApplication.instance().property("aegui_theme") != theme_name:
        win.menus.set_language(lang)
        win.menus.set_theme(theme_name)
        QApplication.instance().setProperty("aegui_theme", theme_name)
    win.resize(*size)
    settle(seconds)
    for _ in range(2):
        if (win.width(), win.height()) == tuple(size):
            break
        # A panel's minimum can shrink once the layout settles at the new size (the editor
        # puts its grid beside the previews again): ask again, as a window manager would.
        win.resize(*size)
        settle(seconds)


def window_problems(win, size: tuple[int, int] | None = None) -> list[str]:
    """Cut text, a window larger than asked, an editable grid smaller than the previews."""
    problems = layout_problems(win)
    if size is not None and (win.width() > size[0] or win.height() > size[1]):
        problems.append(f"the window needs {win.width()}x{win.height()}, more than {size[0]}x{size[1]}")
    editor = win.editor
    if editor.isVisible() and editor.visibleRegion().isEmpty() is False:
        previews = preview_scale(editor)
        if editor.grid.scale() < previews:
            problems.append(f"the pixel editor's grid ({editor.grid.scale():g} px cells) is smaller "
                            f"than its previews ({previews:g} px cells)")
    return problems


def preview_scale(editor) -> float:
    """The largest cell of the pixel editor's four read-only previews."""
    return max(v.scale() for v in (editor.drawn_view, editor.noisy_view, editor.output_view,
                                   editor.threshold_view))
