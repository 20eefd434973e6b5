"""The window changes its perspective and the model on the map only when the user asks.

Each action starts from each perspective with a model other than the default one on the map, a
point pinned to the tray and an interpolation in it. Afterwards the perspective, the model on the
map, the pinned points and the interpolation are what they were, unless the action asked for the
change: "Send to editor" goes to the pixel editor, and a run started (F5, F6) is the model the map
follows while it trains, the model shown before keeping its pins and its interpolation for when the
user picks it again. Teaching changes the pixel editor's model, never the map's; Revert gives the
editor its model back and leaves the map alone.
"""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from aegui.core.analyses.teach import TeachSettings
from aegui.core.schema.experiment import Experiment, TrainConfig
from aegui.qt.i18n import tr
from tests.qt.builder.forms import pick, small_mlp
from tests.qt.latent.test_latent_canvas import viewport_pos

PERSPECTIVES = ("explore", "train", "experiments")
GLYPH = np.array([[0, 0, 1, 0, 0], [0, 1, 0, 1, 0], [1, 0, 0, 0, 1], [1, 1, 1, 1, 1],
                  [1, 0, 0, 0, 1], [1, 0, 0, 0, 1], [0, 0, 0, 0, 0]], np.float32)


def _choose_model(window, model):
    """Pick `model` in the toolbar's model list, as the user does."""
    combo = window.model_bar.model_combo
    combo.setCurrentIndex(window.model_bar._choices.index(model))
    assert window.workspace.current is model


def _state(window) -> dict:
    canvas = window.latent
    return {"perspective": window.arranger.current(), "current": window.workspace.current,
            "pins": [tuple(np.round(it.z, 5)) for it in canvas.tray.items()],
            "pin markers": len(canvas.pin_markers()),
            "interpolation": canvas.interp.ends() if canvas.strip_images() is not None else None,
            # The tray's page in front (whether the tray shows is the canvas's height's business:
            # tray_room, by perspective).
            "tray page": canvas.tabs.currentIndex()}


@pytest.fixture
def explored(window, qtbot):
    """Explore with the Font3 denoiser on the map (not the default model), one point pinned with a
    click and an interpolation between two of its glyphs; returns the model."""
    ws, canvas = window.workspace, window.latent
    window.arranger.switch("explore")
    dae = next(m for m in ws.models if m.path is not None and m.path.name == "font3-dae")
    _choose_model(window, dae)
    qtbot.waitUntil(lambda: canvas.state.ready() and not canvas.busy(), timeout=10000)
    xy = canvas.projected_codes()
    centre = xy.mean(0)
    with qtbot.waitSignal(canvas.pinned, timeout=5000):
        QTest.mouseClick(canvas.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         viewport_pos(canvas, *centre))
    canvas.interp.combo_a.setCurrentIndex(0)
    canvas.interp.combo_b.setCurrentIndex(3)
    qtbot.mouseClick(canvas.interp.interp_button, Qt.MouseButton.LeftButton)
    assert canvas.strip_images() is not None and len(canvas.tray.items()) == 1
    return dae


def _from(window, perspective) -> dict:
    window.arranger.switch(perspective)
    before = _state(window)
    assert before["pins"] and before["interpolation"] and before["pin markers"] == 1
    return before


def _run_to_the_end(window, qtbot, start):
    with qtbot.waitSignal(window.runner.finished, timeout=120000):
        start()
    return window.workspace.models[-1]


def _after_a_run(window, qtbot, before, shown):
    """The run's model is on the map, in the same perspective; picking the model shown before
    brings back its pins and its interpolation."""
    ws = window.workspace
    assert window.arranger.current() == before["perspective"]
    finished = ws.models[-1]
    assert ws.current is finished and finished is not shown and finished.trained is not None
    assert window.latent.tray.items() == [] and window.latent.strip_images() is None
    _choose_model(window, shown)
    assert _state(window) == before


@pytest.mark.parametrize("perspective", PERSPECTIVES)
def test_f5_on_a_glyph_model_keeps_the_perspective(window, qtbot, explored, perspective):
    before = _from(window, perspective)
    window.builder.set_experiment(Experiment(train=TrainConfig(epochs=20, seeds=1, check_every=10)))
    focus = window.focusWidget() or window
    _run_to_the_end(window, qtbot, lambda: QTest.keyClick(focus, Qt.Key.Key_F5))
    _after_a_run(window, qtbot, before, explored)


@pytest.mark.parametrize("perspective", PERSPECTIVES)
def test_f5_on_a_picture_model_keeps_the_perspective_and_offers_the_draw_tab(window, qtbot, explored, perspective):
    before = _from(window, perspective)
    digits = _train_digits(window, qtbot)
    assert window.workspace.current is digits and digits.shape == (8, 8)
    offer = window.status.offer_link
    assert offer.isVisibleTo(window.statusBar()) and "Show Draw" in offer.text()
    # The offer comes and goes moving nothing: the bar keeps its height, the map its size.
    shown = _settled_sizes(window)
    window.status.withdraw()
    assert _settled_sizes(window) == shown
    _choose_model(window, explored)
    _choose_model(window, digits)                   # offered again: another kind of data on the map
    assert offer.isVisibleTo(window.statusBar()) and _settled_sizes(window) == shown
    qtbot.mouseClick(offer, Qt.MouseButton.LeftButton, pos=offer.rect().center())   # taken: now it switches
    assert window.arranger.current() == "explore" and window.on_screen("draw")
    assert not offer.isVisibleTo(window.statusBar())
    window.arranger.switch(before["perspective"])
    _after_a_run(window, qtbot, before, explored)


def _settled_sizes(window):
    """The status bar's height and the map's size once the layout settled: posted events are
    processed until two passes measure the same (a bounded loop, not a wait)."""
    from PySide6.QtWidgets import QApplication
    last = None
    for _ in range(10):
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        now = (window.statusBar().height(), window.latent.size())
        if now == last:
            return now
        last = now
    raise AssertionError(f"the layout did not settle: {last}")


def _train_digits(window, qtbot):
    b = window.builder
    pick(b.form.widget("data.source"), "digits")
    small_mlp(b, latent=2, epochs=4, check_every=2)
    focus = window.focusWidget() or window
    return _run_to_the_end(window, qtbot, lambda: QTest.keyClick(focus, Qt.Key.Key_F5))


@pytest.mark.parametrize("perspective", PERSPECTIVES)
def test_opening_a_picture_model_keeps_the_perspective_and_offers_the_draw_tab(window, qtbot, explored,
                                                                                 perspective, monkeypatch):
    digits = _train_digits(window, qtbot)
    _choose_model(window, explored)
    before = _from(window, perspective)
    window.status.withdraw()
    from PySide6.QtWidgets import QFileDialog
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(digits.path), "")))
    with qtbot.waitSignal(window.workspace.models_changed, timeout=30000):
        window.files.open_model_dialog()              # File > Open model…
    opened = window.workspace.current
    assert opened is not digits and opened.path == digits.path and opened.shape == (8, 8)
    assert window.arranger.current() == before["perspective"]
    assert window.status.offered() == "draw" and window.status.offer_link.isVisibleTo(window.statusBar())
    _choose_model(window, explored)
    assert _state(window) == before and window.status.offered() is None


@pytest.mark.parametrize("perspective", PERSPECTIVES)
def test_f6_keeps_the_perspective(window, qtbot, explored, perspective):
    before = _from(window, perspective)
    window.builder.set_experiment(Experiment(train=TrainConfig(epochs=5000, seeds=1, check_every=25)))
    ws = window.workspace
    QTest.keyClick(window.focusWidget() or window, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: ws.training.phase == "paused" and ws.current is ws.live, timeout=30000)
    assert window.arranger.current() == before["perspective"]
    _run_to_the_end(window, qtbot, ws.stop)
    _after_a_run(window, qtbot, before, explored)


def _teach(window, qtbot, start) -> str:
    bar = window.editor.teach
    bar.settings = TeachSettings(epochs=40)
    ended = []
    bar.ended.connect(ended.append)
    start()
    return ended


def test_teaching_from_the_editor_changes_the_editor_s_model_only(window, qtbot, explored, monkeypatch):
    before = _from(window, "explore")
    ws, editor = window.workspace, window.editor
    base = ws.editor_model()
    editor.clear()
    for r, c in zip(*np.nonzero(GLYPH)):
        QTest.mouseClick(editor.grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         editor.grid.cell_rect(int(r), int(c)).center().toPoint())
    from PySide6.QtWidgets import QInputDialog
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("A-ish", True)))
    ended = _teach(window, qtbot, editor.teach.teach_button.click)
    qtbot.waitUntil(lambda: bool(ended), timeout=120000)
    assert ended == ["taught"]
    taught = ws.editor_model()
    assert taught is not base and taught.taught_from is base and taught in ws.models
    assert _state(window) == before
    # Revert: the editor's model before teaching; the map still shows what it showed.
    assert editor.teach.revert_button.isVisible()
    qtbot.mouseClick(editor.teach.revert_button, Qt.MouseButton.LeftButton)
    assert ws.editor_model() is base
    assert _state(window) == before


@pytest.mark.parametrize("perspective", ("train", "experiments"))
def test_teaching_all_the_library_keeps_the_perspective_and_the_map(window, qtbot, explored, perspective):
    """Teach all is pressed in the library (Train); the user may move on to Experiments while it runs."""
    before = _from(window, perspective)
    window.arranger.switch("train")
    library = window.library
    library.add_glyph(GLYPH, "A-ish")
    ended = _teach(window, qtbot, lambda: qtbot.mouseClick(library.teach_button, Qt.MouseButton.LeftButton))
    assert window.arranger.current() == "train"
    window.arranger.switch(perspective)
    qtbot.waitUntil(lambda: bool(ended), timeout=120000)
    assert ended == ["taught"] and window.workspace.editor_model().taught_from is not None
    assert _state(window) == before


@pytest.mark.parametrize("perspective", ("explore", "train"))
def test_send_to_editor_is_a_switch_the_user_asked_for(window, qtbot, explored, perspective):
    before = _from(window, perspective)
    item = window.latent.tray.items()[0]
    item.act_edit.trigger()                         # the pin's "Send to editor"
    assert window.arranger.current() == "explore" and window.on_screen("editor")
    np.testing.assert_array_equal(window.editor.glyph(), item.image)
    assert _state(window) == dict(before, perspective="explore")


def test_an_offer_in_the_status_bar_follows_the_language(window, qtbot):
    """An offer made in English reads in Spanish once the language changes (it kept "Show Draw")."""
    window.status.offer("draw", "This model draws in the Draw tab.", "Show Draw", lambda: None)
    assert "Show Draw" in window.status.offer_link.text()
    window.menus.lang_actions["es"].trigger()
    link = window.status.offer_link
    assert "Show Draw" not in link.text() and tr("Show Draw") in link.text(), link.text()
    assert link.toolTip() == tr("This model draws in the Draw tab.") != "This model draws in the Draw tab."
