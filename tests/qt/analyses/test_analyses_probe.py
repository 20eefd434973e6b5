"""The classifier-probe tab: accuracy curves vs the pixel baseline and chance, the confusion
matrix, the window's model with the head settings, cancel, errors, exports, Spanish."""
import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.analyses.classify.probe import ProbeConfig, ProbeSpec
from aegui.qt import i18n
from aegui.qt.analyses.probe_view import ProbeView

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def view(qtbot):
    v = ProbeView()
    qtbot.addWidget(v)
    v.resize(1000, 600)
    v.show()
    yield v
    v.shutdown()


@pytest.fixture(scope="module")
def ae2d_entry():
    from aegui.core.runs.trained import open_trained as open_model
    return open_model(ROOT / "models" / "font3-ae2d")


def tiny_spec(head_epochs=60, **config) -> ProbeSpec:
    base = with_changes(Experiment(name="tiny stacked AE"), data={"fonts": ("all",)},
                        model={"layers": (35, 16, 4, 16, 35)},
                        train={"epochs": 40, "check_every": 10, "device": "cpu", "seeds": 1, "optimizer": "adam",
                               "learning_rate": 0.02})
    return ProbeSpec(name="tiny probe", base=base, data="model", baseline=True,
                     config=ProbeConfig(epochs=head_epochs, check_every=5, **config))


def run_to_end(qtbot, view, start, timeout=30000):
    with qtbot.waitSignal(view.result_ready, timeout=timeout):
        assert start()
    qtbot.waitUntil(lambda: not view.is_running())
    return view.result


def named(view) -> dict:
    return {item.name(): item for item in view.acc_plot.listDataItems() if item.name()}


def test_a_probe_shows_accuracy_curves_baseline_chance_and_the_confusion_matrix(view, qtbot):
    run = run_to_end(qtbot, view, lambda: view.run(tiny_spec()))
    probe, base = run.probe, run.baseline
    assert probe.classes == ["digit", "upper", "lower", "symbol"] and base is not None
    curves = named(view)
    assert set(curves) == {"codes: train", "codes: held-out", "pixels: train", "pixels: held-out", "chance"}
    x, y = curves["codes: held-out"].getData()
    np.testing.assert_allclose(x, [h["epoch"] for h in probe.history])
    np.testing.assert_allclose(y, [h["val_accuracy"] for h in probe.history])
    assert x[-1] == 60
    assert view.chance_line.value() == pytest.approx(probe.chance)
    # the matrix shown is the held-out part's, rows = true class, with class names
    t = view.table
    assert [t.horizontalHeaderItem(j).text() for j in range(4)] == probe.classes
    assert [t.verticalHeaderItem(i).text() for i in range(4)] == probe.classes
    shown = np.array([[int(t.item(i, j).text()) for j in range(4)] for i in range(4)])
    np.testing.assert_array_equal(shown, probe.confusion)
    assert shown.sum() == probe.n_val == 22
    assert t.item(0, 0).toolTip().startswith("true digit, predicted digit:")
    # the training part's and the pixels' matrices are one choice away
    view.matrix_combo.setCurrentIndex(view.matrix_combo.findData("baseline_train"))
    shown = np.array([[int(t.item(i, j).text()) for j in range(4)] for i in range(4)])
    np.testing.assert_array_equal(shown, base.confusion_train)
    summary = view.summary.text()
    assert f"{probe.val_accuracy:.3f}" in summary and f"{base.val_accuracy:.3f}" in summary
    assert f"{probe.chance:.3f}" in summary
    assert view.status_label.full_text().startswith(f"Held-out accuracy {probe.val_accuracy:.3f} from the codes")


def test_the_current_model_with_the_head_settings(view, qtbot, ae2d_entry):
    view.set_model(ae2d_entry)
    view.select_source("model")
    assert view.hidden_spin.value() == 0 and view.baseline_check.isChecked()
    view.fine_tune_combo.setCurrentIndex(1)
    view.hidden_spin.setValue(8)
    view.epochs_spin.setValue(30)
    view.baseline_check.setChecked(False)
    run = run_to_end(qtbot, view, view.run)
    cfg = run.probe.config
    assert (cfg.hidden, cfg.epochs, cfg.fine_tune) == (8, 30, True)
    assert run.baseline is None and not run.trained_here
    assert run.probe.features == "codes (fine-tuned encoder)" and run.probe.latent_dim == 2
    # Font3 is small letters and symbols
    assert run.probe.classes == ["lower", "symbol"]
    assert "codes, fine-tuned" in view.summary.text()
    assert {view.matrix_combo.itemData(i) for i in range(view.matrix_combo.count())} == {"probe", "probe_train"}
    # fine-tuning trained a copy: the window's model is untouched
    from aegui.core.models.latent import encode
    np.testing.assert_allclose(encode(ae2d_entry.model, ae2d_entry.dataset.x), ae2d_entry.codes())


def test_choosing_a_preset_shows_its_head_settings(view):
    view.select_source("fonts")
    assert (view.hidden_spin.value(), view.epochs_spin.value()) == (16, 300)
    assert view.fine_tune_combo.currentData() is False and view.baseline_check.isChecked()
    view.select_source("digits")
    assert view.hidden_spin.value() == 0 and view.hidden_spin.text() == "linear"
    assert not view.source_combo.model().item(view.source_combo.findData("model")).isEnabled()


def test_cancel_keeps_the_head_as_trained_so_far(view, qtbot):
    with qtbot.waitSignal(view.jobs.progress, timeout=20000):
        assert view.run(tiny_spec(head_epochs=1_000_000))
    qtbot.waitUntil(lambda: bool(view._live.get("probe")), timeout=20000)   # the head is training
    with qtbot.waitSignal(view.result_ready, timeout=20000):
        view.cancel()
    qtbot.waitUntil(lambda: not view.is_running())
    run = view.result
    assert run.probe.cancelled and run.probe.epochs < 1_000_000 and run.baseline is None
    assert view.status_label.full_text() == "Cancelled: the head as trained so far is shown."
    assert view.progress.format() == "Cancelled" and view.table.rowCount() == 4


def test_a_dataset_of_one_class_is_one_sentence(view, qtbot, ae2d_entry):
    exp = with_changes(ae2d_entry.experiment, data={"chars": "abc"})
    with qtbot.waitSignal(view.jobs.errored, timeout=20000):
        view.run(ProbeSpec(name="one class", data="model"), model=ae2d_entry.model, experiment=exp)
    text = view.status_label.full_text()
    assert text.startswith("The analysis failed: data: Font3 [abc] has a single class (lower)")
    assert "\n" not in text and view.result is None


def test_exports_write_csv_and_png(view, qtbot, tmp_path):
    run_to_end(qtbot, view, lambda: view.run(tiny_spec(head_epochs=20)))
    files = view.export_folder(tmp_path / "out")
    names = {p.name for p in files.values()}
    assert {"accuracy.json", "confusion.csv", "history.csv", "pixels-accuracy.json", "pixels-confusion.csv"} <= names
    acc = json.loads((tmp_path / "out" / "accuracy.json").read_text())
    assert acc["val_accuracy"] == pytest.approx(view.result.probe.val_accuracy, abs=1e-6)
    view.export_csv(tmp_path / "m.csv")
    with open(tmp_path / "m.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["true \\ predicted", "digit", "upper", "lower", "symbol"]
    assert sum(int(v) for r in rows[1:] for v in r[1:]) == 22
    view.export_png(tmp_path / "p.png")
    with Image.open(tmp_path / "p.png") as img:
        assert img.width >= 900 and img.height >= 300


def test_the_tab_speaks_spanish(view, qtbot):
    run_to_end(qtbot, view, lambda: view.run(tiny_spec(head_epochs=20)))
    i18n.set_language("es")
    assert view.source_combo.itemText(0) == "Preajuste: dígitos 8x8, AE apilado con código de 10-D"
    assert view.fine_tune_combo.itemText(0) == "codificador congelado"
    assert view.hidden_spin.specialValueText() == "lineal"
    assert set(named(view)) == {"códigos: entrenamiento", "códigos: reservada", "píxeles: entrenamiento",
                                "píxeles: reservada", "azar"}
    assert view.matrix_combo.currentText() == "códigos, parte reservada"
    assert view.axes_label.text() == "Filas: clase real · columnas: predicha"
    assert view.status_label.full_text().startswith("Exactitud en la parte reservada:")
