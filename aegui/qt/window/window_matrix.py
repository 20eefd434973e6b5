"""The main window shown at a size, in a language, a theme and a perspective, and what is wrong
with it there: text it cuts (layout_check.layout_problems) and room it lacks (room_problems).

One window serves every combination (building it takes seconds, switching a fraction of one):
the window-size test matrix and tools/make_screenshots.py both use it.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEventLoop, QThread, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from aegui.qt.workers import threads
from aegui.qt.window.layout_check import layout_problems, room, room_problems

SIZES = ((1024, 700), (1280, 800), (1600, 1000), (1920, 1080))
LANGUAGES = ("en", "es")
THEMES = ("light", "dark")
PERSPECTIVES = ("explore", "train", "experiments")


def settle(max_passes: int = 100) -> int:
    """Process events until the windows hold still, then return the passes it took.

    A layout settles in several passes (a label's word wrap asks for height after its width is
    known; the editor shares its preview scale and the arranger fits the docks on single-shot
    timers; a chart lays its title out after its view is resized), and how long those passes take
    depends on the machine's load, so no fixed wait is ever enough: this stops only when two
    passes in a row changed no widget's or chart's geometry and no single-shot timer of the
    windows is pending. Bounded by `max_passes` (a timer that re-arms itself forever)."""
    app = QApplication.instance()
    last, still = None, 0
    for n in range(1, max_passes + 1):
        QCoreApplication.sendPostedEvents()
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        for top in app.topLevelWidgets():
            if top.isVisible() and top.layout() is not None:
                top.layout().activate()
        now = _geometry(app)
        pending = _pending_timers(app)
        still = still + 1 if now == last and not pending else 0
        if still >= 2:
            return n
        last = now
        if pending:
            # Wait for the next one to fire (events are handled as they come), not a fixed time.
            QThread.msleep(max(1, min(t.remainingTime() for t in pending)))
    return max_passes


def settle_work(timeout_s: float = 120.0) -> bool:
    """settle(), after the work the panels handed to workers (the editor's output for the model
    just loaded, the map's pictures) and whatever their results start in turn, until a pass
    starts no worker: a picture taken then shows what the window goes on to show, not "no model
    loaded" beside a model that is loaded. False if workers still ran after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not threads.wait_for_workers(round(left * 1000)):
            return False
        before = threads.started()
        settle()
        if threads.started() == before and QThreadPool.globalInstance().activeThreadCount() == 0:
            return True


def wait_for(condition, timeout_s: float = 120.0) -> bool:
    """Handle events until `condition()` holds (a worker's result, the demo models loaded), then
    settle; False if it did not hold within `timeout_s` (a bound for a failure, not a wait)."""
    import time
    app = QApplication.instance()
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            return False
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    settle()
    return True


def _geometry(app) -> tuple:
    """Where every visible widget of the shown windows is, the minimum height a wrapped label asked
    for, and where every chart's plot items are (the windows closed by earlier tests are left out:
    walking all of the application's widgets made each pass slower as a test session went on)."""
    import pyqtgraph as pg
    out = []
    shown = [top for top in app.topLevelWidgets() if top.isVisible()]
    for w in shown + [c for top in shown for c in top.findChildren(QWidget)]:
        if w.isVisible():
            g = w.geometry()
            out.append((id(w), g.x(), g.y(), g.width(), g.height(), w.minimumHeight()))
            if isinstance(w, pg.GraphicsView):
                for item in w.scene().items():
                    if isinstance(item, pg.PlotItem):
                        r = item.vb.sceneBoundingRect()
                        out.append((id(item), round(r.x()), round(r.y()), round(r.width()), round(r.height())))
    return tuple(sorted(out))


def _pending_timers(app) -> list:
    """The active single-shot timers of the visible windows that are due soon (debounced layout
    work to come; a throttle of a second or more is a rate, not a layout pass)."""
    return [t for top in app.topLevelWidgets() if top.isVisible() for t in top.findChildren(QTimer)
            if t.isActive() and t.isSingleShot() and t.interval() <= 250]


def show_as(win, size: tuple[int, int], lang: str, theme_name: str, perspective: str | None = None) -> None:
    """The window at `size`, in a language, a theme and a perspective, its layout settled."""
    # Each as a user changes it, the one that changed alone: a new theme re-polishes every widget,
    # which hid texts a language switch alone leaves cut (a combo sized on its first show).
    if win.menus.lang_actions[lang].isChecked() is False:
        win.menus.set_language(lang)
    if QApplication.instance().property("aegui_theme") != theme_name:
        win.menus.set_theme(theme_name)
        QApplication.instance().setProperty("aegui_theme", theme_name)
    if perspective is not None:
        win.arranger.switch(perspective)
        if perspective == "experiments":
            # Its charts are on the Results tab: measure them, empty as they are before a sweep.
            win.experiments.tabs.setCurrentWidget(win.experiments.results_page)
    win.resize(*size)
    settle()
    for _ in range(2):
        if (win.width(), win.height()) == tuple(size):
            break
        # A panel's minimum can shrink once the layout settles at the new size: ask again, as a
        # window manager would.
        win.resize(*size)
        settle()
    win.arranger.fit()      # a test's own resize has no event loop turn before it measures
    settle()


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
