"""After one Step epoch (F6) the charts showed an axis of -76..78 epochs and
no point at all (a line needs two points; pyqtgraph widened the zero-width range by the width the
view had before). One point must show, in a range around it."""
import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from aegui.qt.training.training_panel import LOSS_COLORS, MAX_COLOR, MEAN_COLOR
from aegui.qt.window.window_matrix import settle
from tests.qt.latent.test_step_replay import _epochs_after
from tests.qt.training.test_training_panel import feed, make_records, panel  # noqa: F401  (fixture)


def _drawn_near(panel, plot, x, y, color: QColor, radius=4) -> bool:
    """Whether the chart as painted has `color` within `radius` px of the view point (x, y)."""
    image = panel.charts.grab().toImage()
    at = panel.charts.mapFromScene(plot.vb.mapViewToScene(QPointF(x, y)))
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            px = image.pixelColor(at.x() + dx, at.y() + dy)
            if max(abs(px.red() - color.red()), abs(px.green() - color.green()),
                   abs(px.blue() - color.blue())) < 40:
                return True
    return False


def _check_lone_point(panel, x0):
    QApplication.processEvents()
    for plot, curve, color in ((panel.loss_plot, panel.loss_curves["total"], LOSS_COLORS["total"]),
                               (panel.wrong_plot, panel.max_curve, MAX_COLOR)):
        xs, ys = curve.getData()
        assert len(xs) == 1 and xs[0] == x0
        (xlo, xhi), (ylo, yhi) = plot.vb.viewRange()
        assert xlo <= x0 <= xhi and xhi - xlo <= 3, (plot.titleLabel.text, xlo, xhi)
        assert xlo >= -0.01, "no epochs before 0"
        y = ys[0]
        assert ylo < y < yhi, (plot.titleLabel.text, ylo, y, yhi)
        # Narrow: the loss (log10 values) within a decade and a half; the pixel counts from 0 (a count
        # axis starts there) to a little above the point.
        if plot is panel.loss_plot:
            assert yhi - ylo <= 1.5, (ylo, yhi)
        else:
            assert -0.1 * yhi <= ylo <= 0 and yhi <= 1.1 * (y + 1), (ylo, yhi)
        assert _drawn_near(panel, plot, x0, y, color), f"no point drawn in {plot.titleLabel.text}"


def test_one_step_epoch_in_the_window_shows_its_point_in_a_narrow_range(window, qtbot):
    tp = window.training
    window.arranger.switch("train")     # where the charts are: a run no longer switches there itself
    window.menus.act_epoch.trigger()    # F6: a run paused after its first epoch
    _epochs_after(qtbot, window, 1)
    tp.flush()
    settle()
    _check_lone_point(tp, 1.0)


def test_a_new_run_after_a_long_one_starts_narrow_and_the_second_epoch_draws_lines(panel, qtbot):
    panel.show()
    feed(panel, make_records(150, 1), 1)        # a long history first: the view is 150 wide
    QApplication.processEvents()
    recs = make_records(2, 1)
    panel.reset(100, 1)
    panel.add_record(recs[0])
    panel.flush()
    _check_lone_point(panel, 1.0)
    panel.add_record(recs[1])
    panel.flush()
    QApplication.processEvents()
    (xlo, xhi), _ = panel.loss_plot.vb.viewRange()
    assert xlo <= 1 and xhi >= 2 and xhi - xlo < 3     # the autorange is back
    assert panel.loss_plot.vb.autoRangeEnabled()[0]


def test_one_step_batch_is_a_point_inside_the_first_epoch(panel, qtbot):
    panel.show()
    rec = make_records(1, 1)[0]
    rec.batch, rec.batches = 1, 16                # Shift+F6: one batch of 16 of epoch 1
    panel.reset(100, 1)
    panel.add_record(rec)
    panel.flush()
    _check_lone_point(panel, 1 / 16)
    assert np.isclose(panel.loss_plot.vb.viewRange()[0][0], 0.0)


def test_the_first_psnr_point_of_an_image_model_shows_too(panel, qtbot):
    panel.show()
    panel.set_image_mode(True)
    rng = np.random.default_rng(0)
    originals = rng.random((6, 8, 8, 3)).astype(np.float32)
    recon = np.clip(originals + rng.normal(0, 0.05, originals.shape), 0, 1).astype(np.float32)
    panel.add_image_errors(1, originals, recon, [str(i) for i in range(6)])
    QApplication.processEvents()
    (xlo, xhi), (ylo, yhi) = panel.wrong_plot.vb.viewRange()
    _, worst = panel.max_curve.getData()
    _, mean = panel.mean_curve.getData()
    assert xlo <= 1 <= xhi and xhi - xlo <= 3
    assert ylo < worst[0] <= mean[0] < yhi and yhi - ylo < 20        # dB: a few either side
    assert _drawn_near(panel, panel.wrong_plot, 1.0, mean[0], MEAN_COLOR)


def test_an_empty_history_after_one_epoch_leaves_no_dot(panel, qtbot):
    panel.show()
    feed(panel, make_records(1, 1), 1)
    QApplication.processEvents()
    y = panel.max_curve.getData()[1][0]
    assert _drawn_near(panel, panel.wrong_plot, 1.0, y, MAX_COLOR)
    panel.reset(100, 1)                        # another model, no records yet
    QApplication.processEvents()
    assert not _drawn_near(panel, panel.wrong_plot, 1.0, y, MAX_COLOR)
