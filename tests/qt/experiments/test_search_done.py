"""A finished search says it is done: it kept "trial 5/5 · best ..." on its bar, as if one trial
were still to come; a sweep's bar says Done."""
import pytest

from aegui.qt import i18n
from tests.qt.experiments.test_experiments_panel import tiny_sweep


def test_a_finished_search_says_done_and_its_best_score(panel, qtbot, tmp_path):
    pytest.importorskip("optuna")
    from aegui.core.analyses.sweeps.sweep import sweep_from_dict
    raw = tiny_sweep({"train.learning_rate": [0.01, 0.05]}, seeds=1, epochs=10).to_dict()
    raw["search"] = {"trials": 2, "seed": 1, "startup_trials": 2, "warmup_epochs": 5}
    panel.autosave_dir = tmp_path
    with qtbot.waitSignal(panel.jobs.finished, timeout=60000):
        assert panel.run_search(sweep_from_dict(raw))
    qtbot.waitUntil(lambda: not panel.is_running())
    best = panel.search_result.best()
    text = panel.progress.format()
    assert text.startswith("Done · ") and text.endswith(f"best {best.score:.3f}"), text
    assert "trial" not in text
    assert panel.progress.value() == panel.progress.maximum()
    i18n.set_language("es")
    assert panel.progress.format().startswith("Hecho · ")
    assert panel.progress.format().endswith(f"mejor {best.score:.3f}".replace(".", ","))   # the decimal comma
