"""The main window shown at a size, in a language, a theme and a perspective, and what is wrong
with it there: text it cuts (layout_check.layout_problems) and room it lacks (room_problems).

One window serves every combination (building it takes seconds, switching a fraction of one):
the window-size test matrix and docs/make_screenshots.py both use it.
"""
from __future__ import annotations

import time

from PySide6.QtWidgets import QApplication

from aegui.qt.layout_check import layout_problems, room, room_problems

SIZES = ((1024, 700), (1280, 800), (1600, 1000), (1920, 1080))
LANGUAGES = ("en", "es")
THEMES = ("light", "dark")
PERSPECTIVES = ("explore", "train", "experiments")


def settle(seconds: float = 0.25) -> None:
    """Let layouts (several passes) and debounced repaints run."""
    app = QApplication.instance()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def show_as(win, size: tuple[int, int], lang: str, theme_name: str, perspective: str | None = None,
            seconds: float = 0.25) -> None:
    if win.menus.lang_actions[lang].isChecked() is False or QApplication.instance().property("aegui_theme") != theme_name:
        win.menus.set_language(lang)
        win.menus.set_theme(theme_name)
        QApplication.instance().setProperty("aegui_theme", theme_name)
    if perspective is not None:
        win.arranger.switch(perspective)
        if perspective == "experiments":
            # Its charts are on the Results tab: measure them, empty as they are before a sweep.
            win.experiments.tabs.setCurrentWidget(win.experiments.results_page)
    win.resize(*size)
    settle(seconds)
    for _ in range(2):
        if (win.width(), win.height()) == tuple(size):
            break
        # A panel's minimum can shrink once the layout settles at the new size: ask again, as a
        # window manager would.
        win.resize(*size)
        settle(seconds)
    win.arranger.fit()      # a test's own resize has no event loop turn before it measures
    settle(0.05)


def window_problems(win, size: tuple[int, int] | None = None) -> list[str]:
    """Cut text, room a panel lacks, a window larger than asked, an editable grid smaller than the
    previews."""
    problems = layout_problems(win) + room_problems(win)
    if size is not None and (win.width() > size[0] or win.height() > size[1]):
        problems.append(f"the window needs {win.width()}x{win.height()}, more than {size[0]}x{size[1]}")
    editor = win.editor
    if editor.isVisible() and editor.visibleRegion().isEmpty() is False:
        previews = preview_scale(editor)
        if editor.grid.scale() < previews:
            problems.append(f"the pixel editor's grid ({editor.grid.scale():g} px cells) is smaller "
                            f"than its previews ({previews:g} px cells)")
    return problems


def room_report(win) -> str:
    """One line of figures: the map's plot area and share of the window, the editor's grid, every
    chart's plot height."""
    r = room(win)
    parts = [f"{win.width()}x{win.height()} {win.arranger.current()}"]
    if r["map"]:
        parts.append(f"map {r['map'][0]}x{r['map'][1]} px = {r['map_share']:.1%} of the window")
    if r["editor_grid"]:
        parts.append(f"editor grid {r['editor_grid']} px tall")
    parts += [f"{name} {h} px" for name, h in r["charts"].items()]
    return "; ".join(parts)


def preview_scale(editor) -> float:
    """The largest cell of the pixel editor's four read-only previews."""
    return max(v.scale() for v in (editor.drawn_view, editor.noisy_view, editor.output_view,
                                   editor.threshold_view))
