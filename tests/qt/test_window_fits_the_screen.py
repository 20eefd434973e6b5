"""The window opens inside the screen, frame and title bar included, whatever size it asks for.

A student's 1366x768 laptop showed the default 1280x800 window plus its title bar, a 1282x825
frame: the Play row, the bottom of the notices and the status bar were below the screen. A geometry
saved on a larger screen must be fitted too. The offscreen platform takes its screen's size from a
configuration file (`offscreen:configfile=`), so each screen size runs the window in a process of
its own; the fitting itself is a plain function, checked here case by case.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QMargins, QRect, QSize

from aegui.qt.window.window_fit import fit_to

ROOT = Path(__file__).resolve().parents[2]
OPENBOX = QMargins(1, 20, 1, 5)     # the frame openbox draws (_NET_FRAME_EXTENTS under Xvfb)


def frame(rect: QRect, margins: QMargins) -> QRect:
    return rect.marginsAdded(margins)


@pytest.mark.parametrize("screen", [(1366, 768), (1280, 720), (1024, 600)])
def test_the_default_size_is_fitted_frame_and_all(screen):
    available = QRect(0, 0, *screen)
    got = fit_to(available, QRect(0, 0, 1280, 800), OPENBOX, centre=True)
    assert available.contains(frame(got, OPENBOX)), (screen, got)
    # As large as the room allows: the frame touches the bottom, the width is the default's or the screen's.
    assert frame(got, OPENBOX).height() == screen[1]
    assert got.width() == min(1280, screen[0] - 2)


def test_a_window_that_fits_keeps_its_size_and_place():
    available = QRect(0, 0, 1920, 1080)
    wanted = QRect(300, 200, 1280, 800)
    assert fit_to(available, wanted, OPENBOX) == wanted


def test_a_geometry_from_a_larger_screen_is_shrunk_and_moved_in():
    available = QRect(0, 0, 1280, 720)
    got = fit_to(available, QRect(20, 30, 1880, 1000), OPENBOX)
    assert available.contains(frame(got, OPENBOX))
    assert got.size() == QSize(1278, 695)


def test_a_window_off_the_screen_s_edge_comes_back_on_a_panel_s_screen():
    available = QRect(0, 32, 1366, 736)            # a 32 px panel along the top
    got = fit_to(available, QRect(900, -40, 800, 600), OPENBOX)
    assert available.contains(frame(got, OPENBOX)) and got.size() == QSize(800, 600)


def test_a_second_screen_s_window_stays_on_that_screen():
    available = QRect(1920, 0, 1366, 768)
    got = fit_to(available, QRect(1950, 10, 1280, 800), OPENBOX)
    assert available.contains(frame(got, OPENBOX)) and got.x() == 1950


def test_a_minimum_larger_than_the_screen_keeps_the_title_bar_on_it():
    available = QRect(0, 0, 800, 600)
    got = fit_to(available, QRect(100, 100, 1280, 800), OPENBOX, minimum=QSize(900, 650))
    assert got.size() == QSize(900, 650)
    assert frame(got, OPENBOX).topLeft() == available.topLeft()


def test_the_window_shown_without_a_size_lies_inside_the_screen(qtbot, tmp_path, aegui_home):
    """This session's offscreen screen (800x800) is smaller than the default window."""
    from PySide6.QtCore import QSettings

    from aegui.qt.window.main_window import MainWindow
    from aegui.qt.window.window_matrix import settle
    win = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    win.confirm_close = False
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    settle()
    available = win.screen().availableGeometry()
    assert available.contains(win.frameGeometry()), (win.frameGeometry(), available)
    win.close()


RUN = r"""
import json, sys
from PySide6.QtCore import QByteArray, QPoint, QRect, QSettings
from aegui.qt.startup.app import make_application
app = make_application()
from aegui.qt.window.main_window import MainWindow
from aegui.qt.storage.settings import save_blob
from aegui.qt.window.window_matrix import settle
out = []
for saved in sys.argv[2:]:
    settings = QSettings(sys.argv[1] + f"/{len(out)}.ini", QSettings.IniFormat)
    if saved != "-":
        save_blob(settings, "geometry", QByteArray.fromHex(saved.encode()))
    win = MainWindow(settings)
    win.confirm_close = False
    win.show()
    settle()
    bar = win.statusBar()
    status = QRect(bar.mapToGlobal(QPoint(0, 0)), bar.size())
    r = lambda q: [q.x(), q.y(), q.width(), q.height()]
    out.append({"frame": r(win.frameGeometry()), "available": r(win.screen().availableGeometry()),
                "status": r(status), "status_shown": bar.isVisible()})
    win.close()
    win.deleteLater()
print(json.dumps(out))
"""

SAVE = r"""
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow()
w.setGeometry(20, 30, 1880, 1000)
w.show()
app.processEvents()
print(bytes(w.saveGeometry().toHex()).decode())
"""


def _offscreen(tmp_path, screen, code, *args):
    config = tmp_path / f"screen-{screen[0]}x{screen[1]}.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": screen[0],
                                               "height": screen[1], "logicalDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", AEGUI_HOME=str(tmp_path / "home"),
               PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _inside(case: dict) -> bool:
    ax, ay, aw, ah = case["available"]
    return all(ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah
               for x, y, w, h in (case["frame"], case["status"]))


def test_the_first_window_lies_inside_a_laptop_screen_status_bar_and_all(tmp_path):
    got = json.loads(_offscreen(tmp_path, (1366, 768), RUN, str(tmp_path), "-"))
    assert got[0]["status_shown"] and _inside(got[0]), got


def test_a_geometry_saved_on_a_larger_screen_is_fitted_to_a_smaller_one(tmp_path):
    saved = _offscreen(tmp_path, (1920, 1080), SAVE)
    got = json.loads(_offscreen(tmp_path, (1280, 720), RUN, str(tmp_path), "-", saved))
    assert all(case["status_shown"] and _inside(case) for case in got), got
    assert got[1]["frame"][3] == 720            # as tall as the screen: it asked for more
