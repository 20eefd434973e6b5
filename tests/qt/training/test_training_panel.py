import csv

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtGui import QImage  # noqa: E402

from aegui.core.train.progress import DIVERGED, FINISHED, ProgressRecord  # noqa: E402
from aegui.qt import i18n  # noqa: E402
from aegui.qt.training.reconstructions import ReconstructionsPanel, wrong_pixels  # noqa: E402
from aegui.qt.training.training_panel import TrainingPanel  # noqa: E402


def make_records(n, k, n_glyphs=6, total=100, kl=False, val=False, seed=0, best=None):
    rng = np.random.default_rng(seed)
    out = []
    for e in range(1, n + 1):
        per = np.exp(-e / 20) * (1 + 0.1 * rng.random(k)) + 0.01 * np.arange(k)
        b = int(np.argmin(per)) if best is None else best(e)
        losses = {"total": float(per[b]), "recon": float(per[b]) * 0.75}
        if kl:
            losses["kl"] = float(per[b]) * 0.25
        gw = rng.integers(0, 4, n_glyphs)
        out.append(ProgressRecord(
            epoch=e, total_epochs=total, losses=losses, loss_per_model=per,
            max_wrong=int(gw.max()), mean_wrong=float(gw.mean()),
            max_wrong_per_model=np.full(k, gw.max()), mean_wrong_per_model=np.full(k, gw.mean()),
            glyph_wrong=gw, best=b, elapsed=e * 0.5, epochs_per_s=2.0,
            val_loss=float(per[b]) * 1.2 if val else None))
    return out


@pytest.fixture
def panel(qtbot):
    p = TrainingPanel()
    qtbot.addWidget(p)
    p.resize(800, 500)
    return p


def feed(panel, recs, k):
    panel.reset(recs[0].total_epochs, k)
    for r in recs:
        panel.add_record(r)
    panel.flush()


# -- TrainingPanel ---------------------------------------------------------------------------
def test_k1_loss_curves_follow_records_in_log_and_linear(panel):
    recs = make_records(30, 1)
    feed(panel, recs, 1)
    assert panel.n_records() == 30
    assert set(panel.loss_curves) == {"total", "recon"}
    assert panel.models_curve is None and panel.best_curve is None
    x, y = panel.loss_curves["total"].getData()
    np.testing.assert_array_equal(x, np.arange(1, 31))
    total = np.array([r.losses["total"] for r in recs])
    assert panel.log_scale()
    np.testing.assert_allclose(y, np.log10(total))
    panel.set_log_scale(False)
    _, y = panel.loss_curves["total"].getData()
    np.testing.assert_allclose(y, total)
    _, y = panel.loss_curves["recon"].getData()
    np.testing.assert_allclose(y, [r.losses["recon"] for r in recs])


def test_log_checkbox_drives_plot_log_mode_both_ways(panel):
    recs = make_records(5, 1)
    feed(panel, recs, 1)
    assert panel.log_check.isChecked()
    assert panel.loss_plot.getAxis("left").logMode
    panel.log_check.setChecked(False)
    assert not panel.loss_plot.ctrl.logYCheck.isChecked()
    assert not panel.loss_plot.getAxis("left").logMode
    # The plot's own context menu must not leave the checkbox (and the data) behind.
    panel.loss_plot.setLogMode(y=True)
    assert panel.log_check.isChecked()
    _, y = panel.loss_curves["total"].getData()
    np.testing.assert_allclose(y, np.log10([r.losses["total"] for r in recs]))


def test_k8_every_model_drawn_and_best_highlighted(panel):
    k, n = 8, 40
    recs = make_records(n, k, best=lambda e: 3 if e < 30 else 5)
    feed(panel, recs, k)
    panel.set_log_scale(False)
    per = np.array([r.loss_per_model for r in recs])

    xs, ys = panel.models_curve.getData()
    # K polylines separated by NaN, each the full history of one model.
    np.testing.assert_allclose(ys.reshape(k, n + 1)[:, :n], per.T)
    assert np.isnan(ys.reshape(k, n + 1)[:, n]).all()
    np.testing.assert_array_equal(xs.reshape(k, n + 1)[0, :n], np.arange(1, n + 1))

    x, y = panel.best_curve.getData()
    np.testing.assert_allclose(y, per[:, 5])  # the current best's whole history
    best_pen = panel.best_curve.opts["pen"]
    faint_pen = panel.models_curve.opts["pen"]
    assert best_pen.widthF() > faint_pen.widthF()
    assert best_pen.color().alpha() > faint_pen.color().alpha()
    assert faint_pen.color().red() == faint_pen.color().green() == faint_pen.color().blue()
    assert panel.best_curve.zValue() > panel.models_curve.zValue()

    labels = [label.text for _, label in panel.loss_legend.items]
    assert labels[-1] == "current best model"
    assert "total" in labels and "reconstruction" in labels


def test_dead_models_leave_gaps(panel):
    recs = make_records(10, 4)
    for r in recs[5:]:
        r.loss_per_model = r.loss_per_model.copy()
        r.loss_per_model[2] = np.nan
    feed(panel, recs, 4)
    _, ys = panel.models_curve.getData()
    assert np.isnan(ys.reshape(4, 11)[2, 5:10]).all()
    assert panel.models_curve.opts["connect"] == "finite"


def test_kl_and_validation_curves(panel):
    recs = make_records(12, 2, kl=True, val=True)
    feed(panel, recs, 2)
    assert set(panel.loss_curves) == {"total", "recon", "kl"}
    panel.set_log_scale(False)
    _, y = panel.val_curve.getData()
    np.testing.assert_allclose(y, [r.val_loss for r in recs])
    _, y = panel.loss_curves["kl"].getData()
    np.testing.assert_allclose(y, [r.losses["kl"] for r in recs])
    labels = [label.text for _, label in panel.loss_legend.items]
    assert {"KL", "validation"} <= set(labels)


def test_wrong_pixel_curves_and_integer_axis(panel):
    recs = make_records(25, 3)
    feed(panel, recs, 3)
    x, y = panel.max_curve.getData()
    np.testing.assert_array_equal(x, np.arange(1, 26))
    np.testing.assert_array_equal(y, [r.max_wrong for r in recs])
    _, y = panel.mean_curve.getData()
    np.testing.assert_allclose(y, [r.mean_wrong for r in recs])
    assert panel.max_curve.opts["stepMode"]
    for spacing, _ in panel.wrong_plot.getAxis("left").tickSpacing(0, 2.5, 200):
        assert spacing >= 1


def test_bar_heights_and_labels(panel):
    recs = make_records(7, 2, n_glyphs=5)
    panel.set_labels(list("ABCDE"))
    feed(panel, recs, 2)
    np.testing.assert_array_equal(panel.bars.opts["height"], recs[-1].glyph_wrong)
    np.testing.assert_array_equal(panel.bars.opts["x"], np.arange(5))
    ticks = panel.bar_plot.getAxis("bottom")._tickLevels
    shown = dict(ticks[0])
    assert shown[0] == "A" and all(shown[i] == "ABCDE"[i] for i in shown)


def test_many_glyph_labels_are_thinned_not_overlapped(panel, qtbot):
    panel.show()
    qtbot.waitExposed(panel)
    n = 96
    panel.set_labels([f"g{i:02d}" for i in range(n)])
    feed(panel, make_records(3, 1, n_glyphs=n), 1)
    major = panel.bar_plot.getAxis("bottom")._tickLevels[0]
    assert 1 < len(major) < n


def test_progress_eta_and_state(panel):
    recs = make_records(10, 1, total=100)
    feed(panel, recs, 1)
    assert panel.progress.maximum() == 100 and panel.progress.value() == 10
    assert "10 / 100" in panel.progress.format()
    assert "ETA 0:45" in panel.rate_label.text()  # 90 epochs at 2 epochs/s
    assert panel.state_label.text() == "Running"
    done = make_records(1, 1, total=100)[0]
    done.epoch, done.state = 100, FINISHED
    panel.add_record(done)
    assert panel.state_label.text() == "Finished"
    assert panel.progress.value() == 100
    assert panel.message_box.message() == ""


def test_diverged_message_is_shown(panel):
    recs = make_records(5, 2)
    recs[-1].state = DIVERGED
    recs[-1].message = "every model produced NaN at epoch 5: lower the learning rate to 0.001"
    feed(panel, recs, 2)
    assert panel.message_box.message() != ""
    assert "lower the learning rate to 0.001" in panel.message_box.message()
    assert "c62828" in panel.message_box.styleSheet()  # the red box
    assert panel.state_label.text() == "Diverged"


def test_diverged_without_message_still_explains(panel):
    recs = make_records(3, 1)
    recs[-1].state = DIVERGED
    feed(panel, recs, 1)
    assert "learning rate" in panel.message_box.message()


def test_other_message_shown_and_cleared(panel):
    recs = make_records(3, 1)
    recs[1].message = "validation split is empty; ignoring it"
    feed(panel, recs[:2], 1)
    assert "validation split is empty" in panel.message_box.message()
    assert panel.message_box.message() != ""
    panel.add_record(recs[2])
    assert panel.message_box.message() == ""


def test_export_csv_is_the_metrics_csv_of_the_charted_history(panel, tmp_path):
    recs = make_records(6, 3, kl=True, val=True)
    feed(panel, recs, 3)
    path = tmp_path / "t.csv"
    panel.export_csv(path)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss_total", "loss_recon", "loss_kl", "max_wrong_pixels", "mean_wrong_pixels",
                       "best_model", "seconds", "val_loss"]
    assert len(rows) == 7
    for r, row in zip(recs, rows[1:]):
        assert int(row[0]) == r.epoch
        assert float(row[1]) == r.losses["total"]
        assert float(row[2]) == r.losses["recon"]
        assert float(row[3]) == r.losses["kl"]
        assert int(row[4]) == r.max_wrong
        assert float(row[5]) == round(r.mean_wrong, 6)
        assert int(row[6]) == r.best
        assert float(row[8]) == r.val_loss
    from aegui.core.train.history import read_rows, row
    assert read_rows(path) == [row(r) for r in recs]     # what a saved model's metrics.csv holds


def test_export_csv_minimal_columns(panel, tmp_path):
    feed(panel, make_records(2, 1), 1)
    path = tmp_path / "t.csv"
    panel.export_csv(path)
    assert path.read_text().splitlines()[0] == \
        "epoch,loss_total,loss_recon,max_wrong_pixels,mean_wrong_pixels,best_model,seconds"


def test_export_png(panel, tmp_path):
    feed(panel, make_records(20, 4), 4)
    path = tmp_path / "t.png"
    panel.export_png(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = QImage(str(path))
    assert img.width() >= 400 and img.height() >= 300


def test_reset_clears(panel):
    recs = make_records(10, 4, val=True)
    recs[-1].state, recs[-1].message = DIVERGED, "boom"
    feed(panel, recs, 4)
    panel.reset(50, 2)
    assert panel.n_records() == 0
    assert panel.loss_curves == {} and panel.val_curve is None
    assert panel.loss_legend.items == []
    x, _ = panel.max_curve.getData()
    assert x is None or len(x) == 0
    assert len(panel.bars.opts["height"]) == 0
    assert panel.message_box.message() == ""
    assert panel.progress.value() == 0 and panel.progress.maximum() == 50
    assert panel.models_curve is not None  # K=2 now
    more = make_records(3, 2, total=50)
    for r in more:
        panel.add_record(r)
    panel.flush()
    x, _ = panel.loss_curves["total"].getData()
    np.testing.assert_array_equal(x, [1, 2, 3])


def test_buffers_grow_past_the_announced_total(panel):
    recs = make_records(300, 2, total=10)  # preallocates 64 rows, so it doubles 3 times
    feed(panel, recs, 2)
    panel.set_log_scale(False)
    x, y = panel.loss_curves["total"].getData()
    np.testing.assert_array_equal(x, np.arange(1, 301))
    np.testing.assert_allclose(y, [r.losses["total"] for r in recs])
    _, ys = panel.models_curve.getData()
    np.testing.assert_allclose(ys.reshape(2, 301)[:, :300], np.array([r.loss_per_model for r in recs]).T)


def test_long_history_is_decimated_but_keeps_newest(panel):
    from aegui.qt.training import training_panel as tp
    recs = make_records(3 * tp.MAX_POINTS, 2, total=3 * tp.MAX_POINTS)
    feed(panel, recs, 2)
    x, _ = panel.loss_curves["total"].getData()
    assert len(x) <= tp.MAX_POINTS + 1
    assert x[0] == 1 and x[-1] == 3 * tp.MAX_POINTS
    xs, _ = panel.models_curve.getData()
    assert len(xs) <= 2 * (tp.MAX_MODEL_POINTS + 2)


def test_model_count_taken_from_first_record_when_reset_was_skipped(panel):
    for r in make_records(4, 8):
        panel.add_record(r)
    panel.flush()
    _, ys = panel.models_curve.getData()
    assert ys.size == 8 * 5
    assert panel.progress.maximum() == 100


def test_charts_refresh_without_flush(panel, qtbot):
    panel.reset(100, 1)
    for r in make_records(5, 1):
        panel.add_record(r)
    qtbot.waitUntil(lambda: len(panel.loss_curves["total"].getData()[0]) == 5, timeout=2000)


def test_spanish(panel, english):
    feed(panel, make_records(3, 2), 2)
    i18n.set_language("es")
    assert panel.log_check.text() == "Escala logarítmica"
    assert panel.state_label.text() == "Entrenando"
    assert "mejor modelo actual" in [lab.text for _, lab in panel.loss_legend.items]
    i18n.set_language("en")
    assert panel.log_check.text() == "Log scale"


# -- ReconstructionsPanel --------------------------------------------------------------------
def glyph_data(n=10, seed=1):
    rng = np.random.default_rng(seed)
    orig = (rng.random((n, 7, 5)) > 0.5).astype(np.float32)
    recon = np.clip(orig + rng.normal(0, 0.35, orig.shape), 0, 1).astype(np.float32)
    recon[0] = orig[0]  # at least one perfect glyph
    return [chr(65 + i) for i in range(n)], orig, recon


@pytest.fixture
def recon_panel(qtbot):
    p = ReconstructionsPanel()
    qtbot.addWidget(p)
    p.resize(800, 500)
    return p


def test_recon_captions_count_wrong_pixels(recon_panel):
    labels, orig, recon = glyph_data()
    recon_panel.set_data(labels, orig, recon)
    expected = ((orig > 0.5) != (recon > 0.5)).sum(axis=(1, 2))
    assert expected[0] == 0 and expected.max() > 0
    np.testing.assert_array_equal(recon_panel.wrong_counts(), expected)
    for cell, label, c in zip(recon_panel.cells, labels, expected):
        assert cell.original.caption() == label
        assert cell.recon.caption() == f"{c} wrong"
        marks = cell.recon._marks
        assert marks.shape == (7, 5) and marks.sum() == c
    assert f"{int((expected > 0).sum())} of 10" in recon_panel.summary.text()


def test_glyphs_are_not_transposed(recon_panel):
    labels, orig, recon = glyph_data(2)
    recon_panel.set_data(labels, orig, recon)
    np.testing.assert_array_equal(recon_panel.cells[1].original.image(), orig[1])
    np.testing.assert_allclose(recon_panel.cells[1].recon.image(), recon[1])


def test_update_recon_reuses_widgets(recon_panel):
    labels, orig, recon = glyph_data()
    recon_panel.set_data(labels, orig, None)
    assert all(c.recon.image() is None for c in recon_panel.cells)
    ids = [(id(c), id(c.original), id(c.recon)) for c in recon_panel.cells]
    recon_panel.update_recon(recon)
    recon_panel.update_recon(orig.reshape(len(orig), -1))  # flat [N, 35] also accepted
    assert [(id(c), id(c.original), id(c.recon)) for c in recon_panel.cells] == ids
    assert recon_panel.wrong_counts().sum() == 0
    assert recon_panel.cells[3].recon.caption() == "0 wrong"
    recon_panel.set_data(labels, orig, recon)  # same N and shape: still the same widgets
    assert [(id(c), id(c.original), id(c.recon)) for c in recon_panel.cells] == ids


def test_show_only_wrong(recon_panel):
    labels, orig, recon = glyph_data()
    recon_panel.set_data(labels, orig, recon)
    counts = recon_panel.wrong_counts()
    recon_panel.only_wrong.setChecked(True)
    assert recon_panel.visible_indices() == [i for i, c in enumerate(counts) if c > 0]
    assert recon_panel.cells[0].isHidden()
    recon_panel.update_recon(orig)  # all right now: nothing left to show
    assert recon_panel.visible_indices() == []
    recon_panel.only_wrong.setChecked(False)
    assert not any(c.isHidden() for c in recon_panel.cells)


def test_rgb_images(recon_panel):
    rng = np.random.default_rng(3)
    orig = rng.random((4, 9, 11, 3)).astype(np.float32)
    recon = orig.copy()
    recon[1, 2, 3, 0] = 1.0 - recon[1, 2, 3, 0] if abs(recon[1, 2, 3, 0] - 0.5) > 0.01 else 0.0
    recon[2, 4, 4] = 1.0 - recon[2, 4, 4]
    recon_panel.set_data(["a", "b", "c", "d"], orig, recon)
    expected = wrong_pixels(orig, recon).sum(axis=(1, 2))
    np.testing.assert_array_equal(recon_panel.wrong_counts(), expected)
    assert list(expected) == [0, 1, 1, 0]
    assert recon_panel.cells[1].recon._marks.shape == (9, 11)
    assert recon_panel.cells[1].recon.caption() == "1 wrong"


def test_new_shape_rebuilds(recon_panel):
    labels, orig, recon = glyph_data(4)
    recon_panel.set_data(labels, orig, recon)
    old = recon_panel.cells[0]
    imgs = np.zeros((4, 16, 16), np.float32)
    recon_panel.set_data(labels, imgs, imgs)
    assert recon_panel.cells[0] is not old
    assert recon_panel.cells[0].recon.image().shape == (16, 16)


def test_recon_spanish(recon_panel, english):
    labels, orig, recon = glyph_data()
    recon_panel.set_data(labels, orig, recon)
    i18n.set_language("es")
    assert recon_panel.only_wrong.text() == "Mostrar solo los erróneos"
    assert recon_panel.cells[1].recon.caption().endswith("erróneos")


def test_engine_messages_are_shown_in_the_ui_language(qtbot):
    """The core's sentences arrive with an id and arguments, so Spanish users read Spanish."""
    from aegui.core.schema.experiment import Experiment, TrainConfig
    from aegui.core.data.datasets import font_dataset
    from aegui.core.train.session import train
    from aegui.qt import i18n
    from aegui.qt.training.training_panel import TrainingPanel
    from aegui.qt.widgets.text.pieces import message_text
    _, rec = train(Experiment(train=TrainConfig(learning_rate=1000.0, optimizer="sgd", epochs=200)),
                   font_dataset())
    assert rec.state == "diverged" and rec.extra["message_id"] == "diverged"
    assert message_text(rec) == rec.message            # English: the engine's own sentence
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    panel.reset(200, 1)
    panel.add_record(rec)
    try:
        i18n.set_language("es")
        text = panel.message_box.message()
        assert "El entrenamiento divergió en la época" in text and "1000" in text
        assert "la pérdida" in text or "los pesos" in text
    finally:
        i18n.set_language("en")
    assert panel.message_box.message().startswith("Training diverged at epoch")


def test_a_reconstruction_loss_equal_to_the_total_is_not_drawn_twice(panel):
    recs = make_records(6, 1)
    for r in recs:
        r.losses["recon"] = r.losses["total"]   # a plain autoencoder: nothing added to it
    feed(panel, recs, 1)
    assert set(panel.loss_curves) == {"total"}
    assert [label.text for _, label in panel.loss_legend.items] == ["total"]
    np.testing.assert_allclose(panel.history.column("recon")[:6], [r.losses["total"] for r in recs])


def test_every_state_a_run_ends_in_has_its_words():
    """Each state the engine gives a record (early stopping's too) has its text and colour in the
    header, not the idle text a state it does not know would show."""
    from aegui.core.train import progress as P
    from aegui.qt.training.training_panel import STATE_COLOR, STATE_TEXT
    states = [v for k, v in vars(P).items() if k.isupper() and isinstance(v, str)]
    assert P.EARLY_STOPPED in states
    assert [s for s in states if s not in STATE_TEXT or s not in STATE_COLOR] == []


def test_a_run_under_ten_seconds_says_how_long_it_took():
    """A font trains in a fraction of a second: "0:00 elapsed" said nothing was measured."""
    from aegui.qt import i18n
    from aegui.qt.widgets.text.pieces import fmt_duration
    assert [fmt_duration(s) for s in (0.2104, 9.94, 9.96, 45, 3725)] == ["0.2 s", "9.9 s", "0:10", "0:45", "1:02:05"]
    i18n.set_language("es")
    assert fmt_duration(0.2104) == "0,2 s"
