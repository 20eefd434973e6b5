"""A seeded monkey: random actions across the whole window (every menu action found by walking
the menu bar, every visible button, the pixel editor, the latent canvas, training and sweeps
started and stopped, the panels' export and open dialogs answered with good files, bad files,
missing paths and Cancel). No exception may reach the event loop (pytest-qt fails the test on
one), no traceback may reach stderr, and the window must still answer at the end.

It drives the window only through what users reach (menus, buttons, the mouse) and a few
public methods, so panels can change without the monkey needing to.
AEGUI_MONKEY_ACTIONS sets the count: `make fuzz` runs 2000, the default run 120.
"""
from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDialog, QFileDialog, QInputDialog,
                               QMenu, QMessageBox, QWidget)

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = int(os.environ.get("AEGUI_MONKEY_ACTIONS", "120"))
SEED = int(os.environ.get("AEGUI_MONKEY_SEED", "12"))
SKIP_KEYS = ("Quit",)                  # would end the run, not test it
SKIP_BUTTON_TEXT = ("Quit",)


def _files(tmp: Path) -> dict[str, list[str]]:
    garbage = tmp / "garbage.json"
    garbage.write_bytes(os.urandom(300))
    pickle = tmp / "evil" / "model.safetensors"
    pickle.parent.mkdir()
    pickle.write_bytes(b"\x80\x04\x95" + os.urandom(64))
    (tmp / "evil" / "model.json").write_text('{"format": "aegui-model"}')
    bad_font = tmp / "bad.h"
    bad_font.write_text("int const Font1[32][7] = { {0x1f, 0xZZ} };")
    empty = tmp / "empty.json"
    empty.write_text("")
    bad_idx = tmp / "bad-images-idx3-ubyte"
    bad_idx.write_bytes(b"\x00\x00\x08\x03" + b"\xff" * 12)
    pics = tmp / "pictures"
    pics.mkdir()
    (pics / "a.png").write_bytes(os.urandom(50))
    good = [str(p) for p in sorted((ROOT / "resources" / "presets").glob("font*.json"))[:3]]
    good += [str(ROOT / "resources" / "font.h"), str(ROOT / "models" / "font3-ae2d"),
             str(ROOT / "models" / "font3-ae2d" / "model.json"), str(ROOT / "resources" / "sweeps" / "inits.json"),
             str(ROOT / "resources" / "analyses" / "denoising-curve.json")]
    bad = [str(garbage), str(pickle), str(bad_font), str(empty), str(bad_idx), str(tmp / "missing.json"),
           str(tmp), ""]
    saves = [str(tmp / "out" / name) for name in ("a.json", "b.png", "c.csv", "d.h", "e.gif", "model", "f.svg")]
    saves += [str(tmp / "no" / "such" / "dir" / "x.json"), str(tmp), ""]
    dirs = [str(pics), str(tmp / "out_dir"), str(tmp / "missing_dir"), str(ROOT / "resources" / "emoji"), ""]
    (tmp / "out").mkdir()
    return {"open": good + bad, "save": saves, "dir": dirs}


class Monkey:
    def __init__(self, win, qtbot, rng: random.Random, files):
        self.win, self.qtbot, self.rng, self.files = win, qtbot, rng, files
        self.counts: dict[str, int] = {}
        self.dialogs = 0

    # -- answers to every dialog, so nothing modal blocks the run
    def patch(self, mp):
        rng, files = self.rng, self.files

        def opened(*a, **k):
            self.dialogs += 1
            return rng.choice(files["open"]), ""

        def saved(*a, **k):
            self.dialogs += 1
            return rng.choice(files["save"]), ""

        def folder(*a, **k):
            self.dialogs += 1
            return rng.choice(files["dir"])

        mp.setattr(QFileDialog, "getOpenFileName", staticmethod(opened))
        mp.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([opened()[0]], "")))
        mp.setattr(QFileDialog, "getSaveFileName", staticmethod(saved))
        mp.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder))
        answer = staticmethod(lambda *a, **k: rng.choice(
            (QMessageBox.Ok, QMessageBox.Yes, QMessageBox.No, QMessageBox.Cancel)))
        for name in ("critical", "warning", "information", "question"):
            mp.setattr(QMessageBox, name, answer)
        mp.setattr(QMessageBox, "about", staticmethod(lambda *a, **k: None))
        mp.setattr(QMessageBox, "exec", lambda self_, *a: QMessageBox.Ok)
        mp.setattr(QDialog, "exec", lambda self_, *a: rng.choice((0, 1)))
        mp.setattr(QMenu, "exec", lambda self_, *a, **k: None)
        mp.setattr(QInputDialog, "getText", staticmethod(
            lambda *a, **k: (rng.choice(("x", "", "  ", "a" * 200, "é\n", "ok label")), rng.random() < 0.7)))
        mp.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: ("", False)))

    # -- the actions
    def menu_actions(self):
        out, stack = [], list(self.win.menuBar().actions())
        while stack:
            act = stack.pop()
            if act.menu() is not None:
                act.menu().aboutToShow.emit()       # menus filled on show (recent files)
                stack.extend(act.menu().actions())
            elif not act.isSeparator() and act.isEnabled() and str(act.data() or act.text()) not in SKIP_KEYS:
                out.append(act)
        return out

    def trigger_menu(self):
        acts = self.menu_actions()
        if acts:
            self.rng.choice(acts).trigger()

    def click_button(self):
        # A button with a menu pops it up modally from C++; the watchdog closes it, but
        # clicking it stalls the run for a tick: its menu's actions are found by other means.
        buttons = [b for b in self.win.findChildren(QAbstractButton)
                   if b.isVisible() and b.isEnabled() and b.text() not in SKIP_BUTTON_TEXT
                   and getattr(b, "menu", lambda: None)() is None]
        if buttons:
            self.rng.choice(buttons).click()

    def pick_combo(self):
        combos = [c for c in self.win.findChildren(QComboBox) if c.isVisible() and c.isEnabled() and c.count()]
        if combos:
            c = self.rng.choice(combos)
            c.setCurrentIndex(self.rng.randrange(c.count()))

    def _mouse(self, widget: QWidget, drag: bool):
        w, h = max(1, widget.width()), max(1, widget.height())
        pos = QPoint(self.rng.randrange(w), self.rng.randrange(h))
        button = self.rng.choice((Qt.LeftButton, Qt.RightButton))
        if drag:
            QTest.mousePress(widget, button, Qt.NoModifier, pos)
            for _ in range(self.rng.randint(1, 5)):
                QTest.mouseMove(widget, QPoint(self.rng.randrange(w), self.rng.randrange(h)))
            QTest.mouseRelease(widget, button, Qt.NoModifier, QPoint(self.rng.randrange(w), self.rng.randrange(h)))
        else:
            QTest.mouseMove(widget, pos)

    def paint(self):
        self.win.docks["editor"].raise_()
        self._mouse(self.win.editor.grid, drag=True)
        if self.rng.random() < 0.3:
            QTest.keyClick(self.win.editor.grid, self.rng.choice((Qt.Key_Left, Qt.Key_Space, Qt.Key_Z, Qt.Key_I)))

    def latent(self):
        self.win.docks["latent"].raise_()
        canvas = self.win.latent
        x, y = self.rng.uniform(-4, 4), self.rng.uniform(-4, 4)
        pick = self.rng.random()
        if pick < 0.4:
            canvas.hover_at(x, y)
        elif pick < 0.55:
            canvas.pin_at(x, y)
        elif pick < 0.7:
            self._mouse(canvas.plot.viewport(), drag=self.rng.random() < 0.3)
        elif pick < 0.8:
            canvas.sample_prior(n=self.rng.randint(1, 6), seed=self.rng.randrange(100))
        elif pick < 0.9:
            canvas.interpolate()
        else:
            canvas.reset_view()

    def train(self):
        if self.win.workspace.training.busy:
            self.win.workspace.stop()
        else:
            try:
                exp = self.win.builder.experiment()
            except ValueError:
                return
            self.win.workspace.train(exp)

    def sweep(self):
        panel = self.win.experiments
        if panel.is_running():
            panel.cancel()
        else:
            presets = [a for a in self.win.menus.preset_actions if a.isEnabled()]
            if presets:
                self.rng.choice(presets).trigger()

    def keys(self):
        target = QApplication.focusWidget() or self.win
        key = self.rng.choice((Qt.Key_Escape, Qt.Key_Return, Qt.Key_Tab, Qt.Key_Z, Qt.Key_Delete,
                               Qt.Key_Up, Qt.Key_5, Qt.Key_Minus))
        mods = self.rng.choice((Qt.NoModifier, Qt.ControlModifier, Qt.ShiftModifier))
        QTest.keyClick(target, key, mods)

    def wait(self):
        QTest.qWait(self.rng.choice((1, 5, 30, 120)))

    def step(self):
        kinds = (("menu", self.trigger_menu, 18), ("button", self.click_button, 22), ("combo", self.pick_combo, 6),
                 ("paint", self.paint, 14), ("latent", self.latent, 16), ("train", self.train, 6),
                 ("sweep", self.sweep, 3), ("keys", self.keys, 8), ("wait", self.wait, 7))
        name, fn, _ = self.rng.choices(kinds, weights=[k[2] for k in kinds])[0]
        fn()
        self.counts[name] = self.counts.get(name, 0) + 1
        QApplication.processEvents()

    def start_watchdog(self):
        """Closes any popup or modal window a C++ exec() opened (the Python-level ones are
        patched), so nothing can block the run."""
        def close_popups():
            popup = QApplication.activePopupWidget()
            if popup is not None:
                popup.close()
            modal = QApplication.activeModalWidget()
            if isinstance(modal, QDialog):
                modal.reject()
            elif modal is not None and modal is not self.win:
                modal.close()
        self.watchdog = QTimer()
        self.watchdog.timeout.connect(close_popups)
        self.watchdog.start(200)

    def responds(self, timeout_ms: int = 10000) -> float:
        """Seconds the event loop took to run a queued call."""
        seen = []
        start = time.perf_counter()
        QTimer.singleShot(0, lambda: seen.append(time.perf_counter() - start))
        self.qtbot.waitUntil(lambda: bool(seen), timeout=timeout_ms)
        return seen[0]


@pytest.mark.timeout(int(os.environ.get("AEGUI_MONKEY_TIMEOUT", "1800")))
def test_monkey(window, qtbot, tmp_path, monkeypatch, capfd):
    rng = random.Random(SEED)
    monkey = Monkey(window, qtbot, rng, _files(tmp_path))
    monkey.patch(monkeypatch)
    monkey.start_watchdog()
    worst = 0.0
    for i in range(ACTIONS):
        monkey.step()
        if i % 50 == 49:
            worst = max(worst, monkey.responds())
            assert window.isVisible()
    # Stop whatever the monkey left running, then the window must still answer and work.
    window.experiments.cancel()
    window.workspace.stop()
    qtbot.waitUntil(lambda: not window.workspace.training.busy and not window.experiments.is_running(),
                    timeout=60000)
    worst = max(worst, monkey.responds())
    assert window.isVisible()
    err = capfd.readouterr().err
    print(f"monkey: {ACTIONS} actions (seed {SEED}): {monkey.counts}; {monkey.dialogs} file dialogs "
          f"answered; slowest queued call {worst * 1000:.0f} ms")
    assert "Traceback" not in err, err[-4000:]
