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
    config = panel.search_view.table.item(0, 4)
    assert "Counted in the mean, though untrained: 1 of 1 (" in config.text()
    i18n.set_language("es")
    assert panel.progress.format().startswith("Hecho · ")
    assert "Su puntuación cuenta 1 de 1 que no se entrenaron" in panel.summary_label.full_text()
    assert "Contadas en la media, aunque sin entrenar: 1 de 1 (" in panel.search_view.table.item(0, 4).text()
    assert panel.progress.format().endswith(f"mejor {best.score:.3f}".replace(".", ","))   # the decimal comma


def test_a_trials_seeds_that_diverged_or_did_not_train_are_said_in_the_windows_language(qtbot):
    """The trial's note in the table is built from its counts, so it follows the language (its
    message, in trials.csv, is English)."""
    from aegui.core.analyses.sweeps.search import TrialResult
    from aegui.qt.experiments.search_view import _trial_note
    mixed = TrialResult(0, "complete", {}, "lr=1", runs=3, diverged=1, dead=1, learn_fall=5.0)
    wild = TrialResult(1, "complete", {}, "lr=1000", runs=2, diverged=2)
    assert _trial_note(mixed) == ("diverged: 1 of 3 (scored as every pixel wrong; the means are over the rest); "
                                  "Counted in the mean, though untrained: 1 of 3 (1: no better than the majority "
                                  "picture; 0: a loss that fell under 5 % from its first check)")
    assert _trial_note(wild) == "every seed diverged (scored as every pixel wrong)"
    assert _trial_note(TrialResult(2, "complete", {}, "lr=0.1", runs=2)) == ""
    i18n.set_language("es")
    assert _trial_note(mixed).startswith("divergieron: 1 de 3 (puntuadas como si todos los píxeles estuvieran mal; "
                                         "las medias son sobre el resto); Contadas en la media, aunque sin entrenar: "
                                         "1 de 3 (1: ")
    assert _trial_note(wild) == "todas las semillas divergieron (puntuadas como si todos los píxeles estuvieran mal)"


def test_a_trial_whose_config_cannot_train_says_why_in_the_windows_language(panel, qtbot, tmp_path):
    """A failed trial's reason is the core's config error: the table names the field by its row
    label and says the problem in the window's language where the catalogue has it (trials.csv
    keeps the English message)."""
    pytest.importorskip("optuna")
    from aegui.core.analyses.sweeps.search import TrialResult
    from aegui.core.analyses.sweeps.sweep import sweep_from_dict
    from aegui.qt.experiments.search_view import _trial_note
    # Font3 has 35 pixels: 30-2-30 cannot read it (the first value must fit: the search checks its data with it)
    raw = tiny_sweep({"model.layers": [[35, 16, 2, 16, 35], [30, 2, 30]]}, seeds=1, epochs=5).to_dict()
    raw["search"] = {"trials": 5, "sampler": "random", "seed": 1, "pruner": "none"}
    panel.autosave_dir = tmp_path
    with qtbot.waitSignal(panel.jobs.finished, timeout=60000):
        assert panel.run_search(sweep_from_dict(raw))
    qtbot.waitUntil(lambda: not panel.is_running())
    row, trial = next((i, t) for i, t in enumerate(panel.search_result.trials) if t.state == "failed")
    assert trial.failed_field == "model.layers", trial
    assert trial.message.startswith("model.layers: the input layer has 30 units"), trial.message
    note = panel.search_view.table.item(row, 4).text()
    assert note.startswith("layers=30-2-30 — could not train: Layers: the input layer has 30 units"), note
    # a problem the catalogue has is said in Spanish, whole
    latent = TrialResult(1, "failed", {}, "layers=35-2-16-2-35", failed_field="model.layers",
                         failed_problem="the latent size must be smaller than every encoder layer and at most "
                                        "every decoder layer")
    i18n.set_language("es")
    note = panel.search_view.table.item(row, 4).text()
    assert note.startswith("layers=30-2-30 — no se pudo entrenar: Capas: the input layer has 30 units"), note
    assert _trial_note(latent) == ("no se pudo entrenar: Capas: el tamaño latente debe ser menor que cada capa del "
                                   "codificador y no mayor que las del decodificador")
