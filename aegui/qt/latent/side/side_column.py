"""The column beside the latent canvas's plot: the map switch, Reset view, the help button, the
decoded preview, how the dataset's codes are drawn, and the search. Beside the plot, not above it:
every row above or below the plot is map height lost. The canvas connects what the controls do
and sets the column's width (a picture gets a bigger preview than a glyph)."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.widgets.glyphs.glyph_view import GlyphView

CODE_MODES = {"points": "Points", "thumbs": "Thumbnails", "classes": "Colour by label"}


class SideColumn(QWidget):
    def __init__(self, search, parent=None):
        super().__init__(parent)
        self.map_check = QCheckBox()
        bind_text(self, self.map_check.setText, "Latent map")
        bind_text(self, self.map_check.setToolTip, "Under the points, the decoder's picture of every spot of the view")
        self.map_check.setChecked(True)
        self.reset_button = QPushButton()
        bind_text(self, self.reset_button.setText, "Reset view")
        self.help_button = QToolButton()
        self.help_button.setText("?")
        self.help_button.setAutoRaise(True)     # clicked: the user guide's section (the window connects it)
        self.preview = GlyphView(cell_size=20)
        self.preview.setMinimumWidth(110)
        self._build_codes_box()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.map_check)
        top.addStretch(1)
        top.addWidget(self.help_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addLayout(top)
        lay.addWidget(self.reset_button)
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.codes_box)
        lay.addWidget(search)
        lay.addWidget(search.result)
        on_language(self, self._write_help_tip)
        on_language(self, self.name_code_modes)
        self._write_help_tip()

    def _build_codes_box(self) -> None:
        self.codes_label = QLabel()
        bind_text(self, self.codes_label.setText, "Codes:")
        self.codes_combo = QComboBox()   # items: (text, mode) for the modes this data allows
        bind_text(self, self.codes_combo.setToolTip, "How the dataset's codes are drawn")
        self.codes_box = QWidget()
        codes_lay = QVBoxLayout(self.codes_box)
        codes_lay.setContentsMargins(0, 0, 0, 0)
        codes_lay.setSpacing(1)
        codes_lay.addWidget(self.codes_label)
        codes_lay.addWidget(self.codes_combo)
        self.codes_box.setVisible(False)

    def name_code_modes(self) -> None:
        """The codes list's items, named: it holds the modes this data allows (latent_codes fills it)."""
        for k in range(self.codes_combo.count()):
            self.codes_combo.setItemText(k, tr(CODE_MODES[self.codes_combo.itemData(k)]))

    @staticmethod
    def help_text() -> str:
        return "\n".join([
            tr("The latent space: the encoder turns each sample into a short code, a point here; the decoder "
               "turns any point back into a picture."),
            tr("Hover to decode the point under the mouse. Click to pin it to the tray. Shift+click two "
               "points to interpolate between them."),
            tr("Right-click: nearest neighbours, pin, decode here, export, reset view (Alt+click a point "
               "also rings its nearest neighbours)."),
            tr("Drag to pan, wheel to zoom."),
            tr("Click ? for the user guide's section on this panel."),
        ])

    def _write_help_tip(self) -> None:
        self.help_button.setToolTip(self.help_text())
