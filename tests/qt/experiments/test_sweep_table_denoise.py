"""The Experiments table shows a denoising sweep's noisy-input measure beside its output
(without it, a denoiser's error cannot be told from the noise it was given)."""
from pathlib import Path

from PySide6.QtCore import Qt

from aegui.core.analyses.sweeps.sweep import SweepRunner, expand, load_sweep, with_overrides
from aegui.qt import i18n
from aegui.qt.experiments.sweep_table import SweepTableModel

ROOT = Path(__file__).resolve().parents[3]


def test_a_denoising_sweep_gets_noisy_input_and_denoised_columns(qtbot):
    sweep = with_overrides(load_sweep(ROOT / "resources/sweeps/denoising-levels.json"), epochs=20, seeds=1)
    model = SweepTableModel()
    model.set_sweep(sweep, expand(sweep))
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert "Noisy input wrong" in headers and "Denoised wrong" in headers
    tip = model.headerData(headers.index("Max wrong"), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Clean-input reconstruction" in tip
    result = SweepRunner(sweep).run()
    model.set_result(result, finished=True)
    col = headers.index("Noisy input wrong")
    texts = [model.data(model.index(r, col)) for r in range(4)]
    assert texts[0].startswith("0.00") and float(texts[3].split(" ")[0]) > 10   # 0 % and 90 % noise
    i18n.set_language("es")
    try:
        assert model.headerData(col, Qt.Orientation.Horizontal) == "Mal en la entrada ruidosa"
    finally:
        i18n.set_language("en")


def test_a_plain_sweep_has_no_denoising_columns(qtbot):
    sweep = load_sweep(ROOT / "resources/sweeps/activations.json")
    model = SweepTableModel()
    model.set_sweep(sweep, expand(sweep))
    headers = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert "Denoised wrong" not in headers and "Held-out max wrong" not in headers
