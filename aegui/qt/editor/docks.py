"""The pixel editor's and the Draw tab's entries in the window's panel table
(aegui/qt/perspectives/panels.py): how the editor joins the window and what brings either forward.
Light to import: the window reads them before its first paint, before the Draw panel is built."""
from __future__ import annotations

from aegui.core.data.dataset import GLYPH_SHAPE
from aegui.qt.models.names import title


def join_window(editor, window, _state) -> None:
    editor.bind(window.workspace, title)


def bring_editor(window) -> None:
    """"Send to editor" asks for the editor; a teaching asked from the library offers it (the window
    changes context only when the user asks)."""
    ws = window.workspace
    ws.editor_glyph_requested.connect(lambda image: window.show_dock("editor"))
    ws.teach_requested.connect(lambda *_: window.offer_dock(
        "editor", "Teaching: the pixel editor shows how it goes, with Cancel.", "Show the pixel editor"))


def offer_draw(window) -> None:
    """A picture model is drawn on in the Draw tab: offered, when it is not on screen."""
    def offer(model, previous):
        if model is None or model.shape == GLYPH_SHAPE:
            window.status.withdraw("draw")
        elif previous is None or previous.dataset is not model.dataset:
            window.offer_dock("draw", "This model draws in the Draw tab.", "Show Draw")
    window.workspace.current_changed.connect(offer)
