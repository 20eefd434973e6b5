"""The Experiments table shows a named value whole ("SGD + momentum 0.9" was
elided to "SGD + m…tum 0.9"); only a long value (a layer list) is cut, in the middle."""
from pathlib import Path

from aegui.core.analyses.sweeps.sweep import expand, load_sweep
from aegui.qt.experiments.sweep_table import SweepTable

ROOT = Path(__file__).resolve().parents[3]


def test_named_values_are_shown_whole(qtbot):
    table = SweepTable()
    qtbot.addWidget(table)
    table.resize(900, 400)
    table.show()
    sweep = load_sweep(ROOT / "resources/sweeps/seed001-architectures.json")
    table.set_sweep(sweep, expand(sweep))
    m = table.table_model
    seen = set()
    for col, (kind, _key) in enumerate(m.columns):
        if kind != "value":
            continue
        for row in range(m.rowCount()):
            text = m.index(row, col).data()
            seen.add(text)
            room = table.columnWidth(col) - 2 * table.style().pixelMetric(table.style().PixelMetric.PM_FocusFrameHMargin) - 4
            assert table.fontMetrics().horizontalAdvance(text) <= room, (text, table.columnWidth(col))
    # seed-001's optimizers are named as the slides name them (course branch: "with momentum")
    assert {"with momentum", "without momentum"} <= seen
