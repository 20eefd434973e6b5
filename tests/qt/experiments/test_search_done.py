"""A finished search says it is done: it kept "trial 5/5 · best ..." on its bar, as if one trial
were still to come; a sweep's bar says Done. Its summary says when the best trial's score counts
seeds that did not train (learning rates of 1e-7 and 1e-6 leave its seed where it started)."""
import pytest

from aegui.qt import i18n
from tests.qt.experiments.test_experiments_panel import tiny_sweep


def test_a_finished_search_says_done_and_its_best_score(panel, qtbot, tmp_path):
    pytest.importorskip("optuna")
    from aegui.core.analyses.sweeps.sweep import sweep_from_dict
    raw = tiny_sweep({"train.learning_rate": [1e-7, 1e-6]}, seeds=1, epochs=10).to_dict()
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
    assert best.untrained == 1
    assert "Its score counts 1 of 1 that did not train: no better than the majority picture, or a loss that fell " \
           "under 5 % from its first check." in panel.summary_label.full_text()
    i18n.set_language("es")
    assert panel.progress.format().startswith("Hecho · ")
    assert "Su puntuación cuenta 1 de 1 que no se entrenaron" in panel.summary_label.full_text()
    assert panel.progress.format().endswith(f"mejor {best.score:.3f}".replace(".", ","))   # the decimal comma
