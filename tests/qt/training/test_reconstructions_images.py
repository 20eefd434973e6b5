"""The reconstructions panel with pictures: many samples, colour, long names, the grid figure."""
import numpy as np
import pytest
from PIL import Image

from aegui.qt.training import reconstructions as R
from aegui.qt.training.reconstructions import ReconstructionsPanel


@pytest.fixture
def panel(qtbot):
    p = ReconstructionsPanel()
    qtbot.addWidget(p)
    p.resize(800, 500)
    p.show()
    return p


def pictures(n, side=16, seed=0):
    rng = np.random.default_rng(seed)
    orig = rng.random((n, side, side, 3)).astype(np.float32)
    recon = np.clip(orig + rng.normal(0, 0.2, orig.shape), 0, 1).astype(np.float32)
    return orig, recon


def test_big_sets_show_a_spread_of_samples(panel, monkeypatch):
    monkeypatch.setattr(R, "MAX_CELLS", 20)
    orig, recon = pictures(95)
    labels = [str(i) for i in range(95)]
    panel.set_data(labels, orig, recon)
    shown = panel.shown_indices()
    assert len(panel.cells) == 20 and shown[0] == 0 and shown[-1] > 85
    assert panel.cells[3].original.caption() == labels[shown[3]]
    np.testing.assert_allclose(panel.cells[3].recon.image(), recon[shown[3]])
    assert "20 of 95" in panel.summary.text()
    panel.update_recon(recon[:, ::-1])            # a training tick: all N, the panel picks its own
    np.testing.assert_allclose(panel.cells[3].recon.image(), recon[shown[3], ::-1])


def test_colour_pictures_start_without_marks_and_long_names_are_cut(panel):
    orig, recon = pictures(3)
    names = ["rolling_on_the_floor_laughing", "a", "b"]
    panel.set_data(names, orig, recon)
    assert not panel.show_marks.isChecked()
    cell = panel.cells[0]
    assert cell.recon._marks.any() and not cell.recon._show_marks
    assert cell.original.caption().endswith("…") and cell.original.toolTip() == names[0]
    assert cell.original.grid_rect().size() == cell.recon.grid_rect().size()
    panel.show_marks.setChecked(True)
    assert cell.recon._show_marks
    glyphs = (np.random.default_rng(1).random((3, 7, 5)) > 0.5).astype(np.float32)
    panel.set_data(list("xyz"), glyphs, 1 - glyphs)
    assert panel.show_marks.isChecked()            # black-and-white data: marks matter


def test_export_grid_png(panel, tmp_path):
    orig, recon = pictures(30)
    panel.set_data([f"s{i}" for i in range(30)], orig, None)
    assert not panel.export_button.isEnabled() and not panel.export_grid(tmp_path / "none.png")
    panel.update_recon(recon)
    assert panel.export_button.isEnabled()
    path = tmp_path / "grid.png"
    assert panel.export_grid(path, max_samples=10)
    img = Image.open(path)
    assert img.mode == "RGB" and img.width > 10 * 16 * 3 and img.height > 2 * 16 * 3
    with pytest.raises(OSError, match="Could not write"):
        panel.export_grid(tmp_path / "missing" / "grid.png")
    panel.grab().save("/tmp/reconstructions_images.png")
