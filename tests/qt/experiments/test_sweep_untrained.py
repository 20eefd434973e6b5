"""A sweep's runs that did not train (the course report's health checks: no better than the
majority picture, or a loss that barely fell) in the Experiments panel: their numbers are a real,
untrained model's, so the means count them, and the Runs column, the tooltip and the summary say
how many there were."""
from PySide6.QtCore import Qt

from aegui.core.analyses.sweeps.sweep import Sweep
from tests.qt.experiments.test_experiments_panel import column, run_to_end, tiny_base


def test_untrained_runs_are_counted_and_said(panel, qtbot):
    sweep = Sweep(name="learns and not", base=tiny_base(epochs=400, check_every=20), seeds=2,
                  vary={"train.learning_rate": [0.02, 1e-7]})
    result = run_to_end(qtbot, panel, sweep)
    assert result.health().failed(0) == {"dead": 0, "did not learn": 0}
    assert result.health().failed(1) == {"dead": 2, "did not learn": 0}
    cols = {name: column(panel, name) for name in ("Max wrong", "Runs")}
    table = panel.table
    assert table.cell_text(0, cols["Runs"]) == "2/2"
    assert table.cell_text(1, cols["Runs"]) == "2/2, 2 untrained"
    assert table.cell_text(1, cols["Max wrong"]) not in ("all diverged", "–")      # counted, not dropped
    tip = table.table_model.index(1, cols["Max wrong"]).data(Qt.ItemDataRole.ToolTipRole)
    assert ("Counted in the mean, though untrained: 2 of 2 (2: no better than the majority picture; 0: a loss "
            "that fell under 5 % from its first check)") in tip
    assert "untrained" not in table.table_model.index(0, cols["Max wrong"]).data(Qt.ItemDataRole.ToolTipRole)
    charts = panel.charts       # its line is drawn (an untrained model's), and its legend name says so
    assert charts.config_name(1).endswith("(none trained)") and not charts.config_name(0).endswith(")")
    text = panel._final_summary()
    assert "Best: config 1" in text and "did not train" not in text
    # the best config with an untrained seed: the summary says its mean counts it
    from dataclasses import replace
    mixed = replace(result, runs=result.runs_of(0) + [replace(result.runs_of(1)[0], config=0, run=10)])
    panel.result = mixed
    assert ("Its mean counts 1 of 3 that did not train: no better than the majority picture, or a loss that fell "
            "under 5 % from its first check.") in panel._final_summary()
