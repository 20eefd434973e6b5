"""The sweep's curves of wrong pixels start at 0 like every count axis: configs that got every
pixel right were drawn in the middle of a -5..5 axis. A loss on its log axis is not floored."""
import numpy as np

from aegui.core.analyses.sweeps.sweep import RunResult, SweepResult, expand, plan
from aegui.qt.experiments.sweep_charts import SweepCharts
from tests.qt.experiments.test_experiments_panel import tiny_sweep


def perfect_result():
    """Two configs, two runs each, every glyph right from the first check on."""
    sweep = tiny_sweep({"train.learning_rate": [0.01, 0.03]}, seeds=2)
    configs = expand(sweep)
    groups = plan(sweep, configs)
    epochs = np.arange(5, 25, 5)
    runs = [RunResult(run=2 * c + s, config=c, group=1, seed=s, learning_rate=0.01, init="xavier", final_loss=0.01,
                      final_max_wrong=0, final_mean_wrong=0.0, epochs_to_target=None, epochs=20, diverged=False,
                      seconds=0.1, group_seconds=0.2, history_epochs=epochs, history_loss=np.full(4, 0.01 + s / 100),
                      history_max_wrong=np.zeros(4), history_mean_wrong=np.zeros(4))
            for c in range(2) for s in range(2)]
    return SweepResult(sweep, configs, groups, runs=runs)


def test_a_sweep_of_perfect_configs_draws_its_zeros_at_the_bottom_of_the_axis(qtbot):
    charts = SweepCharts()
    qtbot.addWidget(charts)
    charts.resize(900, 400)
    charts.show()
    charts.set_result(perfect_result())
    charts.charts.grab()
    for metric in ("max_wrong", "mean_wrong"):
        charts.set_metric(metric)
        charts.charts.grab()       # painting applies the automatic range
        lo, hi = charts.band_plot.vb.viewRange()[1]
        assert -0.1 * (hi - lo) <= lo <= 0 < 1 <= hi, (metric, lo, hi)
        lo, hi = charts.bar_plot.vb.viewRange()[1]
        assert lo >= -0.1 * (hi - lo) and hi > 0, (metric, lo, hi)
    charts.set_metric("loss")                  # log10 of 0.01..0.02: no floor at 0 (= loss 1)
    charts.charts.grab()
    lo, hi = charts.band_plot.vb.viewRange()[1]
    assert hi < -1.5, (lo, hi)
