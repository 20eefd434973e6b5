"""The Analyses dock in the main window: Experiments menu entries, tabs, the current model,
closing mid-analysis, and the window's width in Spanish."""
import subprocess
import sys
from pathlib import Path

import pytest

from aegui.qt.analyses.analyses_panel import AnalysesPanel

ROOT = Path(__file__).resolve().parents[3]

ENTRIES = ["Denoising curve…", "Latent space vs PCA vs t-SNE (Font1–3)…", "Classifier probe…"]


from aegui.qt.models.names import title  # noqa: E402


def test_the_experiments_menu_ends_with_the_analyses(window):
    acts = window.menus.menu_experiments.actions()
    assert [a.text() for a in acts[-3:]] == ENTRIES
    assert acts[-4].isSeparator()
    assert [a.text() for a in window.menus.analysis_actions.values()] == ENTRIES
    window.menus.set_language("es")
    assert [a.text() for a in window.menus.analysis_actions.values()] == [
        "Curva de eliminación de ruido…", "Espacio latente vs PCA vs t-SNE (Font1–3)…", "Sonda clasificadora…"]
    assert window.docks["analyses"].windowTitle() == "Análisis"
    assert [window.analyses.tabs.tabText(i) for i in range(3)] == [
        "Curva de ruido", "Latente vs PCA vs t-SNE", "Sonda clasificadora"]
    # still fits a 1280 px screen
    assert window.minimumSizeHint().width() <= 1280
    window.menus.set_language("en")


def test_the_dock_is_a_tab_beside_the_experiments(window):
    window.arranger.switch("experiments")
    assert window.docks["analyses"] in window.tabifiedDockWidgets(window.docks["experiments"])
    assert window.docks["analyses"].toggleViewAction() in window.menus.menu_panels.actions()


@pytest.mark.parametrize("key", ["denoise", "embedding", "probe"])
def test_each_entry_opens_its_tab_and_runs_and_closing_cancels_it(window, qtbot, key):
    view = window.analyses.views[key]
    window.analyses.show_tab("denoise" if key != "denoise" else "probe")
    with qtbot.waitSignal(view.jobs.progress, timeout=30000):
        window.menus.analysis_actions[key].trigger()
    assert window.docks["analyses"].isVisible()
    assert window.analyses.current_key() == key and view.is_running()
    assert window.analyses.tabs.tabText(window.analyses.tabs.currentIndex()).endswith("(running)")
    # a second click does not start it twice
    assert not window.run_analysis(key)
    window.close()
    assert not window.analyses.is_running()


def test_the_current_model_is_offered(window):
    current = window.workspace.current
    assert current is not None and current.shape == (7, 5)
    a = window.analyses
    for view in (a.denoise, a.probe):
        i = view.source_combo.findData("model")
        assert view.source_combo.model().item(i).isEnabled()
        assert view.source_combo.itemText(i) == f"Current model: {title(current)}"
    # another model on screen follows
    other = next(e for e in window.workspace.models if e is not current)
    window.workspace.set_current(other)
    assert a.denoise.source_combo.itemText(a.denoise.source_combo.findData("model")).endswith(title(other))


def test_the_panel_shuts_down_every_tab(qtbot):
    panel = AnalysesPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.embedding.jobs.progress, timeout=30000):
        panel.embedding.run_preset()
    assert panel.is_running()
    assert panel.shutdown(10000)
    assert not panel.embedding.jobs.is_running()


def test_the_analyses_do_not_import_torch_or_sklearn_at_startup():
    code = ("import sys, aegui.qt.analyses.analyses_panel; "
            "sys.exit(any(m in sys.modules for m in ('torch', 'sklearn')))")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
