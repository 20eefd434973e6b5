"""With a validation split the loss chart shows the training loss and the validation loss together,
named so in its legend (in both languages): a tiny model trained from the builder with 20 % of the
glyphs held out draws both curves from the run's history."""
import numpy as np

from aegui.qt import i18n


def legend_names(panel) -> dict:
    return {sample.item: label.text for sample, label in panel.loss_legend.items}


def test_a_run_with_a_validation_split_charts_training_and_validation_loss(window, qtbot):
    b = window.builder
    b.form.widget("model.latent").setValue(2)
    b.form.widget("data.val_split").setValue(20)
    b.form.widget("train.epochs").setValue(30)
    b.form.widget("train.check_every").setValue(3)
    exp = b.experiment()
    assert exp.data.val_split == 0.2
    with qtbot.waitSignal(window.runner.finished, timeout=120000) as done:
        b.train_button.click()
    assert done.args[0].state == "finished"
    panel = window.training
    panel.flush()
    history = panel.history
    rows = [r for r in history.rows() if "val_loss" in r]
    assert len(rows) == 10, len(rows)                        # every check measured the held-out glyphs
    train_curve, val_curve = panel.loss_curves["total"], panel.val_curve
    assert val_curve is not None and val_curve in panel.loss_plot.items
    x, y = train_curve.getData()
    np.testing.assert_array_equal(x, [r["epoch"] for r in rows])
    np.testing.assert_allclose(10 ** y, [r["loss_total"] for r in rows], rtol=1e-6)     # log scale: log10
    x, y = val_curve.getData()
    np.testing.assert_array_equal(x, [r["epoch"] for r in rows])
    np.testing.assert_allclose(10 ** y, [r["val_loss"] for r in rows], rtol=1e-6)
    assert not np.allclose([r["val_loss"] for r in rows], [r["loss_total"] for r in rows])
    names = legend_names(panel)
    assert names[train_curve] == "training" and names[val_curve] == "validation", names
    i18n.set_language("es")
    names = legend_names(panel)
    assert names[train_curve] == "entrenamiento" and names[val_curve] == "validación", names
    i18n.set_language("en")
    # A run without a split: one loss curve, named as before.
    b.form.widget("data.val_split").setValue(0)
    with qtbot.waitSignal(window.runner.finished, timeout=120000):
        b.train_button.click()
    panel.flush()
    assert panel.val_curve is None and legend_names(panel)[panel.loss_curves["total"]] == "total"
