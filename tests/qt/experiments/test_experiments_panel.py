"""The Experiments panel: sweep editor, background run, results table and charts, menu presets."""
import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from aegui.core.schema.experiment import ConfigError, Experiment
from aegui.core.config.validation import with_changes
from aegui.core.analyses.sweeps.sweep import Sweep, load_sweep
from aegui.qt import i18n
from aegui.qt.experiments.preset_menu import preset_sweeps
from aegui.qt.i18n import read_catalogue
from aegui.qt.experiments.sweep_table import SORT_ROLE
from aegui.qt.window.window_matrix import settle

ROOT = Path(__file__).resolve().parents[3]


def tiny_base(epochs=20, **train) -> Experiment:
    return with_changes(Experiment(name="tiny"), model={"layers": (35, 16, 2, 16, 35)},
                        train={"epochs": epochs, "check_every": 5, "device": "cpu", "seeds": 1,
                               "optimizer": "adam", "learning_rate": 0.02, **train})


def tiny_sweep(vary, seeds=3, epochs=20, target=None, labels=None) -> Sweep:
    return Sweep(name="tiny sweep", base=tiny_base(epochs), vary=vary, seeds=seeds, target_max_wrong=target,
                 labels=labels or {})


def run_to_end(qtbot, panel, sweep, timeout=30000):
    panel.editor.set_sweep(sweep)
    with qtbot.waitSignal(panel.sweep_finished, timeout=timeout) as blocker:
        assert panel.run()
    qtbot.waitUntil(lambda: not panel.is_running())
    return blocker.args[0]


def column(panel, header: str) -> int:
    m = panel.table.table_model
    for i in range(m.columnCount()):
        if m.headerData(i, Qt.Orientation.Horizontal) == header:
            return i
    raise KeyError(header)


# ---------------------------------------------------------------- editor

def test_editor_builds_the_cartesian_sweep_and_shows_its_size(panel):
    ed = panel.editor
    ed.set_base(tiny_base())
    layers = ed.add_row("model.layers")
    layers.values_edit.setPlainText("35-16-2-16-35\n35-2-35")
    lr = ed.add_row("train.learning_rate")
    lr.values_edit.setPlainText("0.01\n1e-3\n5%")
    lr.labels_edit.setPlainText("fast\nslow\nfaster")
    ed.seeds_spin.setValue(3)
    sweep = ed.validate()
    assert sweep is not None and not ed.errors()
    assert sweep.vary == {"model.layers": [(35, 16, 2, 16, 35), (35, 2, 35)],
                          "train.learning_rate": [0.01, 0.001, 0.05]}
    assert sweep.labels == {"train.learning_rate": ["fast", "slow", "faster"]}
    assert (sweep.n_configs, sweep.n_runs) == (6, 18)
    # learning rates train together: one session per architecture
    assert ed.count_label.text() == "6 configs × 3 seeds = 18 runs in 2 training sessions"
    assert panel.run_button.isEnabled()


def test_a_bad_value_marks_its_row_and_blocks_running(panel):
    ed = panel.editor
    ed.set_base(tiny_base())
    row = ed.add_row("train.learning_rate")
    row.values_edit.setPlainText("0.01\nabc")
    ed.validate()
    assert row.values_edit in ed.marked_widgets()
    assert any(e.startswith("Learning rate: line 2: 'abc' is not a number") for e in ed.errors())
    assert not panel.run_button.isEnabled() and not panel.run()
    # a value that parses but that the config rejects names the same row
    row.values_edit.setPlainText("0.01\n-0.5")
    ed.validate()
    assert row.values_edit in ed.marked_widgets()
    assert "Learning rate" in ed.errors()[0] and "positive" in ed.errors()[0]
    with pytest.raises(ConfigError) as err:
        ed.sweep()
    assert err.value.field == "train.learning_rate"
    # labels that do not match the values mark the labels box
    row.values_edit.setPlainText("0.01\n0.05")
    row.labels_edit.setPlainText("only one")
    ed.validate()
    assert ed.marked_widgets() == {row.labels_edit}
    row.labels_edit.setPlainText("")
    assert ed.validate() is not None and not ed.marked_widgets() and panel.run_button.isEnabled()


def test_a_sweep_json_round_trips_and_a_broken_one_names_the_problem(panel, tmp_path):
    sweep = load_sweep(ROOT / "resources/sweeps/seed001-architectures.json")
    panel.editor.set_sweep(sweep)
    assert panel.editor.count_label.text().startswith("12 configs × 5 seeds = 60 runs")
    panel.editor.save(tmp_path / "s.json")
    again = load_sweep(tmp_path / "s.json")
    assert (again.vary, again.labels, again.seeds, again.target, again.base) == \
        (sweep.vary, sweep.labels, sweep.seeds, sweep.target, sweep.base)
    bad = json.loads((tmp_path / "s.json").read_text())
    bad["vary"]["train.optimizr"] = ["sgd"]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(ConfigError):
        panel.load_sweep(tmp_path / "bad.json")
    assert "vary.train.optimizr" in panel.editor.info_label.text()


# ---------------------------------------------------------------- running and results

def test_a_tiny_sweep_fills_the_table_with_numpy_mean_and_std(panel, qtbot):
    sweep = tiny_sweep({"model.layers": [[35, 16, 2, 16, 35], [35, 8, 2, 8, 35]]}, seeds=3, target=35)
    result = run_to_end(qtbot, panel, sweep)
    assert panel.table.model().rowCount() == 2 and len(result.runs) == 6
    cols = {name: column(panel, name) for name in ("Max wrong", "Mean wrong", "Loss", "Runs")}
    for c in (0, 1):
        runs = result.runs_of(c)
        for name, attr in (("Max wrong", "final_max_wrong"), ("Mean wrong", "final_mean_wrong"),
                           ("Loss", "final_loss")):
            values = np.array([getattr(r, attr) for r in runs], dtype=float)
            assert panel.table.cell_value(c, cols[name]) == pytest.approx(np.mean(values))
            fmt = ".3g" if name == "Loss" else ".2f"
            std_fmt = ".2g" if name == "Loss" else ".2f"
            assert panel.table.cell_text(c, cols[name]) == f"{np.mean(values):{fmt}} ± {np.std(values):{std_fmt}}"
        # (after the count, how many did not train: 20 epochs leave some no better than the majority picture)
        assert panel.table.cell_text(c, cols["Runs"]).startswith("3/3")
    # the charts: one band per config, bar heights = the means
    assert sorted(panel.charts.band_items) == [0, 1]
    heights = panel.charts.bar_item.opts["height"]
    assert list(heights) == pytest.approx([np.mean([r.final_max_wrong for r in result.runs_of(c)]) for c in (0, 1)])
    assert panel.status_text().startswith("Done")
    assert panel.progress.toolTip().startswith("6 runs in")
    assert panel.saved_path and (Path(panel.saved_path) / "results.csv").exists()   # autosaved


def test_cancel_mid_sweep_keeps_finished_groups_and_marks_the_rest(panel, qtbot):
    # the first config trains 20 epochs, the second 100000: cancel comes while the second runs
    sweep = tiny_sweep({"train.epochs": [20, 100_000]}, seeds=2)
    panel.editor.set_sweep(sweep)
    assert panel.run()
    runs_col = column(panel, "Runs")
    qtbot.waitUntil(lambda: panel.table.cell_text(1, runs_col) == "running…", timeout=30000)
    assert panel.table.cell_text(0, runs_col).startswith("2/2")     # the first config's results are in
    assert panel.summary_label.full_text().startswith("group 2/2 · 2/4 runs")
    with qtbot.waitSignal(panel.sweep_finished, timeout=10000) as blocker:
        panel.cancel_button.click()
    result = blocker.args[0]
    assert result.cancelled and result.configs_done == [0] and result.incomplete_configs == [1]
    assert panel.table.cell_text(0, runs_col).startswith("2/2")
    assert panel.table.cell_text(1, runs_col) == "not run"
    # It says where the results would be, not only in the last column (out of
    # sight in a narrow dock, the row only greyed).
    max_col = column(panel, "Max wrong")
    assert panel.table.cell_text(1, max_col) == "not run"
    assert panel.table.cell_text(1, column(panel, "Loss")) == ""
    i18n.set_language("es")
    assert panel.table.cell_text(1, max_col) == "sin ejecutar"
    i18n.set_language("en")
    assert "Cancelled: 1 of 2 configs finished" in panel.summary_label.full_text()
    with open(Path(panel.saved_path) / "results.csv", newline="") as fh:
        assert [row["config"] for row in csv.DictReader(fh)] == ["0"]


def test_sorting_by_a_column_and_selecting_a_row_highlights_its_curve(panel, qtbot):
    sweep = tiny_sweep({"model.layers": [[35, 16, 2, 16, 35], [35, 2, 35]], "train.learning_rate": [0.002, 0.05]},
                       seeds=2)
    run_to_end(qtbot, panel, sweep)
    table, col = panel.table, column(panel, "Loss")
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        table.sortByColumn(col, order)
        values = [table.model().index(r, col).data(SORT_ROLE) for r in range(4)]
        assert values == sorted(values, reverse=order == Qt.SortOrder.DescendingOrder)
    first = table.config_at(0)
    assert table.table_model.rows[first]["final_loss_mean"] == max(values)
    table.selectRow(0)
    assert panel.charts.highlighted == first
    curve, _ = panel.charts.band_items[first]
    assert curve.opts["pen"].width() == 3


def test_exports_write_csv_png_and_svg(panel, qtbot, tmp_path):
    with pytest.raises(ValueError):
        panel.export_png(tmp_path / "none.png")
    sweep = tiny_sweep({"train.optimizer": ["sgd", "adam"]}, seeds=2)
    run_to_end(qtbot, panel, sweep)
    out = panel.export_csv(tmp_path / "csv")
    with open(out / "results.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["train.optimizer"] for r in rows] == ["sgd", "adam"]
    assert {"final_max_wrong_mean", "final_max_wrong_std", "final_loss_mean"} <= set(rows[0])
    assert {p.name for p in out.iterdir()} >= {"results.csv", "runs.csv", "curves.csv", "sweep.json"}
    panel.charts.set_metric("loss")
    assert panel.charts.log_check.isEnabled() and panel.charts.log_scale()
    panel.export_png(tmp_path / "charts.png")
    image = QImage(str(tmp_path / "charts.png"))
    assert not image.isNull() and image.width() >= 1000
    panel.export_svg(tmp_path / "charts.svg")
    text = (tmp_path / "charts.svg").read_text()
    assert "<svg" in text and "path" in text
    panel.charts.set_metric("max_wrong")
    assert not panel.charts.log_check.isEnabled() and not panel.charts.log_scale()


def test_the_per_font_chart_shows_only_when_fonts_vary(panel, qtbot):
    run_to_end(qtbot, panel, tiny_sweep({"train.optimizer": ["sgd", "adam"]}, seeds=1, epochs=10))
    assert not panel.charts.font_plot_visible()
    sweep = tiny_sweep({"data.fonts": [["Font1"], ["Font2"]], "train.optimizer": ["sgd", "adam"]}, seeds=1,
                       epochs=10)
    run_to_end(qtbot, panel, sweep)
    assert panel.charts.font_plot_visible()
    bars = panel.charts.font_bars
    assert len(bars) == 2                                           # one series per optimizer
    assert all(len(b.opts["x"]) == 2 for b in bars)                 # one bar per font in each


def test_the_panel_speaks_spanish(panel, qtbot):
    run_to_end(qtbot, panel, tiny_sweep({"train.optimizer": ["sgd", "adam"]}, seeds=1, epochs=10))
    i18n.set_language("es")
    assert panel.run_button.text() == "Ejecutar"
    assert [panel.tabs.tabText(i) for i in range(2)] == ["Barrido", "Resultados"]
    headers = [panel.table.table_model.headerData(i, Qt.Orientation.Horizontal)
               for i in range(panel.table.table_model.columnCount())]
    assert "Máx. mal" in headers and "Optimizador" in headers
    assert panel.charts.band_plot.titleLabel.text.startswith("Máx. píxeles erróneos")
    assert panel.summary_label.full_text().startswith("Terminado: 2 ejecuciones")
    assert panel.editor.add_button.text() == "Añadir un campo a variar"


# ---------------------------------------------------------------- main window

def test_the_experiments_menu_lists_the_presets_and_runs_one(window, qtbot):
    presets = preset_sweeps()
    assert len(presets) >= 6
    untranslated = [name for _, name in presets if name not in read_catalogue("es")]
    assert not untranslated, f"add Spanish titles to resources/i18n/es.json for {untranslated}"
    # The title (whole in the tooltip, shortened past 760 px), then after the tab (in the menu's
    # right-hand column) its expected time.
    assert [a.toolTip() for a in window.menus.preset_actions] == [name for _, name in presets]
    assert all(name.startswith(a.text().partition("\t")[0].rstrip("…"))
               for a, (_, name) in zip(window.menus.preset_actions, presets))
    assert window.menus.menu_experiments.title() == "&Experiments"
    titles = [a.text() for a in window.menus.menu_experiments.actions()]
    assert titles[:3] == ["New sweep…", "Open sweep…", "Save sweep…"]
    window.menus.set_language("es")
    assert window.menus.menu_experiments.title() == "E&xperimentos"
    assert ("seed-001: las seis arquitecturas del informe x SGD / momento en Font1 (150 épocas, tasa de aprendizaje 0,05, "
            "5 corridas)") in [a.toolTip() for a in window.menus.preset_actions]
    window.menus.set_language("en")

    # the builder's experiment becomes the sweep's base
    window.builder.set_experiment(tiny_base())
    window.experiments.editor.builder_button.click()
    assert window.experiments.editor.base() == window.builder.experiment()

    seed001 = next(a for a in window.menus.preset_actions
                   if a.toolTip() == "seed-001: the report's six architectures x SGD / momentum on Font1 (150 epochs, "
                   "learning rate 0.05, 5 runs)")
    panel = window.experiments
    with qtbot.waitSignal(panel.jobs.progress, timeout=30000):
        seed001.trigger()
    assert panel.is_running() and window.docks["experiments"].isVisible()
    assert panel.editor.count_label.text().startswith("12 configs × 5 seeds = 60 runs")
    # closing the window cancels the sweep cleanly
    window.close()
    assert not panel.is_running()


def test_after_a_per_font_sweep_every_text_and_chart_is_whole(panel, qtbot):
    """The third chart, the table's cells, the summary and the tab bar are whole after a per-font sweep."""
    from aegui.qt.i18n import set_language
    from aegui.qt.window.layout_check import layout_problems
    sweep = tiny_sweep({"data.fonts": [["Font1"], ["Font2"], ["Font3"]]}, seeds=1, epochs=10)
    run_to_end(qtbot, panel, sweep)
    for lang in ("en", "es"):
        set_language(lang)
        panel.resize(620, 520)
        settle()
        assert panel.charts.font_plot_visible()
        assert layout_problems(panel) == []
        view = panel.charts.charts
        for plot in (panel.charts.band_plot, panel.charts.bar_plot, panel.charts.font_plot):
            right = plot.mapRectToScene(plot.boundingRect()).right()
            assert right <= view.viewport().width() + 1, "a chart runs past the panel's edge"
        table = panel.table
        for col in range(table.table_model.columnCount()):
            kind = table.table_model.columns[col][0]
            if kind != "value":
                assert table.columnWidth(col) >= table.sizeHintForColumn(col), table.table_model.headerData(
                    col, Qt.Orientation.Horizontal)
        bar = panel.tabs.tabBar()
        assert all(bar.tabRect(i).width() >= bar.fontMetrics().horizontalAdvance(bar.tabText(i)) for i in
                   range(bar.count()) if bar.isTabVisible(i))   # Search stays hidden until a search runs
