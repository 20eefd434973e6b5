"""The first-run guide: three hints, each dismissed for good, remembered in the settings; each
beside what it points at, covering no control (the user can do what it says without closing it)
and readable in both themes."""
import numpy as np
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QSlider,
                               QTabBar, QWidget)

from aegui.qt.guide.hints import Guide
from aegui.qt.window.window_matrix import settle

CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QSlider, QLineEdit, QTabBar, QAbstractItemView)


def _rect(window, w: QWidget) -> QRect:
    return QRect(w.mapTo(window, QPoint(0, 0)), w.size())


def _controls(window, guide) -> list[tuple[str, QRect]]:
    own = {id(b) for h in guide.hints.values() for b in h.buttons()}
    out = []
    for w in window.findChildren(QWidget):
        control = isinstance(w, CONTROLS) or type(w).__name__ == "EditGrid"     # the editor's grid
        if control and id(w) not in own and w.isVisible() and not w.visibleRegion().isEmpty():
            out.append((f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}", _rect(window, w)))
    return out


def _luminance(rgb) -> float:
    c = np.asarray(rgb, float) / 255.0
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ [0.2126, 0.7152, 0.0722])


def _contrast(hint, child) -> float:
    """The contrast ratio between the darkest and the lightest pixel of a part of the hint as drawn
    (its text on the hint's background)."""
    img = hint.grab().toImage().copy(child.geometry().adjusted(2, 2, -2, -2))
    lum = [_luminance(img.pixelColor(x, y).getRgb()[:3]) for x in range(img.width()) for y in range(img.height())]
    return (max(lum) + 0.05) / (min(lum) + 0.05)


def test_three_hints_then_remembered_when_dismissed(window, tmp_path):
    g = window.guide
    assert sorted(g.visible()) == ["draw", "hover", "train"]
    g.hints["hover"].ok.click()
    assert sorted(g.visible()) == ["draw", "train"]
    settings = window.settings
    settings.sync()
    again = Guide(window, QSettings(settings.fileName(), QSettings.IniFormat))
    assert sorted(again.start()) == ["draw", "train"]          # the closed one stays closed
    again.hints["train"].never.click()                         # "Don't show again": all gone
    assert again.visible() == []
    third = Guide(window, again.settings)
    assert third.start() == []


def test_hints_sit_beside_their_targets_and_cover_no_control_at_any_size(window):
    """The hints covered the controls they point at (the editor's buttons, the grid)."""
    from aegui.qt.window.window_matrix import show_as
    g = window.guide
    targets = {"draw": window.editor.grid, "hover": window.latent.plot}
    for size, lang in (((1280, 800), "en"), ((1024, 700), "es"), ((1600, 1000), "en")):
        show_as(window, size, lang, "light")
        settle()
        assert sorted(g.visible()) == ["draw", "hover", "train"], size
        hints = {k: h.geometry() for k, h in g.hints.items()}
        for key, r in hints.items():
            covered = [name for name, c in _controls(window, g) if c.intersects(r)]
            assert not covered, f"{size} {lang}: the {key!r} hint covers {covered}"
            others = [k for k, o in hints.items() if k != key and o.intersects(r)]
            assert not others, f"{size} {lang}: the {key!r} hint covers the {others} hint"
            if key in targets:      # near what it names: touching it or at most 40 px away
                t = _rect(window, targets[key]).adjusted(-40, -40, 40, 40)
                assert t.intersects(r), f"{size} {lang}: the {key!r} hint is far from its target"


def test_dont_show_again_can_be_read_in_the_dark_theme(window):
    """The dark theme's light grey button text on the hint's light yellow."""
    from aegui.qt.window.window_matrix import show_as
    show_as(window, (1280, 800), "en", "dark")
    settle()
    hint = window.guide.hints["draw"]
    for button in (hint.never, hint.ok):
        assert _contrast(hint, button) >= 4.5, button.text()
    assert _contrast(hint, hint.label) >= 4.5


def _idle(qtbot, guide) -> None:
    """Posted events handled and the guide's pending placement run, until the hints stay put
    between two passes (a bounded loop, no sleep)."""
    app = QApplication.instance()
    last = None
    for _ in range(20):
        app.sendPostedEvents()
        app.processEvents()
        qtbot.waitUntil(lambda: not guide.pending())
        now = {k: h.geometry() for k, h in guide.hints.items()}
        if now == last:
            break
        last = now


def _click_at(qtbot, window, pos: QPoint) -> QWidget:
    """A click where a user aims at the window: whatever is drawn at `pos` gets it."""
    under = window.childAt(pos)
    qtbot.mouseClick(under, Qt.LeftButton, pos=under.mapFrom(window, pos))
    return under


def test_got_it_on_one_hint_moves_no_other_hint(window, qtbot):
    """A user who clicks "Got it" and then clicks the map must hit the map: closing a hint once
    brought the next hint onto the freed spot, and the next click landed on that hint instead of
    pinning the point aimed at. Shown hints keep their places; the spot of the closed one shows
    what lies under it."""
    g = window.guide
    _idle(qtbot, g)
    assert sorted(g.visible()) == ["draw", "hover", "train"]
    before = {k: h.geometry() for k, h in g.hints.items()}
    for key in ("train", "draw", "hover"):
        hint = g.hints[key]
        aim = hint.ok.mapTo(window, hint.ok.rect().center())
        assert _click_at(qtbot, window, aim) is hint.ok
        _idle(qtbot, g)
        assert key not in g.visible()
        moved = {k: (before[k], g.hints[k].geometry()) for k in g.visible() if g.hints[k].geometry() != before[k]}
        assert not moved, f"'Got it' on the {key!r} hint moved {moved}"
        under = _click_at(qtbot, window, aim)
        hit = [k for k, h in g.hints.items() if h is under or h.isAncestorOf(under)]
        assert not hit, f"a click where the {key!r} hint's button was landed on the {hit} hint"
        _idle(qtbot, g)


def test_shown_hints_leave_an_idle_window_idle(window, qtbot, monkeypatch):
    """Once placed, the hints ask for nothing more: sizing a hint invalidated its layout, which asked
    the window for a layout pass, which placed the hints again, which sized them again, about 70
    times a second for as long as a hint was shown (a busy first-run window, and 40 % of the time of
    the window's longest tests)."""
    g = window.guide
    assert g.visible()
    _idle(qtbot, g)
    placed, place = [], g.place
    monkeypatch.setattr(g, "place", lambda: (placed.append(1), place()))
    g._timer.timeout.disconnect()
    g._timer.timeout.connect(g.place)
    app = QApplication.instance()
    for turn in range(40):        # each turn of the event loop handles what the previous one posted
        if turn == 10:
            placed.clear()        # what was still on its way when the hints were placed
        app.sendPostedEvents()
        app.processEvents()
    assert placed == [] and not g.pending()


# The arrow a hint starts with, as a direction (x, y) toward its target: -1 left/up, 1 right/down;
# a hint over its target (the map) has none.
ARROW_DIRECTIONS = {"◀": (-1, 0), "▶": (1, 0), "▲": (0, -1), "▼": (0, 1),
                    "◤": (-1, -1), "◥": (1, -1), "◣": (-1, 1), "◢": (1, 1)}


def _toward(lo: int, hi: int, t_lo: int, t_hi: int) -> int:
    """Along one axis, where the target's span [t_lo, t_hi] lies from the hint's [lo, hi]."""
    return -1 if t_hi < lo else 1 if t_lo > hi else 0


def test_every_hint_s_arrow_points_at_its_target_in_every_perspective(window):
    """Where the spots beside a target are all taken (the Train button among the toolbar's controls
    in the Experiments perspective), a hint lands farther off: its arrow must still point at the
    target. A "◀" on a hint 300 px below the button it named sent the eye to the builder."""
    from aegui.qt.window.window_matrix import show_as
    g = window.guide
    for size in ((1280, 800), (1024, 700)):
        for perspective in ("explore", "train", "experiments"):
            show_as(window, size, "en", "light", perspective)
            settle()
            for key in g.visible():
                r, t = g.hints[key].geometry(), _rect(window, g.target(key))
                arrow = g.hints[key].label.text()[:1]
                want = (_toward(r.left(), r.right(), t.left(), t.right()),
                        _toward(r.top(), r.bottom(), t.top(), t.bottom()))
                assert ARROW_DIRECTIONS.get(arrow, (0, 0)) == want, \
                    f"{size} {perspective}: the {key!r} hint's {arrow!r} does not point at its target {want}"


def test_hints_that_fit_beside_their_targets_lay_out_no_grid_of_spots(window, monkeypatch):
    """The grid of spots over the whole window (~1,700 at 1280x800, each given its side, all sorted)
    is the search for when the spots beside a target are taken. Hints that fit beside their
    targets, as the three first-run hints do, never lay it out: they are placed as the demo
    models come in, and that grid was most of what placing them cost."""
    from aegui.qt.guide import spots
    scanned = []
    real = spots._scan
    monkeypatch.setattr(spots, "_scan", lambda *args: scanned.append(args) or real(*args))
    g = window.guide
    for hint in g.hints.values():
        hint.target_rect = None          # placed afresh, as at start
    g.place()
    assert sorted(g.visible()) == ["draw", "hover", "train"]
    assert scanned == []
