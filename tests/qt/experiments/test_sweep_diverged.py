"""A sweep's diverged runs in the Experiments panel: counted in the Runs column, left out of the
means, and said where a mean rests on fewer runs than were trained. A config none of whose runs
trained says so in its first result column (the Runs column is out of sight in a narrow dock)
instead of the wrong pixels its NaN outputs gave."""
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import Qt

from aegui.core.analyses.sweeps.sweep import Sweep
from tests.qt.experiments.test_experiments_panel import column, run_to_end, tiny_base


def test_diverged_runs_are_counted_and_left_out_of_the_table_and_the_summary(panel, qtbot):
    sweep = Sweep(name="calm and wild", base=tiny_base(optimizer="sgd"), seeds=2,
                  vary={"train.learning_rate": [1.0, 1000.0]})
    result = run_to_end(qtbot, panel, sweep)
    calm, wild = result.runs_of(0), result.runs_of(1)
    assert not any(r.diverged for r in calm) and all(r.diverged for r in wild)
    table = panel.table
    cols = {name: column(panel, name) for name in ("Max wrong", "Mean wrong", "Runs")}
    assert table.cell_text(1, cols["Max wrong"]) == "all diverged"
    assert table.cell_text(1, cols["Mean wrong"]) == "–"
    assert table.cell_text(1, cols["Runs"]) == "2/2, 2 diverged"
    assert table.cell_value(1, cols["Max wrong"]) is None          # sorts last, not as a number
    assert table.cell_text(0, cols["Max wrong"]) == \
        f"{np.mean([r.final_max_wrong for r in calm]):.2f} ± {np.std([r.final_max_wrong for r in calm]):.2f}"
    model = table.table_model
    tip = model.index(1, cols["Max wrong"]).data(Qt.ItemDataRole.ToolTipRole)     # configs in source order
    assert "Left out, diverged: 2 of 2; the mean is over the other 0" in tip
    # The charts: no line and no bar for it, its legend name and a note where its bar would be say why.
    charts = panel.charts
    assert charts.config_name(1).endswith("(all diverged)") and not charts.config_name(0).endswith("(all diverged)")
    assert [n.toPlainText() for n in charts.bar_notes] == ["diverged"]
    assert len(charts.error_bars.opts["x"]) == 1
    # A config whose seeds half diverged: its mean is the trained seeds', and the summary says over how many.
    mixed = replace(result, runs=calm + [replace(r, config=0, run=r.run + 10) for r in wild])
    table.set_result(mixed, (), finished=True)
    assert table.cell_value(0, cols["Max wrong"]) == pytest.approx(np.mean([r.final_max_wrong for r in calm]))
    panel.result = mixed
    text = panel._final_summary()
    assert "Best: config 1" in text and "Its mean leaves out the 2 of 4 that diverged; it is over the other 2." in text
