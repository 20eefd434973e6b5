"""The window's panel table (aegui/qt/perspectives/panels.py) is what the window is made of: one dock
a panel, in its order, with its title, in the perspectives' columns at its place; and a panel
registered there with one call (tests/qt/notes_panel.py) is docked, titled in both languages,
listed in View > Panels, placed in its perspective, built only when its tab is raised, in a scroll
area when it says so, and bound to the workspace, with no code of the window's own."""
import pytest
from PySide6.QtWidgets import QScrollArea

from aegui.qt import i18n
from aegui.qt.perspectives import panels
from aegui.qt.perspectives.panels import PANELS, Panel, Place
from aegui.qt.perspectives.table import PERSPECTIVES, perspective
from tests.qt.notes_panel import NotesPanel

SPANISH = "Notas"     # what its line in resources/i18n/es.json would say


@pytest.fixture
def notes(monkeypatch):
    panel = panels.register(Panel("notes", "Notes", "tests.qt.notes_panel:NotesPanel",
                                  (Place("explore", "right", 3),), scrolls=True, built=panels.RAISED))
    monkeypatch.setitem(i18n._catalog["es"], panel.title, SPANISH)
    yield panel
    panels.unregister(panel.key)


def test_the_window_is_made_of_the_panel_table(window):
    assert list(window.docks) == list(PANELS)
    assert [a.text() for a in window.menus.menu_panels.actions()] == [p.title for p in PANELS.values()]
    for key, p in PANELS.items():
        assert window.docks[key].objectName() == f"dock-{key}" and window.docks[key].windowTitle() == p.title
        assert window.built(key) == (p.built == panels.START), key
        for place in p.places:
            assert key in perspective(place.perspective).docks(), key
    assert sorted(k for p in PERSPECTIVES for k in p.docks()) == \
        sorted(key for key, p in PANELS.items() for _ in p.places)
    spanish = i18n.read_catalogue("es")
    assert [p.title for p in PANELS.values() if p.title not in spanish] == []


def test_a_registered_panel_is_docked_placed_and_built_when_raised(notes, window, qtbot):
    dock = window.docks["notes"]
    assert dock.windowTitle() == "Notes" and dock.toggleViewAction() in window.menus.menu_panels.actions()
    assert perspective("explore").right.docks == ("editor", "draw", "explain", "notes")
    assert dock.isVisible() and not window.built("notes") and dock.findChild(NotesPanel) is None
    i18n.set_language("es")
    assert dock.windowTitle() == SPANISH

    window.show_dock("notes")
    qtbot.waitUntil(lambda: window.built("notes"))
    panel = window.panel("notes")
    assert isinstance(panel, NotesPanel) and dock.findChild(NotesPanel) is panel
    assert isinstance(dock.widget(), QScrollArea) and dock.widget().widget() is panel
    assert panel.workspace is window.workspace and panel.label.text() == window.workspace.current.name
    other = next(m for m in window.workspace.models if m is not window.workspace.current)
    window.workspace.set_current(other)
    assert panel.label.text() == other.name


def test_the_table_refuses_a_panel_it_could_not_place():
    with pytest.raises(ValueError, match="taken"):
        panels.register(Panel("latent", "Latent again", "x:y"))
    with pytest.raises(ValueError, match="columns"):
        panels.register(Panel("nowhere", "Nowhere", "x:y", (Place("explore", "middle"),)))
    with pytest.raises(ValueError, match="built"):
        panels.register(Panel("whenever", "Whenever", "x:y", built="someday"))
    assert not {"nowhere", "whenever"} & set(PANELS)
