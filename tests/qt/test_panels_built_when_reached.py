"""The panels the Explore perspective does not show (the model builder, experiments, analyses,
compare, the training charts, the reconstructions) are not built before the window's first paint: the Explore window a student starts in does
not wait for them. Reached later in any way (their perspective, View > Panels, a menu action), each
is whole when it shows: in its dock, bound to the workspace, showing the models that came in
before it was built."""
from PySide6.QtWidgets import QDockWidget

from aegui.core.workspace import state as S
from aegui.qt.analyses.analyses_panel import AnalysesPanel
from aegui.qt.builder.model_builder import ModelBuilder
from aegui.qt.compare.compare_panel import ComparePanel
from aegui.qt.experiments.experiments_panel import ExperimentsPanel
from aegui.qt.models import title
from aegui.qt.training.reconstructions import ReconstructionsPanel
from aegui.qt.training.training_panel import TrainingPanel

LATER = {"builder": ModelBuilder, "experiments": ExperimentsPanel, "analyses": AnalysesPanel,
         "compare": ComparePanel, "training": TrainingPanel, "recon": ReconstructionsPanel}


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
