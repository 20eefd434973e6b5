"""Esc stops a run whatever has the keyboard focus: the map, the pixel editor's grid, a field of
the builder, the map's search field, and while a tooltip is on screen. A shortcut that only works
from some widgets (or that a tooltip swallows) leaves a student pressing Esc twice while the
model keeps training."""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QToolTip

from aegui.core.schema.experiment import Experiment, TrainConfig


def _start_long_run(window, qtbot):
    window.builder.set_experiment(Experiment(train=TrainConfig(epochs=100_000, seeds=1, check_every=25)))
    window.menus.act_train.trigger()          # F5
    qtbot.waitUntil(lambda: window.workspace.training.phase == "running", timeout=30000)


def _focus(qtbot, widget):
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(lambda: widget.hasFocus(), timeout=5000)


def _press_esc(window, qtbot):
    """Esc on whatever has the focus now (a field the run disabled passes it on)."""
    focused = QApplication.focusWidget() or window
    assert focused.window() in (window, *window.docks.values())
    qtbot.keyClick(focused, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.workspace.training.busy, timeout=30000)


TARGETS = {
    "explore": {"map": lambda w: w.latent.plot, "editor grid": lambda w: w.editor.grid,
                "map search field": lambda w: w.latent.search.edit},
    "train": {"map": lambda w: w.latent.plot, "builder epochs field": lambda w: w.builder.form.widget("train.epochs"),
              "builder name field": lambda w: w.builder.name_edit},
}


@pytest.mark.parametrize("perspective,target", [(p, t) for p, ts in TARGETS.items() for t in ts])
def test_esc_stops_training_whatever_has_the_focus(window, qtbot, perspective, target):
    window.arranger.switch(perspective)
    _focus(qtbot, TARGETS[perspective][target](window))     # the user clicked it, then pressed F5
    _start_long_run(window, qtbot)
    _press_esc(window, qtbot)
    assert window.workspace.training.outcome == "stopped"


def test_esc_stops_training_while_the_map_shows_a_tooltip(window, qtbot):
    window.arranger.switch("explore")
    plot = window.latent.plot
    _focus(qtbot, plot)
    _start_long_run(window, qtbot)
    QToolTip.showText(plot.mapToGlobal(QPoint(40, 40)), "a tooltip over the map", plot)
    qtbot.waitUntil(QToolTip.isVisible, timeout=5000)
    _press_esc(window, qtbot)
    assert window.workspace.training.outcome == "stopped"


def test_esc_stops_training_when_the_key_reaches_the_tooltip(window, qtbot):
    """Under X11 the key can be delivered to the tooltip's own window: it must still stop the run."""
    window.arranger.switch("explore")
    plot = window.latent.plot
    _focus(qtbot, plot)
    _start_long_run(window, qtbot)
    QToolTip.showText(plot.mapToGlobal(QPoint(40, 40)), "a tooltip over the map", plot)
    qtbot.waitUntil(QToolTip.isVisible, timeout=5000)
    [tip] = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowType() == Qt.WindowType.ToolTip]
    qtbot.keyClick(tip, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.workspace.training.busy, timeout=30000)
    assert window.workspace.training.outcome == "stopped"


def test_esc_stops_training_from_a_floating_panel(window, qtbot):
    window.arranger.switch("explore")
    dock = window.docks["latent"]
    dock.setFloating(True)
    dock.activateWindow()
    _focus(qtbot, window.latent.plot)
    _start_long_run(window, qtbot)
    _press_esc(window, qtbot)
    assert window.workspace.training.outcome == "stopped"
