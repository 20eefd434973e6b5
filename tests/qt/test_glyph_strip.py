"""GlyphStrip, the row of small glyph views under their titles that the pixel editor, the Compare
panel and the Explain panel share: the titles follow the language like every other text, a strip
shows as many columns as it has titles, and its views draw at one scale (a view with more room
does not draw its glyph bigger than its neighbours), never above the cap its panel sets."""
import numpy as np

from aegui.qt import i18n
from aegui.qt.widgets.glyphs.glyph_strip import GlyphStrip


def test_the_titles_follow_the_language_and_say_how_many_columns_show(qtbot):
    strip = GlyphStrip(4, cell_size=10)
    qtbot.addWidget(strip)
    strip.set_titles(("Drawn", "Noisy", "Model output"))
    strip.show()
    assert [t.text() for t in strip.titles[:3]] == ["Drawn", "Noisy", "Model output"]
    assert [v.isVisible() for v in strip.views] == [True, True, True, False]
    assert [t.isVisible() for t in strip.titles] == [True, True, True, False]
    i18n.set_language("es")
    assert [t.text() for t in strip.titles[:3]] == ["Dibujado", "Con ruido", "Salida del modelo"]
    i18n.set_language("en")
    assert strip.titles[2].text() == "Model output"


def test_the_views_share_the_smallest_scale_and_the_cap(qtbot):
    cap = [100.0]
    strip = GlyphStrip(3, cell_size=10, cap=lambda: cap[0])
    qtbot.addWidget(strip)
    strip.resize(600, 300)
    for view in strip.views:
        view.set_image(np.eye(7, 5, dtype=np.float32))
    strip.views[0].setMaximumSize(5 * 6 + 1, 7 * 6 + 1)     # room for 6 px cells only
    strip.show()
    qtbot.waitExposed(strip)
    qtbot.waitUntil(lambda: [v.scale() for v in strip.views] == [6, 6, 6])
    assert strip.views[1].fit_scale() > 6          # it has room for more, and draws at 6 all the same
    assert strip.scale() == 6
    cap[0] = 4.0
    strip.share_scale()
    assert [v.scale() for v in strip.views] == [4, 4, 4]
