"""Start the app: QApplication, options, the window; then torch and the demo models.

`--smoke` prints one JSON line with start-up timings and exits; `--screenshot FILE`
saves the whole window once the demo model is shown (at `--size WxH`, in `--lang`, `--theme`),
and lists in that JSON line any text the window cuts at that size.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

def set_window_icon(app) -> None:
    """The 'a' icon (resources/icons, every size) on all windows; on Wayland the compositor takes
    it from the aegui.desktop entry, named here."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from aegui.core.files.paths import resources_dir
    icon = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        path = resources_dir() / "icons" / f"aegui-{size}.png"
        if path.exists():
            icon.addFile(str(path), QSize(size, size))
    if not icon.isNull():
        app.setWindowIcon(icon)
    app.setDesktopFileName("aegui")


def _choose_platform(headless: bool) -> bool:
    """Pick offscreen rendering for --smoke/--screenshot without a display; False when the
    app cannot show a window at all (Qt would abort with a long plugin message)."""
    if os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"):
        return True
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return True
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return True
    return False


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size {text!r} must be WIDTHxHEIGHT in pixels, e.g. 1280x800") from None
    if not (320 <= w <= 8000 and 240 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"--size {text!r} is out of range; use 320x240 to 8000x8000")
    return w, h


def app_parser() -> argparse.ArgumentParser:
    """The app's options (what `aegui` with no command, and main.py, take); the documentation's
    command reference prints its help."""
    p = argparse.ArgumentParser(prog="aegui", description="aegui, the autoencoder studio")
    p.add_argument("--smoke", action="store_true", help="start, load the demo model, print timings as JSON, exit")
    p.add_argument("--screenshot", metavar="FILE.png", help="save the window once the demo model is shown, exit")
    p.add_argument("--size", metavar="WxH", type=_size, default=(1280, 800),
                   help="window size for --screenshot and --smoke, e.g. 1024x700 (default 1280x800)")
    p.add_argument("--lang", choices=("en", "es"), help="interface language")
    p.add_argument("--theme", choices=("light", "dark"))
    p.add_argument("--model", help="open this model at start")
    p.add_argument("--fresh", action="store_true", help="ignore saved window layout and settings")
    p.add_argument("--perspective", choices=("explore", "train", "experiments"),
                   help="show this perspective (Explore, Train, Experiments)")
    return p


def parse_args(argv):
    return app_parser().parse_args(argv)


def saved_look(settings, lang=None, theme_name=None) -> tuple[str, str]:
    """(language, theme) from the command line or the settings; a known one whatever the
    settings file holds (tests/qt/test_fuzz_settings.py)."""
    from aegui.qt import i18n, theme
    lang = lang or settings.value("language", "en")
    theme_name = theme_name or settings.value("theme", "light")
    return (lang if isinstance(lang, str) and lang in i18n.LANGUAGES else "en",
            theme_name if isinstance(theme_name, str) and theme_name in theme.THEMES else "light")


NO_DISPLAY = ("aegui: error: no display found (DISPLAY / WAYLAND_DISPLAY are not set). Run it in a "
              "desktop session, or use --smoke / --screenshot FILE.png, which work without one.")


def run(argv=None, start: float | None = None) -> int:
    start = start if start is not None else time.perf_counter()
    from aegui.core.train.threads import idle_threads_sleep
    idle_threads_sleep()     # before torch loads, which the window does later, on a thread
    args = parse_args(sys.argv[1:] if argv is None else argv)
    headless = bool(args.smoke or args.screenshot)
    if not _choose_platform(headless):
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from aegui.cli.whole_import import ctrl_c_noted
    # Ctrl-C while the window is built is answered once it is whole: a KeyboardInterrupt raised
    # in one of Qt's calls into Python (a widget's changeEvent) came out as a traceback of another
    # error (an AttributeError) and exit status 1.
    with ctrl_c_noted() as came:
        app = make_application()
        if came:
            raise KeyboardInterrupt     # before the window: nothing to take apart
        from aegui.qt.storage.settings import settings_problem
        settings_trouble = settings_problem()
        if settings_trouble and headless:
            print(f"aegui: error: {settings_trouble}", file=sys.stderr)
            return 2
        settings = run_settings(args.fresh or headless)
        theme_name = apply_look(settings, args)
        win = show_window(app, settings, theme_name, args.size if headless else None, settings_trouble)
    if came:
        take_apart(win)
        raise KeyboardInterrupt
    # Built now, before start_loading: it times the window and notes whether torch came with it.
    headless_run = HeadlessRun(app, win, args, start) if headless else None
    win.start_loading([args.model] if args.model else ())
    code = app.exec()
    take_apart(win)
    return headless_run.exit if headless_run is not None else code


def make_application():
    """The QApplication (the one running, under tests), named and with its icon; pyqtgraph set up."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("aegui")
    app.setOrganizationName("aegui")
    set_window_icon(app)
    return app


def run_settings(apart: bool):
    """The user's settings; `apart` (--fresh, --smoke, --screenshot): a cleared set of their own,
    since runs that report on the app must not depend on, or change, the user's layout."""
    from aegui.qt.storage.settings import app_settings
    if not apart:
        return app_settings()
    settings = app_settings("aegui-headless")
    settings.clear()
    return settings


def apply_look(settings, args) -> str:
    """The language and the theme (the command line's, else the settings'); returns the theme."""
    from aegui.qt import i18n, theme
    lang, theme_name = saved_look(settings, args.lang, args.theme)
    i18n.set_language(lang)
    i18n.install_qt_translator(i18n.language())
    theme.apply(theme_name)
    return theme_name


def show_window(app, settings, theme_name: str, headless_size, settings_trouble):
    """The main window, shown; `headless_size` (--smoke, --screenshot): nothing waits for a person,
    and the window takes that size."""
    from aegui.qt.window.main_window import MainWindow
    win = MainWindow(settings)
    win.menus.theme_actions[theme_name].setChecked(True)
    if headless_size is not None:
        win.headless = True
        win.confirm_close = False
        win.resize(*headless_size)
    if settings_trouble:
        win.warn_settings(settings_trouble)
    win.show()
    app.processEvents()
    if headless_size is not None:
        win.resize(*headless_size)   # again: the docks' minimum sizes are known once shown
    return win


def take_apart(win) -> None:
    """Take the window apart while Python is whole: left to interpreter shutdown, a chart's Python
    resize handler could be called from Qt's teardown and crash the process (exit status 139).
    Workers still running (one a panel started as the models came in, after the window's close
    waited; the start-up's loading when the window was closed before it ended, which no wait of a
    few seconds covers on a busy machine) end first, however long they take: Python exiting
    under a running worker printed its tracebacks ("Signal source has been deleted", then
    torch's TypeErrors) and still exited 0."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from aegui.qt.workers import threads
    threads.wait_for_workers(None)
    win.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


class HeadlessRun:
    """--smoke and --screenshot: once the demo models are in, print the JSON line (after saving
    the screenshot) and quit; `exit` is the status the run ends with."""

    def __init__(self, app, win, args, start: float):
        from PySide6.QtCore import QTimer
        self.app, self.win, self.args, self.start = app, win, args, start
        self.shown = time.perf_counter() - start
        self.torch_before = "torch" in sys.modules
        self.exit = 0
        win.model_loaded.connect(self.loaded)
        QTimer.singleShot(120_000, self.timeout)

    def loaded(self) -> None:
        from PySide6.QtCore import QTimer
        loaded_s = time.perf_counter() - self.start
        if self.win.load_problems:
            # Headless: no box waits for a person; the reasons go where the caller reads them.
            for problem in self.win.load_problems:
                print(f"aegui: error: {problem}", file=sys.stderr, flush=True)
            self.exit = 2
            self.win.close()
            self.app.quit()
        elif self.args.screenshot:
            # After this turn of the loop: the panels react to the models first.
            QTimer.singleShot(0, lambda: self.finish_screenshot(loaded_s))
        elif self.args.smoke:
            self.report(loaded_s)

    def report(self, loaded_s: float, **extra) -> None:
        from aegui.core.train.threads import how_openmp_waits
        from aegui.qt.models.names import title
        win = self.win
        info = {"window_shown_s": round(self.shown, 3), "model_loaded_s": round(loaded_s, 3),
                "torch_imported_before_window": self.torch_before,
                "omp_wait_policy": how_openmp_waits(),
                "models": [title(m) for m in win.workspace.models],
                "current": title(win.workspace.current) if win.workspace.current else None}
        info.update(extra)
        if win.workspace.current is None:
            self.exit = 1
        print(json.dumps(info), flush=True)
        win.close()
        self.app.quit()

    def finish_screenshot(self, loaded_s: float) -> None:
        from aegui.qt.window.layout_check import layout_problems, room, room_problems
        from aegui.qt.window.window_matrix import settle, settle_work
        win, args = self.win, self.args
        # Measured and grabbed once the layout holds still (the latent map's debounced repaint,
        # wrapped labels' heights) and the panels' answers to the models are in (the editor's
        # output is computed on a worker): however loaded the machine, never half done.
        if args.perspective:
            win.arranger.switch(args.perspective)
        settle_work()
        for _ in range(2):   # panels' minimums settle once the model is shown: ask again
            if (win.width(), win.height()) != tuple(args.size):
                win.resize(*args.size)
                settle()
        ok = win.grab().save(args.screenshot)
        if not ok:
            print(f"aegui: error: could not write {args.screenshot}", file=sys.stderr)
            self.exit = 2
        # Text the window cuts, and room it lacks, at this size: a screenshot run doubles as a layout check.
        self.report(loaded_s, screenshot=args.screenshot, size=[win.width(), win.height()],
                    perspective=win.arranger.current(), cut_text=layout_problems(win), room=room(win),
                    room_problems=room_problems(win))

    def timeout(self) -> None:
        print(json.dumps({"error": "the demo model did not load within 120 s"}), flush=True)
        self.exit = 1
        self.app.quit()
