"""The Compare panel: two models of the workspace side by side; hovering one latent map
rings the same sample on both and shows it with both models' outputs; the reconstructions of the
same inputs are each model's own; the better value of each score is marked; two models of
different data are refused with a sentence; the whole comparison exports as one PNG."""
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from aegui.core.archs import build_model
from aegui.core.schema.experiment import Experiment
from aegui.core.config.validation import with_changes
from aegui.core.data.datasets import from_config
from aegui.core.models import latent
from aegui.core.runs.trained import TrainedModel, open_trained
from aegui.qt.compare.compare_panel import ComparePanel
from aegui.qt.models.names import title

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def demos():
    return [open_trained(ROOT / "models" / name) for name in ("general-5x7-dae", "general-5x7-local")]


@pytest.fixture
def setup(bound_panel, demos):
    panel, ws = bound_panel(ComparePanel, 620, 1500)
    ws.opened_at_start(list(demos), False, [], "")
    return panel, ws


def compared(qtbot, panel, a, b):
    panel.choose(a, b)
    qtbot.waitUntil(lambda: not panel.busy() and panel.comparison is not None
                    and panel.comparison.names[0] == panel.choosers[0].currentText(), timeout=60000)
    return panel.comparison


def test_linked_hover_rings_the_same_glyph_on_both_maps(setup, qtbot, demos):
    panel, ws = setup
    mlp, local = demos
    c = compared(qtbot, panel, mlp, local)
    x = mlp.dataset.x
    np.testing.assert_array_equal(c.inputs, x)
    k = c.labels.index("A")
    # Hover near A's "A" on the first map: it is ringed there and on the other map at its own code.
    assert panel.maps.hover(0, c.xy[0][k] + 1e-4) == k
    np.testing.assert_allclose(panel.maps.ring_position(0), c.xy[0][k], atol=1e-5)
    np.testing.assert_allclose(panel.maps.ring_position(1), c.xy[1][k], atol=1e-5)
    # What is under the cursor is shown with both models' outputs (computed here by each model).
    views = panel.under_views
    np.testing.assert_array_equal(views[0].image(), x[k].reshape(7, 5))
    np.testing.assert_allclose(views[1].image(), latent.denoise(mlp.model, x[k:k + 1]).reshape(7, 5), atol=1e-6)
    np.testing.assert_allclose(views[2].image(), latent.denoise(local.model, x[k:k + 1]).reshape(7, 5), atol=1e-6)
    assert panel.under_titles[0].text() == "“A”"
    # A real mouse move over the second map rings another sample on both.
    j = c.labels.index("g")
    plot = panel.maps.plots[1]
    vb = plot.getPlotItem().getViewBox()
    import pyqtgraph as pg
    at = plot.mapFromScene(vb.mapViewToScene(pg.Point(*c.xy[1][j])))
    QTest.mouseMove(plot.viewport(), QPoint(int(at.x()), int(at.y())))
    qtbot.waitUntil(lambda: panel.maps.ringed is not None and panel.maps.ringed != k, timeout=10000)
    i = panel.maps.ringed
    assert np.abs(c.xy[1][i] - c.xy[1][j]).max() < np.ptp(c.xy[1], axis=0).max() * 0.03
    np.testing.assert_allclose(panel.maps.ring_position(0), c.xy[0][i], atol=1e-5)


def test_the_same_inputs_reconstructed_by_both_and_the_better_marked(setup, qtbot, demos):
    panel, ws = setup
    mlp, local = demos
    c = compared(qtbot, panel, mlp, local)
    x = mlp.dataset.x
    index = panel.strip_index
    assert len(index) == 12
    shown = [panel.rows[r].image() for r in range(3)]
    for r, expected in enumerate((x[index], latent.denoise(mlp.model, x[index]), latent.denoise(local.model, x[index]))):
        tiles = np.stack([shown[r][:, k * 6:k * 6 + 5] for k in range(len(index))])
        np.testing.assert_allclose(tiles, expected.reshape(-1, 7, 5), atol=1e-6)
    # Wrong pixels are marked on the outputs, against the inputs.
    wrong = (latent.denoise(local.model, x[index]) >= 0.5) != (x[index] >= 0.5)
    marks = panel.rows[2].marks()
    assert np.array_equal(np.stack([marks[:, k * 6:k * 6 + 5] for k in range(len(index))]), wrong.reshape(-1, 7, 5))
    # One table; the better value of each score is marked, the MLP's under noise (it knows these glyphs).
    marked = panel.table.marked()
    assert marked == {r.key: r.better for r in c.rows if r.better is not None}
    assert marked["noisy_wrong"] == 0
    labels = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert "mean wrong pixels at salt-and-pepper 10 %" in labels and labels[0] == "kind"
    assert panel.table.item(1, 1).text().startswith("fully connected (MLP): 35 → 256")


def test_different_data_is_refused_with_a_sentence_and_export_writes_one_png(setup, qtbot, demos, tmp_path):
    panel, ws = setup
    exp = with_changes(Experiment(), data={"source": "digits"}, model={"layers": (64, 8, 2, 8, 64)})
    model = build_model(exp.model, 1)
    model.init_weights([0])
    digits = TrainedModel("digits AE", model.eval(), exp, from_config(exp.data))
    ws.add(digits)
    panel.choose(demos[0], digits)
    assert panel.comparison is None and not panel.content.isVisible()
    assert panel.message() == (f"{title(demos[0])} reads 5x7 glyphs and {title(digits)} reads 8x8 grey pictures: "
                               "two models can be compared only on the same data; pick two models of the same data "
                               "shape.")
    assert not panel.export_png(tmp_path / "none.png")
    panel.choose(demos[0], demos[0])
    assert panel.message() == "Pick two different models."
    compared(qtbot, panel, demos[1], demos[0])
    assert panel.message() == "" and panel.content.isVisible()
    path = tmp_path / "compare.png"
    assert panel.export_png(path)
    image = QImage(str(path))
    assert image.width() == panel.content.width() and image.height() == panel.content.height()


def test_a_model_that_held_glyphs_out_is_scored_as_its_name_says_and_the_rest_apart(setup, qtbot, demos):
    """Trained on 26 of Font3's 32 glyphs, a model is named "— 0 px" (its training set's worst)
    and the table said 17 wrong pixels: those of the 6 glyphs it never trained on, unsaid. Its
    training set's worst is now the name's figure, and the validation set's stands apart."""
    from aegui.core.data.datasets import split
    from aegui.core.train.session import train
    from aegui.qt import i18n
    panel, ws = setup
    exp = with_changes(Experiment(name="held out"), data={"val_split": 0.2},
                       train={"epochs": 400, "seeds": 1, "learning_rate": 0.02})
    full = from_config(exp.data)
    session, rec = train(exp, split(full, 0.2, 0)[0])
    held = TrainedModel("held out", session.best_model().eval(), exp, full, trained=("px", rec.max_wrong))
    other = TrainedModel("fresh", build_model(exp.model, 1).eval(), exp, full)
    ws.add(held)
    ws.add(other)
    c = compared(qtbot, panel, held, other)
    table = panel.table
    rows = {table.item(r, 0).text(): table.item(r, 1).text().rstrip(" ✓") for r in range(table.rowCount())}
    assert f"— {rec.max_wrong} px" in title(held)
    assert rows["max wrong pixels, training set"] == str(rec.max_wrong)
    assert int(rows["max wrong pixels, validation set"]) == c.row("max_wrong_val").values[0]
    assert "max wrong pixels" not in rows
    assert "A held 6 of them out for validation" in panel.heading.text()
    i18n.set_language("es")
    labels = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert "máx. píxeles erróneos, conjunto de validación" in labels
    assert "A apartó 6 de ellas para validación" in panel.heading.text()
