"""The map's labels never cover one another: of two nearby points' labels one moves to another
side of its point or, when no side is free, hides until the pointer rests on its point. Checked on
every demo glyph model's map at 1280x800 and 1024x700."""
import pytest
from PySide6.QtCore import QPointF, QRectF

from aegui.qt.latent.canvas_mouse import PICK_PX
from aegui.qt.latent.label_layout import ANCHORS, label_rect
from tests.qt.latent.test_latent_canvas import wheel


def _visible_label_rects(canvas) -> list[tuple[str, QRectF]]:
    canvas.plot.viewport().grab()                   # painted: the labels' transforms are current
    return [(t.toPlainText(), t.mapRectToScene(t.boundingRect())) for t in canvas.codes.texts if t.isVisible()]


def _overlaps(rects):
    out = []
    for i, (ta, a) in enumerate(rects):
        for tb, b in rects[i + 1:]:
            both = a.intersected(b)
            if both.width() > 0.5 and both.height() > 0.5:
                out.append((ta, tb))
    return out


def _hidden_with_room(canvas, shown: list[QRectF]) -> list[str]:
    """Hidden labels that had a free side of their point (hidden for no reason)."""
    out = []
    for t in canvas.codes.texts[:canvas.codes.n_text]:
        if t.isVisible():
            continue
        point = canvas.vb.mapViewToScene(QPointF(t.pos()))
        size = (t.textItem.boundingRect().width(), t.textItem.boundingRect().height())
        if any(not _overlaps([("", label_rect(point, size, anchor))] + [("", r) for r in shown]) for anchor in ANCHORS):
            out.append(t.toPlainText())
    return out


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_no_two_labels_overlap_on_the_demo_maps(window, qtbot, size):
    window.resize(*size)
    window.arranger.switch("explore")
    canvas = window.latent
    for model in window.workspace.glyph_models():
        window.model_bar.model_combo.setCurrentIndex(window.model_bar._choices.index(model))
        qtbot.waitUntil(lambda: canvas.state.ready() and not canvas.busy(), timeout=10000)
        rects = _visible_label_rects(canvas)
        assert _overlaps(rects) == [], f"{model.name} at {size}"
        assert _hidden_with_room(canvas, [r for _, r in rects]) == [], f"{model.name} at {size}"


def test_a_hidden_label_shows_while_the_pointer_rests_on_its_point(window, qtbot):
    window.resize(1024, 700)
    window.arranger.switch("explore")
    canvas = window.latent
    qtbot.waitUntil(lambda: canvas.state.ready() and not canvas.busy(), timeout=10000)
    wheel(canvas, notches=-4)                       # zoomed out: the points crowd together
    rects = _visible_label_rects(canvas)
    assert _overlaps(rects) == []
    hidden = [k for k, t in enumerate(canvas.codes.texts[:len(canvas.state.labels)]) if not t.isVisible()]
    assert hidden, "zoomed out, some labels have no room"
    k = hidden[0]
    x, y = canvas.projected_codes()[k]
    canvas.mouse.moved(canvas.vb.mapViewToScene(QPointF(x, y)))
    canvas.mouse.flush()
    hover = canvas.codes.hover_text
    assert hover.isVisible() and hover.toPlainText() == canvas.state.labels[k]
    sx, _ = canvas.pixel_size()
    canvas.mouse.moved(canvas.vb.mapViewToScene(QPointF(x + 3 * PICK_PX * sx, y)))
    canvas.mouse.flush()
    assert not hover.isVisible() or hover.toPlainText() != canvas.state.labels[k]
