"""The map's tiles draw glyphs as the previews do, dark ink on a light tile, in both themes, with
the ink at a contrast of at least 4.5:1 (WCAG) against its tile, measured on the rendered map."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF

from aegui.qt import theme


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour (0-255 channels)."""
    c = np.asarray(rgb, np.float64) / 255.0
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_and_paper(canvas):
    """Median colour on screen of the tiles' ink pixels (decoded >= 0.9) and of their paper
    pixels (<= 0.1), sampled at the centres of the map picture's pixels."""
    tiles = canvas.map_image()
    rows, cols, th, tw = tiles.shape
    image = canvas.plot.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    ink, paper = [], []
    for r in range(rows):
        for c in range(cols):
            for i in range(th):
                for j in range(tw):
                    v = tiles[r, c, i, j]
                    if 0.1 < v < 0.9:
                        continue
                    scene = canvas.map.item.mapToScene(QPointF(c * (tw + 1) + j + 0.5, r * (th + 1) + i + 0.5))
                    p = canvas.plot.mapFromScene(scene)
                    if not image.rect().contains(p * ratio):
                        continue
                    colour = image.pixelColor(p * ratio)
                    (ink if v >= 0.9 else paper).append((colour.red(), colour.green(), colour.blue()))
    return np.median(ink, axis=0), np.median(paper, axis=0), len(ink), len(paper)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_glyph_ink_on_the_map_is_dark_on_light_with_contrast_of_4_5(window, qtbot, name):
    canvas = window.latent
    theme.apply(name)
    try:
        canvas.codes.scatter.hide()                 # the points and labels are not the tiles
        for t in canvas.codes.texts:
            t.hide()
        qtbot.waitUntil(lambda: canvas.map.dark == (name == "dark"), timeout=5000)
        canvas.map.compute()
        qtbot.waitUntil(lambda: canvas.map_image() is not None and not canvas.busy(), timeout=10000)
        ink, paper, n_ink, n_paper = ink_and_paper(canvas)
        assert n_ink > 50 and n_paper > 50
        assert luminance(ink) < luminance(paper), f"{name}: light ink {ink} on a darker tile {paper}"
        ratio = contrast(ink, paper)
        assert ratio >= 4.5, f"{name}: ink {ink} on paper {paper} has a contrast of {ratio:.2f}:1"
    finally:
        theme.apply("light")
