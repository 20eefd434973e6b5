"""Issue 11's findings, one test each (the window-size matrix and the Spanish catalogue test are
in test_every_size.py, the latent canvas's in test_view_follows.py, the experiments panel's in
test_experiments_panel.py, settings and --screenshot in test_main_window.py)."""
import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from aegui.qt import i18n
from tests.qt.test_training_panel import feed, make_records, panel  # noqa: F401  (fixtures, helpers)


# -- 4: legends ------------------------------------------------------------------------------
def test_legends_sit_under_the_charts_and_are_whole_in_spanish(panel, qtbot):
    from aegui.qt.layout_check import plot_problems
    i18n.set_language("es")
    panel.resize(900, 260)
    panel.show()
    feed(panel, make_records(40, 3, kl=True, val=True), 3)
    qtbot.wait(50)
    for plot, legend in ((panel.loss_plot, panel.loss_legend), (panel.wrong_plot, panel.wrong_legend)):
        view = plot.vb.mapRectToScene(plot.vb.boundingRect())
        box = legend.mapRectToScene(legend.boundingRect())
        assert legend.items and not view.intersects(box), "the legend covers the plot's data"
        assert plot_problems(plot) == []
    names = [label.text for _, label in panel.loss_legend.items]
    assert "mejor modelo actual" in names


# -- 6, 7: opening the wrong file --------------------------------------------------------------
def test_a_failed_open_is_one_sentence_without_a_traceback(window, qtbot, tmp_path, monkeypatch, capfd):
    shown = []
    monkeypatch.setattr("aegui.qt.files.QMessageBox.critical", lambda *a: shown.append(a[2]))
    monkeypatch.setattr("aegui.qt.files.QMessageBox.warning", lambda *a: shown.append(a[2]))
    bad = tmp_path / "model.json"
    bad.write_text("{ not json")
    window.files.open_model(str(bad))
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert "Traceback" not in capfd.readouterr().err
    # A font.h picked in "Open model…" opens as a font, or says why not, in words.
    font = tmp_path / "garbage_font.h"
    font.write_text("this is not a font\n")
    monkeypatch.setattr("aegui.qt.files.QFileDialog.getOpenFileName", lambda *a, **k: (str(font), ""))
    window.files.open_model_dialog()
    qtbot.waitUntil(lambda: len(shown) >= 2, timeout=20000)
    assert "Errno" not in shown[-1] and "garbage_font.h" in shown[-1]
    assert "Traceback" not in capfd.readouterr().err


# -- 8: error notes clear ------------------------------------------------------------------------
def test_error_notes_clear_on_the_next_edit(builder, tmp_path):
    from aegui.core.config.experiment import ConfigError
    bad = tmp_path / "bad.h"
    bad.write_text("int const Font9[2][7] = {{0x1f, 0x11)),\n")
    assert not builder.set_font_path(bad)
    assert builder.font_error_label.isVisibleTo(builder)
    builder.font_combo.setCurrentIndex(builder.font_combo.findText("Font3"))
    builder.latent_spin.setValue(3)   # any edit
    assert not builder.font_error_label.isVisibleTo(builder)
    png = tmp_path / "picture.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with pytest.raises(ConfigError):
        builder.load_config(png)
    assert builder.info_label.isVisibleTo(builder) and "PNG" in builder.info_label.text()
    assert "codec" not in builder.info_label.text()
    builder.latent_spin.setValue(2)
    assert not builder.info_label.isVisibleTo(builder)


# -- 9, 11: names --------------------------------------------------------------------------------
def test_a_loaded_name_follows_the_settings_it_describes(builder):
    from aegui.core.files.paths import models_dir
    pytest.importorskip("torch")
    from aegui.core.files.storage import load_model
    _, exp, _ = load_model(models_dir() / "font3-ae2d")
    builder.set_experiment(exp)
    assert builder.experiment().name == "Font3 2-D autoencoder (best of 8)"
    builder.latent_spin.setValue(3)
    assert builder.experiment().name == "Font3 3-D autoencoder"
    builder.latent_spin.setValue(2)
    assert builder.experiment().name == exp.name
    builder.name_edit.setText("mine")
    builder.latent_spin.setValue(3)
    assert builder.experiment().name == "mine"


def test_a_trained_models_title_follows_the_language():
    from aegui.core.runs.trained import TrainedModel
    from aegui.qt.models import title
    entry = TrainedModel("Font3 3-D autoencoder", None, None, None, trained=("px", 0))
    assert title(entry) == "Trained: Font3 3-D autoencoder — 0 px"
    i18n.set_language("es")
    assert title(entry).startswith("Entrenado: Font3")


# -- 12: dark theme --------------------------------------------------------------------------------
def test_the_dark_theme_reaches_notes_dialogs_and_message_boxes(qtbot):
    from PySide6.QtCore import Qt
    from aegui.qt import theme
    from aegui.qt.widgets.note import NoteLabel, is_dark
    note = NoteLabel("info")
    qtbot.addWidget(note)
    try:
        theme.apply("dark")
        QApplication.processEvents()
        assert QApplication.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)
        assert "#1d3147" in note.styleSheet()             # the dark note, not #e3f2fd
        box = QMessageBox(QMessageBox.Icon.Information, "t", "text")
        qtbot.addWidget(box)
        assert is_dark(box.palette())
    finally:
        theme.apply("light")
    QApplication.processEvents()
    assert "#e3f2fd" in note.styleSheet()
    assert not QApplication.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)


def test_the_training_message_bar_follows_the_theme(panel, qtbot):
    from aegui.core.train.progress import STOPPED
    from aegui.qt import theme
    recs = make_records(3, 1)
    recs[-1].state, recs[-1].message = STOPPED, "Stopped at epoch 3."
    try:
        theme.apply("dark")
        feed(panel, recs, 1)
        assert panel.message_box.isVisibleTo(panel) and "#1d3147" in panel.message_box.styleSheet()
    finally:
        theme.apply("light")


# -- 13: the question on close ----------------------------------------------------------------------
def test_closing_while_training_asks_a_question_with_buttons_that_say_what_they_do(qtbot):
    from aegui.qt.main_window import QUIT_QUESTIONS
    from aegui.qt.widgets.ask import question_box
    box = question_box(None, *QUIT_QUESTIONS["training"])
    qtbot.addWidget(box)
    assert box.text().endswith("?")
    assert box.informativeText().startswith("Training is running")
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"Stop and quit", "Keep training"}
    assert box.defaultButton() is box.keep_button
    assert box.standardButton(box.do_button) == QMessageBox.StandardButton.NoButton


# -- 14: log ticks, right glyphs ----------------------------------------------------------------------
def test_log_ticks_are_powers_of_ten_written_plainly():
    from aegui.qt.widgets.log_axis import decade_text, log_ticks
    ticks = log_ticks(np.log10(6e-9), np.log10(2), 7)
    labels = [decade_text(10 ** v) for v in ticks]
    assert labels == ["1e-8", "1e-6", "1e-4", "0.01", "1"]
    assert len(log_ticks(np.log10(0.05), np.log10(0.2), 5)) >= 2     # a short range still reads


def test_the_loss_axis_uses_them(panel, qtbot):
    # A loss from 2 down to 6e-9 on a short chart: pyqtgraph's ticks read "2, 0.09, 0.007, 3e-5".
    recs = make_records(60, 1)
    for i, r in enumerate(recs):
        r.losses = {"total": 2 * (3e-9) ** (i / 59)}
        r.loss_per_model = np.array([r.losses["total"]])
    panel.resize(900, 200)
    panel.show()
    feed(panel, recs, 1)
    qtbot.wait(50)
    axis = panel.loss_plot.getAxis("left")
    lo, hi = panel.loss_plot.vb.viewRange()[1]
    values = [v for _, vs in axis.tickValues(lo, hi, axis.height()) for v in vs]
    strings = axis.tickStrings(values, 1, 1)
    assert len(values) >= 2, (strings, lo, hi, axis.height())
    for s in strings:
        exponent = np.log10(float(s))
        assert abs(exponent - round(exponent)) < 1e-9, strings   # powers of ten only


def test_when_every_glyph_is_right_the_bars_still_show_them(panel, qtbot):
    recs = make_records(3, 1)
    recs[-1].glyph_wrong = np.zeros(6, int)
    feed(panel, recs, 1)
    assert len(panel.ok_bars.opts["x"]) == 6 and (panel.ok_bars.opts["height"] > 0).all()


def test_switching_back_to_light_leaves_no_panel_dark(qtbot):
    from aegui.qt import theme
    from aegui.qt.builder.model_builder import ModelBuilder
    from aegui.qt.widgets.note import is_dark
    w = ModelBuilder()
    qtbot.addWidget(w)
    w.show()
    theme.apply("dark")
    QApplication.processEvents()
    theme.apply("light")
    QApplication.processEvents()
    assert not is_dark(w.palette()) and not is_dark(w.form_widget.palette())
