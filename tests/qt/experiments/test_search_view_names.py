"""A search's results name the settings it searched in full (the Search tab hid the
searched learning rate: its name cut on the importance chart's axis)."""
from pathlib import Path

from PySide6.QtGui import QFontMetrics

from aegui.core.analyses.sweeps.sweep import load_sweep
from aegui.core.analyses.sweeps.search import SearchResult, TrialResult
from aegui.qt.experiments.search_view import SearchView
from aegui.qt.window.window_matrix import settle

ROOT = Path(__file__).resolve().parents[3]


def test_the_searched_settings_are_named_whole(qtbot):
    view = SearchView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    sweep = load_sweep(ROOT / "resources/sweeps/activations.json")
    params = {"train.learning_rate": 0.0123, "model.hidden_activation": "tanh"}
    trial = TrialResult(0, "complete", params, "learning_rate=0.0123, hidden_activation=tanh")
    trial.score, trial.epochs = 1.5, 100
    result = SearchResult(sweep, trials=[trial], importance={"train.learning_rate": 0.7,
                                                             "model.hidden_activation": 0.3})
    view.set_result(result)
    settle()
    axis = view.importance.getAxis("left")
    fm = QFontMetrics(axis.style.get("tickFont") or view.importance.font())
    for name in ("learning_rate", "hidden_activation"):
        assert fm.horizontalAdvance(name) + 5 <= axis.width(), (name, axis.width())
    config = view.table.item(0, 4).text()
    assert view.table.fontMetrics().horizontalAdvance(config) <= view.table.columnWidth(4)
