"""Light and dark palettes (Fusion style, so both look the same on every platform)."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")


def _dark_palette() -> QPalette:
    p = QPalette()
    base, text, window = QColor(35, 35, 38), QColor(230, 230, 230), QColor(48, 48, 52)
    for role, color in ((QPalette.Window, window), (QPalette.WindowText, text), (QPalette.Base, base),
                        (QPalette.AlternateBase, window), (QPalette.Text, text), (QPalette.Button, window),
                        (QPalette.ButtonText, text), (QPalette.ToolTipBase, window),
                        (QPalette.ToolTipText, text), (QPalette.Highlight, QColor(42, 130, 218)),
                        (QPalette.HighlightedText, QColor(255, 255, 255)),
                        (QPalette.PlaceholderText, QColor(150, 150, 150))):
        p.setColor(role, color)
    for role in (QPalette.Text, QPalette.ButtonText, QPalette.WindowText):
        p.setColor(QPalette.Disabled, role, QColor(120, 120, 120))
    return p


def apply(name: str) -> None:
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; choose light or dark")
    app = QApplication.instance()
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if name == "dark" else app.style().standardPalette())
    # A widget with a style sheet keeps the palette it was polished with (the builder stayed
    # dark after switching back to light): polish those again.
    for widget in app.allWidgets():
        if widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())
    # The platform's native file dialogs (GTK, KDE) ignore the app's palette and open light:
    # in the dark theme Qt's own dialogs are used, which follow it like message boxes do.
    app.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, name == "dark")
    # pyqtgraph reads these when a plot is created; existing plots keep theirs.
    pg.setConfigOption("background", (30, 30, 33) if name == "dark" else "w")
    pg.setConfigOption("foreground", (220, 220, 220) if name == "dark" else (40, 40, 40))
