"""Load config… of a student's JSON or YAML: the table of how each key was read (aegui.core.config.
import_report), shown before anything is applied, with Apply and Cancel. Keys that may change
training and were not understood are named above the table and marked in it; Apply then imports
the rest without them (what `aegui import --lenient` does)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from aegui.core.config.import_report import NOT_IN_FILE, UNSUPPORTED, show
from aegui.qt.i18n import bind_text, on_language, plural, tr
from aegui.qt.widgets.text.note import NoteLabel

KEY, VALUE, OUTCOME = range(3)
HEADERS = ("Key in the file", "Value", "In aegui")


def translated(text: str, **args) -> str:
    # The core's reasons are templates with their values apart (import_report.Row), so they are
    # translated like any text of the window.
    return tr(text, **{k: str(v) for k, v in args.items()})


class ImportDialog(QDialog):
    def __init__(self, imported, parent=None):
        super().__init__(parent)
        self.imported = imported
        name = Path(imported.source or "").name
        bind_text(self, self.setWindowTitle, "Import a student's configuration")
        self.heading = QLabel(wordWrap=True)
        bind_text(self, self.heading.setText, "How {file} is read. Nothing changes in the builder until you "
                  "choose Apply.", file=name)
        self.warning = NoteLabel("error")
        self.warning.setWordWrap(True)
        t = self.table = QTableWidget(len(imported.rows), len(HEADERS))
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.verticalHeader().hide()
        t.setWordWrap(False)
        for col, text in enumerate(HEADERS):
            t.setHorizontalHeaderItem(col, QTableWidgetItem())
            bind_text(self, t.horizontalHeaderItem(col).setText, text)
        head = t.horizontalHeader()
        head.setSectionResizeMode(KEY, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Interactive)
        head.setSectionResizeMode(OUTCOME, QHeaderView.ResizeMode.Stretch)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        bind_text(self, self.apply_button.setText, "Apply")
        bind_text(self, self.cancel_button.setText, "Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (self.heading, self.warning, self.table, self.buttons):
            layout.addWidget(w)
        # Enter must not apply what was not understood without a look. (Set once the buttons are
        # the dialog's: before, the button box made Apply the default as it was shown.)
        (self.cancel_button if imported.blocking else self.apply_button).setDefault(True)
        on_language(self, self.fill)
        self.fill()
        self.resize(900, 520)

    def fill(self) -> None:
        blocking = self.imported.blocking
        self.warning.setVisible(bool(blocking))
        if blocking:
            keys = ", ".join(r.key for r in blocking)
            # Each refusal's reason in full under it: it says what to write instead, and the
            # table's cell elides it at the dialog's width.
            reasons = "".join(f"\n{r.key}: {r.reason(translated)}" for r in blocking if r.status == UNSUPPORTED)
            self.warning.setText(plural(len(blocking),
                                        tr("This key may change the training and aegui does not understand it or "
                                           "cannot do it: {keys}. Apply imports the rest without it.", keys=keys),
                                        tr("These keys may change the training and aegui does not understand them "
                                           "or cannot do them: {keys}. Apply imports the rest without them.",
                                           keys=keys)) + reasons)
        bold = QFont(self.table.font())
        bold.setBold(True)
        for i, row in enumerate(self.imported.rows):
            cells = (tr(NOT_IN_FILE) if row.key == NOT_IN_FILE else row.key,
                     "" if row.key == NOT_IN_FILE else show(row.value), row.outcome(translated))
            for col, text in enumerate(cells):
                item = self.table.item(i, col)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(i, col, item)
                item.setText(text)
                item.setToolTip(text)
                if row.blocking:
                    item.setFont(bold)
        # Values as written can be long (a whole layer list): room for the usual, the rest elided.
        self.table.resizeColumnToContents(VALUE)
        self.table.setColumnWidth(VALUE, min(self.table.columnWidth(VALUE), 260))


def confirm_import(parent, imported) -> bool:
    """True when the user applies the import the dialog shows."""
    dialog = ImportDialog(imported, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
