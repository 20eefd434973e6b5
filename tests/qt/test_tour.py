"""Help > Guided tour: a walk through the three perspectives, one callout a step beside a real
widget. Walked with the mouse (Next each step), every step's widget is on screen and the callout
leaves it uncovered; the tour visits Explore, Train and Experiments and puts the window back as the
user had it (their perspective, their tabs in front), at the end and on Skip or Esc. Return and
Enter press Next. The map's step leaves the samples pinned in the tray uncovered. It speaks
Spanish, is offered by a first-run hint, and never starts by itself."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from aegui.qt import i18n
from aegui.qt.i18n import tr
from test_help_menu import choose


def idle(qtbot, tour) -> None:
    """Posted events handled and the callout's pending placement run, until the callout and its
    target stay put between two passes (a bounded loop, no sleep)."""
    app = QApplication.instance()

    def where():
        return (tour.callout.geometry(), tour.target()[1]) if tour.running() else None
    last = None
    for _ in range(20):
        app.sendPostedEvents()
        app.processEvents()
        qtbot.waitUntil(lambda: not tour.pending())
        now = where()
        if now == last:
            break
        last = now


def fronts(window) -> set[str]:
    """The docks shown in front (of their tabs), by key."""
    return {k for k, d in window.docks.items() if d.isVisible() and not d.visibleRegion().isEmpty()}


def start_from_menu(qtbot, window):
    tour = window.guide.tour
    choose(qtbot, window, window.menus.menu_help, window.menus.tour_action)
    qtbot.waitUntil(tour.running)
    idle(qtbot, tour)
    return tour


def check_step(window, tour) -> None:
    """The step's widget is on screen, uncovered: what the window shows at its middle is it."""
    widget, t = tour.target()
    where = f"step {tour.index + 1} ({type(widget).__name__})"
    assert widget.isVisible() and window.rect().contains(t.center()), f"{where}: its widget is not on screen"
    assert not tour.callout.geometry().intersects(t), f"{where}: the callout {tour.callout.geometry()} covers {t}"
    under = window.childAt(t.center())
    assert under is widget or widget.isAncestorOf(under), f"{where}: {type(under).__name__} is drawn over it"
    assert tour.callout.isVisible() and window.rect().contains(tour.callout.geometry())


def test_walking_the_tour_shows_each_widget_and_puts_the_window_back(window, qtbot):
    window.arranger.switch("train")
    window.docks["recon"].raise_()                 # the user's own tab in front
    idle(qtbot, window.guide.tour)
    before = fronts(window)
    tour = start_from_menu(qtbot, window)
    assert window.guide.visible() == []            # the hints step aside while it runs
    visited = []
    for i in range(len(tour.steps)):
        assert tour.index == i
        check_step(window, tour)
        visited.append(window.arranger.current())
        qtbot.mouseClick(tour.next_button, Qt.LeftButton)
        idle(qtbot, tour)
    assert not tour.running()
    assert 6 <= len(visited) <= 10
    assert {"explore", "train", "experiments"} <= set(visited)
    assert window.arranger.current() == "train"
    assert fronts(window) == before
    qtbot.waitUntil(lambda: sorted(window.guide.visible()) == ["hover", "train"])   # the editor is not in Train


def test_back_and_skip_from_the_middle_put_the_perspective_back(window, qtbot):
    window.arranger.switch("experiments")
    tour = start_from_menu(qtbot, window)
    while window.arranger.current() != "train":
        qtbot.mouseClick(tour.next_button, Qt.LeftButton)
        idle(qtbot, tour)
    step = tour.index
    qtbot.mouseClick(tour.back_button, Qt.LeftButton)
    idle(qtbot, tour)
    assert tour.index == step - 1
    check_step(window, tour)
    qtbot.mouseClick(tour.next_button, Qt.LeftButton)
    idle(qtbot, tour)
    qtbot.mouseClick(tour.skip_button, Qt.LeftButton)
    idle(qtbot, tour)
    assert not tour.running() and window.arranger.current() == "experiments"


def test_esc_skips_the_tour_and_stops_nothing_else(window, qtbot):
    window.arranger.switch("explore")
    tour = start_from_menu(qtbot, window)
    for _ in range(5):
        qtbot.mouseClick(tour.next_button, Qt.LeftButton)
        idle(qtbot, tour)
    assert window.arranger.current() == "train"
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key_Escape)
    idle(qtbot, tour)
    assert not tour.running() and window.arranger.current() == "explore"


def test_the_tour_speaks_spanish(window, qtbot):
    i18n.set_language("es")
    assert window.menus.tour_action.text() == "Visita guiada"
    tour = start_from_menu(qtbot, window)
    assert tour.header.text() == f"Visita guiada · 1 de {len(tour.steps)}"
    assert (tour.skip_button.text(), tour.back_button.text(), tour.next_button.text()) == \
        ("Saltar la visita", "Atrás", "Siguiente")
    for step in tour.steps:
        text = tour.callout.label.text()
        assert tr(step.text) != step.text and text.endswith(tr(step.text)), text
        check_step(window, tour)
        qtbot.mouseClick(tour.next_button, Qt.LeftButton)
        idle(qtbot, tour)
    assert not tour.running()


def test_a_first_run_hint_offers_the_tour_which_never_starts_by_itself(window, qtbot):
    g = window.guide
    assert not g.tour.running()
    hint = g.hints["train"]
    assert hint.tour.isVisible() and hint.tour.text() == "Take the tour"
    others = {k: h.geometry() for k, h in g.hints.items() if k != "train"}
    qtbot.mouseClick(hint.tour, Qt.LeftButton)
    qtbot.waitUntil(g.tour.running)
    idle(qtbot, g.tour)
    check_step(window, g.tour)
    qtbot.mouseClick(g.tour.skip_button, Qt.LeftButton)
    idle(qtbot, g.tour)
    # The offer taken, its hint is done; the others come back where they were.
    qtbot.waitUntil(lambda: sorted(g.visible()) == sorted(others))
    assert {k: g.hints[k].geometry() for k in others} == others


def _pin_two(window, qtbot):
    """Two points of the map pinned with clicks: two tiles in the tray under it."""
    from PySide6.QtTest import QTest

    from tests.qt.latent.test_latent_canvas import viewport_pos
    canvas = window.latent
    window.arranger.switch("explore")
    qtbot.waitUntil(lambda: canvas.state.ready() and not canvas.busy(), timeout=20000)
    xy = canvas.projected_codes()
    for k in (0, len(xy) // 2):
        with qtbot.waitSignal(canvas.pinned, timeout=5000):
            QTest.mouseClick(canvas.plot.viewport(), Qt.LeftButton, Qt.NoModifier, viewport_pos(canvas, *xy[k]))
    return canvas.tray.items()


@pytest.mark.parametrize("right_column", ["shown", "closed"])
def test_the_map_s_step_leaves_the_tray_s_samples_uncovered(window, qtbot, right_column):
    """The map's step (Explore) was placed below the map, over the samples just pinned. With the
    pixel editor's column closed the map fills the window, and no spot beside it is free: the
    samples still are not covered."""
    from aegui.qt.guide.spots import rect_in
    from aegui.qt.window.window_matrix import settle
    if right_column == "closed":
        for key in ("editor", "draw", "explain"):
            window.docks[key].close()
        settle()
    tiles = _pin_two(window, qtbot)
    tour = start_from_menu(qtbot, window)
    qtbot.mouseClick(tour.next_button, Qt.LeftButton)
    idle(qtbot, tour)
    widget, _ = tour.target()
    assert widget is window.latent.plot
    if right_column == "shown":
        check_step(window, tour)
    callout = tour.callout.geometry()
    row = rect_in(window, tiles[0].parentWidget())              # the row the samples are shown in
    covered = [rect_in(window, t) for t in tiles if callout.intersects(rect_in(window, t))]
    assert covered == [] and not callout.intersects(row), f"the callout {callout} covers the samples at {covered or row}"
    qtbot.mouseClick(tour.skip_button, Qt.LeftButton)


def test_return_and_enter_press_next(window, qtbot):
    tour = start_from_menu(qtbot, window)
    window.activateWindow()       # offscreen, the closed menu stays the active window: no window manager
    qtbot.waitUntil(window.isActiveWindow)
    assert QApplication.focusWidget() is tour.next_button
    for n, key in enumerate((Qt.Key_Return, Qt.Key_Enter), start=1):
        qtbot.keyClick(QApplication.focusWidget(), key)
        idle(qtbot, tour)
        assert tour.index == n, f"{key} left the tour at step {tour.index + 1}"
    # Return on Back presses Back, as on any focused button.
    tour.back_button.setFocus()
    qtbot.keyClick(tour.back_button, Qt.Key_Return)
    idle(qtbot, tour)
    assert tour.index == 1
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key_Escape)
    idle(qtbot, tour)
    assert not tour.running()
