"""The embeddings tab: AE latent | PCA | t-SNE for Font1-3 as labelled panels, all five panels,
exports, cancel, errors, Spanish."""
import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aegui.core.analyses.embedding import CSV_COLUMNS
from aegui.qt import i18n
from aegui.qt.analyses.embedding_view import EmbeddingView

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def view(qtbot):
    v = EmbeddingView()
    qtbot.addWidget(v)
    v.resize(900, 700)
    v.show()
    yield v
    v.shutdown()


@pytest.fixture(scope="module")
def font3_model():
    from aegui.core.runs.storage import load_model
    return load_model(ROOT / "models" / "font3-ae2d")[0]


def run_to_end(qtbot, view, start, timeout=60000):
    with qtbot.waitSignal(view.result_ready, timeout=timeout):
        assert start()
    qtbot.waitUntil(lambda: not view.is_running())
    return view.result


def test_three_labelled_panels_for_each_of_font1_to_font3(view, qtbot):
    # The comparison a report needs: AE latent vs PCA vs t-SNE, side by side, for Font1-3.
    res = run_to_end(qtbot, view, view.run_preset)
    assert res.datasets == ["Font1", "Font2", "Font3"] and not res.cancelled
    assert len(view.plots) == 9
    titles = {key: plot.titleLabel.text for key, plot in view.plots.items()}
    for font in ("Font1", "Font2", "Font3"):
        assert titles[(font, "ae", "latent")] == f"{font} · AE latent"
        assert titles[(font, "pca", "raw")] == f"{font} · PCA of pixels"
        assert titles[(font, "tsne", "raw")] == f"{font} · t-SNE of pixels"
    for key, items in view.point_items.items():
        panel = res.panel(*key)
        assert len(items) == len(panel.labels) == 32
        shown = {"space": "sp", "DEL": "del"}
        assert [t.toPlainText() for t in items] == [shown.get(lab, lab) for lab in panel.labels]
        # each label sits at its point, x across and y up (not transposed)
        np.testing.assert_allclose([(t.pos().x(), t.pos().y()) for t in items], panel.xy)
        (x0, x1), (y0, y1) = view.plots[key].vb.viewRange()
        assert x0 < panel.xy[:, 0].min() and panel.xy[:, 0].max() < x1
        assert y0 < panel.xy[:, 1].min() and panel.xy[:, 1].max() < y1
    # Font1 holds the digits and symbols, Font2 the capitals, Font3 the small letters
    assert "A" in res.panel("Font2", "ae", "latent").labels and "a" in res.panel("Font3", "ae", "latent").labels
    assert view.status_label.full_text().startswith("9 panels for Font1, Font2, Font3")


def test_all_five_panels_with_a_given_model_and_the_exports(view, qtbot, tmp_path, font3_model):
    view.panels_combo.setCurrentIndex(view.panels_combo.findData("all"))
    view.seed_spin.setValue(3)
    view.perplexity_spin.setValue(5)
    res = run_to_end(qtbot, view, lambda: view.run(fonts=("Font3",), models={"Font3": font3_model}))
    assert res.kinds == [("ae", "latent"), ("pca", "raw"), ("tsne", "raw"), ("pca", "latent"), ("tsne", "latent")]
    assert res.seed == 3
    assert [p.titleLabel.text for p in view.plots.values()][3:] == ["Font3 · PCA of codes", "Font3 · t-SNE of codes"]
    assert "perplexity 5" in view.status_label.full_text()
    # the model given is used as is: its codes are the AE panel
    from aegui.core.data.datasets import font_dataset
    from aegui.core.models.latent import encode
    np.testing.assert_allclose(res.panel("Font3", "ae", "latent").xy, encode(font3_model, font_dataset(("Font3",)).x),
                               rtol=1e-5, atol=1e-6)

    view.export_png(tmp_path / "e.png")
    view.export_png(tmp_path / "g.png", pictures=True)
    view.export_csv(tmp_path / "e.csv")
    for name in ("e.png", "g.png"):
        with Image.open(tmp_path / name) as img:
            assert img.width > 5 * 300 and img.height > 300
    with open(tmp_path / "e.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == CSV_COLUMNS and len(rows) == 5 * 32
    assert {(r["method"], r["space"]) for r in rows} == set(res.kinds)


def test_cancel_keeps_the_fonts_that_finished(view, qtbot):
    seen = []
    view.jobs.progress.connect(seen.append)
    with qtbot.waitSignal(view.jobs.finished, timeout=60000) as blocker:
        assert view.run_preset()
        # Font1 done: Font2's autoencoder is training
        qtbot.waitUntil(lambda: any(p.dataset == "Font2" for p in seen), timeout=30000)
        view.cancel()
    last = blocker.args[0]
    assert last.state == "cancelled"
    qtbot.waitUntil(lambda: not view.is_running())
    kept = last.result.datasets
    assert kept[0] == "Font1" and len(kept) < 3
    assert len(view.plots) == 3 * len(kept)
    assert view.status_label.full_text() == f"Cancelled: {', '.join(kept)} kept."
    assert view.run_button.isEnabled()


def test_a_bad_perplexity_is_one_sentence(view, qtbot, font3_model):
    with qtbot.waitSignal(view.jobs.errored, timeout=30000):
        view.run(fonts=("Font3",), models={"Font3": font3_model}, perplexity=50)
    text = view.status_label.full_text()
    assert text.startswith("The analysis failed: perplexity: must be between 0 and the number of samples (32)")
    assert "\n" not in text and view.result is None and not view.export_button.isEnabled()


def test_the_tab_speaks_spanish(view, qtbot, font3_model):
    run_to_end(qtbot, view, lambda: view.run(fonts=("Font3",), models={"Font3": font3_model}))
    i18n.set_language("es")
    assert [p.titleLabel.text for p in view.plots.values()] == [
        "Font3 · Latente del AE", "Font3 · PCA de píxeles", "Font3 · t-SNE de píxeles"]
    assert view.panels_combo.itemText(0) == "Latente del AE · PCA · t-SNE"
    assert view.perplexity_spin.specialValueText() == "auto"
    assert view.seed_label.text() == "Semilla" and view.run_button.text() == "Ejecutar"
    assert view.status_label.full_text().startswith("3 paneles de Font3")
