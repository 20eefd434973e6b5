"""The panels the Explore perspective does not show (the model builder, experiments, analyses,
compare, the training charts, the reconstructions, and the tabs behind another panel: Draw,
Explain, Network) are not built before the window's first paint: the Explore window a student
starts in does not wait for them. Reached later in any way (their perspective, their tab raised,
View > Panels, a menu action), each is whole when it shows: in its dock, bound to the workspace,
showing the models and the input that came before it was built, and nothing else on the window
moved for it."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QTabBar

from aegui.core.workspace import state as S
from aegui.qt.analyses.analyses_panel import AnalysesPanel
from aegui.qt.builder.model_builder import ModelBuilder
from aegui.qt.compare.compare_panel import ComparePanel
from aegui.qt.editor.image_canvas import DrawPanel
from aegui.qt.experiments.experiments_panel import ExperimentsPanel
from aegui.qt.explain.explain_panel import ExplainPanel
from aegui.qt.models.names import title
from aegui.qt.network.network_view import NetworkView
from aegui.qt.training.reconstructions import ReconstructionsPanel
from aegui.qt.training.training_panel import TrainingPanel
from aegui.qt.window.window_matrix import settle

LATER = {"builder": ModelBuilder, "experiments": ExperimentsPanel, "analyses": AnalysesPanel,
         "compare": ComparePanel, "training": TrainingPanel, "recon": ReconstructionsPanel,
         "network": NetworkView, "draw": DrawPanel, "explain": ExplainPanel}


def _in_dock(window, key):
    """The panel the dock holds (inside its scroll area), or None."""
    dock: QDockWidget = window.docks[key]
    return dock.findChild(LATER[key])


def test_the_explore_window_has_not_built_the_experiments_panels(window):
    assert window.arranger.current() == "explore"
    assert {key: _in_dock(window, key) for key in LATER} == {key: None for key in LATER}


def test_a_perspective_shown_the_first_time_shows_its_panels_whole(window):
    ws = window.workspace
    window.arranger.switch("experiments")
    for key in ("builder", "experiments", "analyses", "compare"):
        assert window.docks[key].isVisible()
        assert _in_dock(window, key) is getattr(window, key)
    assert _in_dock(window, "training") is None and _in_dock(window, "recon") is None
    window.arranger.switch("train")
    assert window.docks["training"].isVisible() and _in_dock(window, "training") is window.training
    # A tab behind the charts: built with its perspective, showing the model on screen.
    assert _in_dock(window, "recon") is window.recon
    # The network view waits behind its tab until it is raised (test below).
    assert _in_dock(window, "network") is None
    assert window.recon.wrong_counts().max() == 0 and len(window.recon.cells) == len(ws.current.shown.labels)
    assert window.training.history is ws.history
    # Bound to the workspace as it was before they existed: the models, the current one, the draft.
    compare = window.compare
    assert [compare.choosers[0].itemText(i) for i in range(compare.choosers[0].count())] == \
        [title(m) for m in ws.models]
    assert window.analyses.denoise.entry is ws.current
    assert window.experiments.editor._builder == ws.draft is not None


def test_a_panel_opened_from_the_view_menu_before_it_was_built_is_whole(window):
    window.docks["compare"].toggleViewAction().trigger()
    compare = _in_dock(window, "compare")
    assert compare is not None and window.docks["compare"].isVisible()
    assert compare.choosers[0].count() == len(window.workspace.models)


def test_a_menu_action_reaches_a_panel_not_yet_built(window):
    """Experiments > New sweep… builds the panel, shows it and starts a sweep over the builder's
    experiment."""
    action = next(a for a in window.menus.menu_experiments.actions() if a.text().startswith("New sweep"))
    action.trigger()
    assert window.arranger.current() == "experiments"
    assert _in_dock(window, "experiments") is window.experiments
    assert window.experiments.editor.base() == window.workspace.draft


def test_closing_the_window_does_not_build_the_panels_it_never_showed(window):
    window.close()
    assert {key: _in_dock(window, key) for key in LATER} == {key: None for key in LATER}


def test_the_builder_reached_later_shows_the_model_on_screen_and_gives_the_draft(window):
    """Built after the demo models came in, the builder shows how the model on screen was made
    (as it would have, built at start and following the models), with the devices torch found,
    and its experiment is the workspace's draft."""
    ws = window.workspace
    assert _in_dock(window, "builder") is None and ws.draft is None
    window.arranger.switch("train")
    builder = _in_dock(window, "builder")
    assert builder is window.builder and window.docks["builder"].isVisible()
    assert builder.loaded_experiment == ws.current.experiment
    assert ws.draft is not None and ws.draft == builder.experiment()
    devices = builder.form.editor("train.device").widget
    assert [devices.itemData(i) for i in range(devices.count())] == [key for key, _name in ws.devices]


def test_step_and_train_keys_work_before_the_builder_is_built(window, qtbot):
    """F6 (Step epoch) in the Explore window, the builder never shown: the builder is built then,
    and its experiment (the model on screen's) starts a run paused after its first epoch."""
    ws = window.workspace
    assert _in_dock(window, "builder") is None
    window.menus.act_epoch.trigger()
    qtbot.waitUntil(lambda: ws.training.phase == S.PAUSED and ws.history.last is not None, timeout=30000)
    assert ws.history.last.epoch == 1
    assert _in_dock(window, "builder") is window.builder
    with qtbot.waitSignal(window.runner.finished, timeout=30000):
        ws.stop()


def _click_tab(qtbot, window, text: str) -> None:
    """Click a dock's tab where it is drawn, as the user aims."""
    bar = next(b for b in window.findChildren(QTabBar) if b.isVisible()
               and any(b.tabText(i) == text for i in range(b.count())))
    index = next(i for i in range(bar.count()) if bar.tabText(i) == text)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())


def _geometries(window, keys):
    return {key: window.docks[key].geometry().getRect() for key in keys}


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_the_explore_tabs_are_built_when_raised_and_nothing_moves(window, qtbot, size):
    """Draw and Explain sit behind the pixel editor: clicking their tab builds each in place. The
    map and the column keep their geometry, the panel fills its tab (not left at a minimum), and
    back on the editor its grid is where it was; on the smallest window the app supports too."""
    window.resize(*size)
    settle()
    assert (window.width(), window.height()) == size
    before = _geometries(window, ("latent", "editor"))
    grid_before = window.editor.grid.geometry().getRect()
    for key, text in (("draw", "Draw"), ("explain", "Explain")):
        assert _in_dock(window, key) is None
        _click_tab(qtbot, window, text)
        qtbot.waitUntil(lambda: _in_dock(window, key) is not None and window.on_screen(key), timeout=10000)
        settle()
        assert _geometries(window, ("latent",)) == {"latent": before["latent"]}
        assert window.docks[key].geometry().getRect() == before["editor"]
    _click_tab(qtbot, window, "Pixel editor")
    qtbot.waitUntil(lambda: window.on_screen("editor"), timeout=10000)
    settle()
    assert _geometries(window, ("latent", "editor")) == before
    assert window.editor.grid.geometry().getRect() == grid_before


def test_explain_built_late_explains_what_the_editor_holds(window, qtbot):
    """A glyph drawn in the editor before the Explain tab was ever raised is the one it explains
    when raised: the panel starts from the workspace's last input and model."""
    drawing = np.zeros((7, 5), np.float32)
    drawing[:, 2] = 1.0                       # a vertical bar
    window.editor.set_glyph(drawing)
    assert _in_dock(window, "explain") is None
    _click_tab(qtbot, window, "Explain")
    panel = window.explain
    qtbot.waitUntil(lambda: panel.result is not None and not panel.busy(), timeout=30000)
    np.testing.assert_array_equal(panel.result.input, drawing.ravel())
    assert panel._model is window.workspace.current


def test_network_view_built_late_shows_the_model_on_screen(window, qtbot):
    """The Train perspective's Network tab, raised for the first time after the models came in,
    shows the model on screen lit by the last input pointed at."""
    ws = window.workspace
    window.arranger.switch("train")
    settle()
    assert _in_dock(window, "network") is None
    _click_tab(qtbot, window, "Network")
    view = window.network
    qtbot.waitUntil(lambda: window.on_screen("network") and not view.busy(), timeout=30000)
    view.flush()
    qtbot.waitUntil(lambda: not view.busy(), timeout=30000)
    assert view._model is ws.current.model
