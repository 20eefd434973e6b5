"""File > Models…: the models open in the window, then those saved in the autosave folder and the
shipped ones that are not open; one row each: name, kind, where it is saved, when trained.

Rename (double-click the name, F2, or the button) changes the name in every list at once and, for
a saved model, in its sidecar. Close takes a model out of the window and leaves its files. Delete…
asks first, naming the model and where its files go, then moves them to the trash folder of the
user's data: nothing is unlinked. The shipped demo models can only be closed. Ctrl+Z (and the
Undo button) undoes each of these while the dialog lives; Open opens a saved model.

The columns are sized from their texts (fit_columns): the short ones whole, the names and the
folders sharing the rest. With the names sized to their contents, a taught model's long name left
its folder 50 px ("/t…48"); now a name or a folder too long for its share is elided in its middle
(a name's end tells it apart, a folder's end is its own name) and said whole in its tooltip."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QStyledItemDelegate, QTableWidget, QTableWidgetItem, QToolButton,
                               QVBoxLayout)

from aegui.core.schema.experiment import KIND_LABELS
from aegui.core.files.model_index import saved_models
from aegui.core.files.paths import autosave_dir, models_dir
from aegui.core.runs.trash import trash_dir
from aegui.qt.i18n import bind_text, on_language, tr
from aegui.qt.models.model_commands import Close, Delete, Entry, Rename
from aegui.qt.models.names import numbered, shown_name, title, when_text
from aegui.qt.widgets.ask import question_box

NAME, KIND, WHERE, WHEN, OPEN = range(5)
HEADERS = ("Name", "Kind", "Saved in", "Trained", "In the window")
CELL_PAD = 16       # px beside a cell's text: its margins and the grid line
SHARE_LEAST = 0.4   # of the room left by the short columns, for a name or a folder too long to fit both


class NameDelegate(QStyledItemDelegate):
    """Edits the stored name (the cell shows it translated, with its number) and hands the new one
    over instead of writing it into the cell: the rename itself goes through the workspace."""
    renamed = Signal(int, str)

    def setEditorData(self, editor, index) -> None:
        editor.setText(index.data(Qt.ItemDataRole.UserRole) or "")
        editor.selectAll()

    def setModelData(self, editor, model, index) -> None:
        text = " ".join(editor.text().split())
        if text and text != index.data(Qt.ItemDataRole.UserRole):
            self.renamed.emit(index.row(), text)


class ModelsDialog(QDialog):
    def __init__(self, parent, workspace, files=None):
        super().__init__(parent)
        self.setObjectName("models-dialog")
        self.ws, self.files = workspace, files
        self.entries: list[Entry] = []
        self._stale = False
        self.undo_stack = QUndoStack(self)
        self.confirm_box = None
        self._build()
        workspace.models_changed.connect(self.refresh)
        workspace.current_changed.connect(lambda *_: self.refresh())
        bind_text(self, self.setWindowTitle, "Models")
        on_language(self, self._undo_texts)
        on_language(self, self.refresh)
        self._undo_texts()
        self.refresh()
        self.resize(960, 440)

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        t = self.table = QTableWidget(0, len(HEADERS))
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        t.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        t.verticalHeader().hide()
        t.setWordWrap(False)
        for col, text in enumerate(HEADERS):
            t.setHorizontalHeaderItem(col, QTableWidgetItem())
            bind_text(self, t.horizontalHeaderItem(col).setText, text)
        head = t.horizontalHeader()
        head.setStretchLastSection(False)
        for col in range(len(HEADERS)):       # set by fit_columns, and by the user's dragging
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        self.delegate = NameDelegate(t)
        self.delegate.renamed.connect(lambda row, name: self._renamed(self.entries[row], name))
        self.delegate.closeEditor.connect(lambda *_: self._stale and self.refresh())
        t.setItemDelegateForColumn(NAME, self.delegate)
        t.itemSelectionChanged.connect(self._update_buttons)
        self._viewport = t.viewport()
        self._viewport.installEventFilter(self)

        self.open_button = QPushButton(clicked=lambda: self.open_selected())
        self.rename_button = QPushButton(clicked=lambda: self.rename_selected())
        self.close_button = QPushButton(clicked=lambda: self.close_selected())
        self.delete_button = QPushButton(clicked=lambda: self.delete_selected())
        self.export_button = QPushButton(clicked=lambda: self.export_selected())
        bind_text(self, self.open_button.setText, "Open")
        bind_text(self, self.rename_button.setText, "Rename")
        bind_text(self, self.close_button.setText, "Close model")
        bind_text(self, self.delete_button.setText, "Delete…")
        bind_text(self, self.export_button.setText, "Export…")
        self.undo_action = QAction(self, shortcut=QKeySequence.StandardKey.Undo, enabled=False)
        self.redo_action = QAction(self, shortcut=QKeySequence("Ctrl+Shift+Z"), enabled=False)
        # Not through the stack's own signals: it emits them as the dialog is destroyed.
        self.undo_action.triggered.connect(lambda: self._step(self.undo_stack.undo))
        self.redo_action.triggered.connect(lambda: self._step(self.undo_stack.redo))
        self.delete_action = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.triggered.connect(lambda: self.delete_selected())
        self.addActions([self.undo_action, self.redo_action, self.delete_action])
        self.undo_button, self.redo_button = QToolButton(), QToolButton()
        self.undo_button.setDefaultAction(self.undo_action)
        self.redo_button.setDefaultAction(self.redo_action)

        self.note = QLabel(wordWrap=True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.hide()
        self.trash_label = QLabel(wordWrap=True)
        self.trash_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bind_text(self, self.trash_label.setText, "Deleted models move to {folder}", folder=str(trash_dir()))
        self.buttons = QDialogButtonBox()
        self.done_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        bind_text(self, self.done_button.setText, "Close")
        self.buttons.rejected.connect(self.close)

        row = QHBoxLayout()
        for b in (self.open_button, self.rename_button, self.close_button, self.delete_button, self.export_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.undo_button)
        row.addWidget(self.redo_button)
        lay = QVBoxLayout(self)
        lay.addWidget(t, 1)
        lay.addLayout(row)
        lay.addWidget(self.note)
        lay.addWidget(self.trash_label)
        lay.addWidget(self.buttons)

    # -- the list ------------------------------------------------------------------------------
    def collect(self) -> list[Entry]:
        """The open models in the window's order, then the saved ones not open (autosaves, shipped)."""
        entries = [Entry(m, m.path, m.name, m.kind, m.trained_at) for m in self.ws.models]
        open_paths = {_key(m.path) for m in self.ws.models if m.path is not None}
        for folder in (autosave_dir(), models_dir()):
            for s in saved_models(folder):
                if _key(s.path) not in open_paths:
                    entries.append(Entry(None, s.path, s.name, s.kind, s.trained_at))
        return entries

    def refresh(self) -> None:
        """Fill again, once any name being edited is done (filling would end the edit); closed, when
        shown next (it reads every autosaved sidecar)."""
        if not self.isVisible() or self.table.state() == QAbstractItemView.State.EditingState:
            self._stale = True
            return
        self.fill()

    def fill(self) -> None:
        self._stale = False
        chosen = self.selected()
        self.entries = self.collect()
        t = self.table
        t.setRowCount(len(self.entries))
        bold = QFont(t.font())
        bold.setBold(True)
        for r, e in enumerate(self.entries):
            texts = (self.name_text(e), tr(KIND_LABELS.get(e.kind, e.kind)), self.where_text(e),
                     when_text(e.trained_at) if e.trained_at is not None else "", "✓" if e.is_open else "")
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if col == NAME and self.can_rename(e):
                    flags |= Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags)
                if col == NAME:
                    item.setData(Qt.ItemDataRole.UserRole, e.name)
                    item.setToolTip(title(e.model) if e.is_open else text)
                if col == WHERE and e.path is not None:
                    item.setToolTip(str(e.path))
                if e.is_open and e.model is self.ws.current:
                    item.setFont(bold)      # the model the window shows
                t.setItem(r, col, item)
        self.fit_columns()
        keep = next((r for r, e in enumerate(self.entries) if chosen is not None and _same(e, chosen)), -1)
        if keep >= 0:
            t.selectRow(keep)
        else:
            t.clearSelection()
        self._update_buttons()

    def column_needs(self) -> list[int]:
        """Each column's width for its header and its longest text, whole."""
        t = self.table
        fm, head_fm = t.fontMetrics(), t.horizontalHeader().fontMetrics()
        bold = QFont(t.font())
        bold.setBold(True)
        bold_fm = QFontMetrics(bold)      # the row of the model shown is bold
        needs = []
        for col in range(t.columnCount()):
            header = t.horizontalHeaderItem(col).text()
            cells = [t.item(r, col).text() for r in range(t.rowCount()) if t.item(r, col) is not None]
            needs.append(max([head_fm.horizontalAdvance(header) + 2 * CELL_PAD]
                             + [bold_fm.horizontalAdvance(c) + CELL_PAD for c in cells]))
        return needs

    def fit_columns(self) -> None:
        """The short columns whole; the names and the folders whole when the room holds both, else
        sharing it in proportion to their lengths, each at least SHARE_LEAST of it."""
        t = self.table
        needs = self.column_needs()
        room = t.viewport().width()
        rest = max(200, room - sum(needs[c] for c in (KIND, WHEN, OPEN)))
        name, where = needs[NAME], needs[WHERE]
        if name + where > rest:
            least = int(rest * SHARE_LEAST)
            name = min(name, max(least, rest * name // (name + where)))
            where = max(least, rest - name)
            name = rest - where
        for col, width in enumerate(needs):
            t.setColumnWidth(col, {NAME: name, WHERE: max(where, rest - name)}.get(col, width))

    def preferred_size(self, screen: QSize) -> QSize:
        """Wide enough for every column whole, within `screen` (its available area)."""
        frame = self.width() - self.table.viewport().width()
        return QSize(min(max(960, sum(self.column_needs()) + frame), screen.width() - 40), min(440, screen.height() - 40))

    def eventFilter(self, watched, event) -> bool:
        # The table's own viewport, not the dialog: resized before it is shown, the dialog got its
        # resize event while the table still had its old width, and the columns were fitted to that
        # (names elided beside 100-580 px of empty table).
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def name_text(self, e: Entry) -> str:
        name = shown_name(e.name)
        if e.is_open and numbered(e.model):
            return tr("{name} #{number}", name=name, number=e.model.number)
        return name

    def where_text(self, e: Entry) -> str:
        if e.path is None:
            return tr("not saved")
        if e.shipped:
            return tr("shipped with aegui")
        return str(e.path)

    def selected(self) -> Entry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows and rows[0].row() < len(self.entries) else None

    def select(self, entry_or_model) -> None:
        """Select the row of an Entry or of an open TrainedModel."""
        r = next(i for i, e in enumerate(self.entries) if e is entry_or_model or e.model is entry_or_model)
        self.table.selectRow(r)

    def row_of(self, model) -> int:
        return next(i for i, e in enumerate(self.entries) if e.model is model)

    # -- what each button may do -----------------------------------------------------------------
    @staticmethod
    def can_rename(e: Entry) -> bool:
        return not e.shipped

    def _update_buttons(self) -> None:
        e = self.selected()
        checks = (
            (self.open_button, e is not None and not e.is_open,
             tr("Open the selected model in the window") if e is None or not e.is_open else tr("Already open")),
            (self.rename_button, e is not None and self.can_rename(e),
             tr("A model shipped with aegui keeps its name") if e is not None and e.shipped
             else tr("Give the selected model another name (F2)")),
            (self.close_button, e is not None and e.is_open,
             tr("Take the selected model out of the window; its files stay where they are")),
            (self.delete_button, e is not None and not e.shipped and e.path is not None,
             tr("A model shipped with aegui can be closed, not deleted") if e is not None and e.shipped
             else tr("Not saved: close it instead") if e is not None and e.path is None
             else tr("Move the selected model's files to the trash folder (Del)")),
            (self.export_button, e is not None and (e.is_open or e.path is not None) and self.files is not None,
             tr("Write the selected model as a Python script, a notebook, an ONNX model or a web page")),
        )
        for button, on, tip in checks:
            button.setEnabled(on)
            button.setToolTip(tip)
        self.delete_action.setEnabled(self.delete_button.isEnabled())

    def _undo_texts(self) -> None:
        stack = self.undo_stack
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())
        self.undo_action.setText(tr("Undo {what}", what=stack.undoText()) if stack.canUndo() else tr("Undo"))
        self.redo_action.setText(tr("Redo {what}", what=stack.redoText()) if stack.canRedo() else tr("Redo"))

    # -- doing it -------------------------------------------------------------------------------
    def open_selected(self) -> None:
        e = self.selected()
        if e is not None and not e.is_open and self.files is not None:
            self.files.open_model(e.path)

    def export_selected(self) -> None:
        e = self.selected()
        if e is not None and self.files is not None:
            self.files.export_model_dialog(e.name, model=e.model if e.is_open else None, saved=e.path)

    def rename_selected(self) -> None:
        e = self.selected()
        if e is not None and self.can_rename(e):
            self.table.editItem(self.table.item(self.entries.index(e), NAME))

    def _renamed(self, entry: Entry, name: str) -> None:
        # After the editor has closed: the rename fills the table again.
        QTimer.singleShot(0, lambda: self._push(Rename(self.ws, entry, name)))

    def close_selected(self) -> None:
        e = self.selected()
        if e is not None and e.is_open:
            self._push(Close(self.ws, e))

    def delete_selected(self) -> None:
        e = self.selected()
        if e is None or not self.delete_button.isEnabled():
            return
        name = self.name_text(e)
        detail = [tr("Its files move from {path} to the trash folder {trash}. Nothing is erased: you can move "
                     "them back from there, or press Ctrl+Z in this window.", path=str(e.path), trash=str(trash_dir()))]
        if e.is_open and e.model is self.ws.current:
            detail.append(tr("It is the model the window shows: another one is shown instead."))
        box = question_box(self, tr("Delete “{name}”?", name=name), "\n\n".join(detail),
                           tr("Move to the trash"), tr("Keep it"))
        box.finished.connect(lambda _r, box=box, e=e: self._confirmed(box, e))
        self.confirm_box = box
        box.open()

    def _confirmed(self, box, entry: Entry) -> None:
        self.confirm_box = None
        box.deleteLater()
        if box.clickedButton() is box.do_button:
            forget = self.files.forget if self.files is not None else (lambda path: None)
            self._push(Delete(self.ws, entry, forget))

    def _push(self, command) -> None:
        self.undo_stack.push(command)
        if command.error:
            self.say(tr("Could not do it: {error}", error=command.error))
        elif isinstance(command, Delete):
            self.say(tr("Moved to {folder}", folder=str(command.trashed.folder)))
        else:
            self.say("")
        self._undo_texts()
        self.refresh()

    def _step(self, move) -> None:
        """Undo or redo one command, and say so if its files could not follow."""
        index = self.undo_stack.index()
        move()
        done = self.undo_stack.command(min(index, self.undo_stack.index()))
        error = getattr(done, "error", None)
        self.say(tr("Could not do it: {error}", error=error) if error else "")
        self._undo_texts()
        self.refresh()

    def say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))


def _key(path) -> str:
    """The same model whether it was opened as its folder or as its sidecar."""
    path = Path(path)
    sidecar = path.with_suffix(".json") if path.suffix in (".json", ".safetensors") else path / "model.json"
    return str(sidecar.resolve())


def _same(a: Entry, b: Entry) -> bool:
    if a.model is not None or b.model is not None:
        return a.model is b.model
    return a.path == b.path


def show_models_dialog(window, workspace, files, dialog: ModelsDialog | None = None) -> ModelsDialog:
    """Show File > Models… (the one made before, if any: its undo history goes on)."""
    if dialog is None:
        dialog = ModelsDialog(window, workspace, files)
        screen = window.screen() if window is not None else None
        dialog.fill()
        if screen is not None:
            dialog.resize(dialog.preferred_size(screen.availableSize()))
    dialog.fill()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog

