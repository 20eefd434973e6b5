"""The denoising-curve tab: the shipped preset end to end with its exports, per-character bars
at a chosen noise, the window's model, cancel, errors as one sentence, Spanish."""
import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image

from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.analyses.denoise.curve import CURVE_COLUMNS, CurveSpec
from aegui.qt import i18n
from aegui.qt.analyses.denoise_view import DenoiseView

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def view(qtbot):
    v = DenoiseView()
    qtbot.addWidget(v)
    v.resize(900, 560)
    v.show()
    yield v
    v.shutdown()


@pytest.fixture(scope="module")
def dae_entry():
    from aegui.core.runs.trained import open_trained as open_model
    return open_model(ROOT / "models" / "font3-dae")


def run_to_end(qtbot, view, start, timeout=30000):
    with qtbot.waitSignal(view.result_ready, timeout=timeout):
        assert start()
    qtbot.waitUntil(lambda: not view.is_running())
    return view.result


def tiny_spec(epochs=30, **changes) -> CurveSpec:
    base = with_changes(Experiment(name="tiny dae"), model={"kind": "dae", "layers": (35, 16, 6, 16, 35)},
                        train={"epochs": epochs, "check_every": 10, "device": "cpu", "optimizer": "adam",
                               "learning_rate": 0.02})
    return replace(CurveSpec(name="tiny curve", base=base, seeds=2, kinds=("salt_pepper", "bit_flip"),
                             levels=(0.0, 0.3, 0.6), repeats=2, char_level=0.3), **changes).validate()


def curves_named(view) -> dict:
    return {item.name(): item for item in view.curve_plot.listDataItems() if item.name()}


def test_the_preset_completes_and_exports_png_and_csv(view, qtbot, tmp_path):
    # The shipped preset (Font3 DAE, 5 seeds trained here) runs from the tab.
    assert view.source_combo.currentData() == "preset"
    assert view.seeds_spin.value() == 5 and view.repeats_spin.value() == 20
    res = run_to_end(qtbot, view, view.run_preset)
    assert res.kinds == ("salt_pepper", "bit_flip", "gaussian") and res.n_seeds == 5
    assert len(res.levels) == 10 and len(res.labels) == 32
    # one curve per noise type, drawn at the measured means, with ± std bands
    curves = curves_named(view)
    assert set(curves) >= {"salt-and-pepper", "bit flip", "gaussian", "noisy input (dashed)"}
    x, y = curves["bit flip"].getData()
    np.testing.assert_allclose(x, res.levels * 100)
    np.testing.assert_allclose(y, res.curve("bit_flip")["mean"])
    assert len(view._band_items) == 3
    # denoising helps: fewer wrong pixels after than in the noisy input at 30 % salt-and-pepper
    c = res.curve("salt_pepper")
    assert c["mean"][3] < c["baseline_mean"][3]
    assert view.export_button.isEnabled()
    assert "5 models, 32 glyphs, 20 copies each" in view.status_label.full_text()

    view.export_png(tmp_path / "curve.png")
    view.export_csv(tmp_path / "curve.csv")
    with Image.open(tmp_path / "curve.png") as img:
        assert img.width >= 1000 and img.height >= 400
    with open(tmp_path / "curve.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == CURVE_COLUMNS and len(rows) == 30
    assert float(rows[3]["mean"]) == pytest.approx(c["mean"][3])
    files = view.export_folder(tmp_path / "all")
    assert {p.name for p in files.values()} == {"curve.csv", "per_char.csv", "denoising-curve.png",
                                                 "denoising-curve.json"}


def test_the_bars_follow_the_chosen_noise_type_and_level(view, qtbot, tmp_path):
    res = run_to_end(qtbot, view, lambda: view.run(tiny_spec()))
    assert view.chosen() == ("salt_pepper", 0.3)
    view.kind_combo.setCurrentIndex(view.kind_combo.findData("bit_flip"))
    view.level_slider.setValue(2)
    assert view.chosen() == ("bit_flip", 0.6)
    assert view.level_label.text() == "60 %"
    bars = [i for i in view.char_plot.items if isinstance(i, pg.BarGraphItem)]
    heights = [np.asarray(b.opts["height"]) for b in bars]
    pc = res.per_char("bit_flip", 0.6)
    np.testing.assert_allclose(heights[0], pc["baseline_mean"])
    np.testing.assert_allclose(heights[1], pc["mean"])
    assert view.char_plot.titleLabel.text.startswith("bit flip, 60 %")
    assert view.level_line.value() == pytest.approx(60)
    # the exported figure and summary show the bars' choice
    view.export_folder(tmp_path)
    summary = json.loads((tmp_path / "denoising-curve.json").read_text())
    assert (summary["char_kind"], summary["char_level"]) == ("bit_flip", 0.6)


def test_the_current_glyph_model_is_measured_as_one_seed(view, qtbot, dae_entry):
    assert not view.source_combo.model().item(view.source_combo.findData("model")).isEnabled()
    view.set_model(dae_entry)
    i = view.source_combo.findData("model")
    assert view.source_combo.model().item(i).isEnabled()
    from aegui.qt.models.names import title
    assert view.source_combo.itemText(i) == f"Current model: {title(dae_entry)}"
    view.source_combo.setCurrentIndex(i)
    assert not view.seeds_spin.isEnabled()
    view.repeats_spin.setValue(2)
    res = run_to_end(qtbot, view, view.run)
    assert res.n_seeds == 1 and res.repeats == 2 and res.train_seconds == 0
    np.testing.assert_array_equal(res.curve("gaussian")["std"], 0)
    # an image model is not offered: the curve counts wrong pixels of 5x7 glyphs
    view.set_model(replace(dae_entry, dataset=type("D", (), {"shape": (8, 8)})()))
    assert view.source_combo.currentData() == "preset"


def test_cancel_mid_run_keeps_the_previous_curves(view, qtbot):
    first = run_to_end(qtbot, view, lambda: view.run(tiny_spec()))
    with qtbot.waitSignal(view.jobs.progress, timeout=20000):
        assert view.run(tiny_spec(epochs=200_000))
    assert view.is_running() and not view.run_button.isEnabled()
    with qtbot.waitSignal(view.jobs.finished, timeout=20000) as blocker:
        view.cancel()
    assert blocker.args[0].state == "cancelled"
    qtbot.waitUntil(lambda: not view.is_running())
    assert view.result is first and view.progress.format() == "Cancelled"
    assert view.status_label.full_text().startswith("Cancelled: nothing measured is kept")
    assert view.run_button.isEnabled() and view.export_button.isEnabled()


def test_problems_are_one_sentence(view, qtbot, tmp_path, dae_entry):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"analysis": "denoising_curve", "base": "../x.json", "levels": [0.5, 0.1]}))
    assert not view.open_spec(bad)
    assert "bad.json" in view.status_label.full_text() and view.source_combo.currentData() == "preset"
    # the job itself refuses: a glyph model on 8x8 digits
    from aegui.core.data.image_data import digits_dataset
    spec = CurveSpec(name="mismatch", base=Experiment(), seeds=1, repeats=1)
    with qtbot.waitSignal(view.jobs.errored, timeout=20000):
        view.run(spec, models=[dae_entry.model], data=digits_dataset(max_samples=20))
    text = view.status_label.full_text()
    assert text.startswith("The analysis failed: models: a model reads 35 values per sample")
    assert "Traceback" not in text and "\n" not in text
    assert "color: #c62828" in view.status_label.styleSheet()


def test_the_tab_speaks_spanish(view, qtbot):
    run_to_end(qtbot, view, lambda: view.run(tiny_spec()))
    i18n.set_language("es")
    assert view.run_button.text() == "Ejecutar" and view.export_button.text() == "Exportar"
    assert view.source_combo.itemText(0) == "Preajuste: DAE de Font3, semillas entrenadas aquí"
    assert view.kind_combo.itemText(0) == "sal y pimienta"
    assert "sal y pimienta" in curves_named(view)
    assert view.curve_plot.titleLabel.text == "Sin ruido, media ± desv."
    assert view.char_plot.titleLabel.text.startswith("sal y pimienta, 30 %")
    assert "2 modelos, 32 glifos" in view.status_label.full_text()
    assert view.progress.format().startswith("Hecho")
    assert [a.text() for a in view.export_menu.actions()][0] == "Figura como PNG…"


def test_a_seed_that_diverged_is_said_under_the_curves(view, qtbot):
    """The curve of a run in which seeds diverged covers the others; the status says which were
    left out, in either language, so a mean over fewer seeds is never taken for one over all."""
    res = run_to_end(qtbot, view, lambda: view.run(tiny_spec()))
    view.set_result(replace(res, diverged=((1, 20),)))
    assert view.status_label.full_text().endswith("in the noisy input. Seed 1 diverged in training and is left out.")
    view.set_result(replace(res, diverged=((1, 20), (3, 10))))
    assert view.status_label.full_text().endswith("Seeds 1, 3 diverged in training and are left out.")
    i18n.set_language("es")
    assert view.status_label.full_text().endswith("Las semillas 1, 3 divergieron al entrenar y quedan fuera.")
