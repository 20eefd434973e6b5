"""The glyph library: thumbnails of every saved glyph, rename, delete with undo, send a glyph
back to the editor and export the lot as a course-style font.h."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QPainter, QPalette, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (QFileDialog, QLabel, QLayout, QMenu, QMessageBox, QPushButton,
                               QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from aegui.core.data.library import GlyphLibrary, LibraryEntry
from aegui.qt.i18n import bind_text, on_language, plural, tr
from aegui.qt.widgets.ask import ask_label
from aegui.qt.widgets.glyphs.glyph_view import GlyphView
from aegui.qt.widgets.layout_items import take_widget
from aegui.qt.widgets.text.note import NoteLabel
from aegui.qt.widgets.text.pieces import WrapLabel

VIEW_W = 56        # a little wider than the 41 px glyph so short words fit under it
CELL = 8
PAD = 3            # room around the view for the selection highlight
MUTED_ROLE = QPalette.ColorRole.PlaceholderText
ERROR_COLOR = QColor(176, 32, 32)


class _FlowLayout(QLayout):
    """Lays items out left to right and wraps, so thumbnails and buttons never need more
    width than the widest single item."""

    def __init__(self, parent=None, spacing: int = 4):
        super().__init__(parent)
        self._items = []
        self.setSpacing(spacing)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, i):
        return self._items[i] if 0 <= i < len(self._items) else None

    def takeAt(self, i):
        return self._items.pop(i) if 0 <= i < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize(0, 0)
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, apply: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line_h, gap = area.x(), area.y(), 0, self.spacing()
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            w = max(item.minimumSize().width(), min(hint.width(), area.width()))
            if x > area.x() and x + w > area.right() + 1:
                x, y, line_h = area.x(), y + line_h + gap, 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), QSize(w, hint.height())))
            x += w + gap
            line_h = max(line_h, hint.height())
        return y + line_h - rect.y() + m.bottom()


class _Tile(QWidget):
    """One thumbnail; paints the selection behind its GlyphView."""

    def __init__(self, panel: "LibraryPanel", index: int):
        super().__init__()
        self.panel, self.index, self.selected = panel, index, False
        self.label = ""
        self.view = GlyphView(self, cell_size=CELL, grid=False)
        self.view.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(lambda p: panel.tile_menu(self, p))
        self._fit()

    def _fit(self) -> None:
        view_h = 7 * CELL + 1 + self.view.fontMetrics().height() + 4
        self.view.setGeometry(PAD, PAD, VIEW_W, view_h)
        self.setFixedSize(VIEW_W + 2 * PAD, view_h + 2 * PAD)

    def set_entry(self, entry: LibraryEntry) -> None:
        self.label = entry.label
        self.view.set_image(entry.to_array())
        self.view.set_caption(self.view.fontMetrics().elidedText(entry.label, Qt.TextElideMode.ElideRight,
                                                                 VIEW_W - 4))
        source = tr(entry.source) if entry.source else "?"
        self.setToolTip(tr("“{label}” · {source} · {created}", label=entry.label, source=source,
                           created=entry.created.replace("T", " ")[:16]))

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()

    def mousePressEvent(self, event) -> None:
        self.panel.select_from_tile(self.index)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.panel.select_from_tile(self.index)
            self.panel.send_selected()

    def paintEvent(self, event) -> None:
        if not self.selected:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = self.palette().color(QPalette.ColorRole.Highlight)
        fill = QColor(color)
        fill.setAlpha(70)
        p.setPen(color)
        p.setBrush(fill)
        p.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 4, 4)
        p.end()


class _Grid(QWidget):
    """The scroll area's contents; takes the keyboard for moving through the glyphs."""

    def __init__(self, panel: "LibraryPanel"):
        super().__init__()
        self.panel = panel
        self.flow = _FlowLayout(self, spacing=4)
        self.flow.setContentsMargins(4, 4, 4, 4)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self.flow.heightForWidth(width)

    def keyPressEvent(self, event) -> None:
        if not self.panel.key_pressed(event.key()):
            super().keyPressEvent(event)


# -- undo commands: the library is already changed when a command is pushed ---------------------

def _locate(library: GlyphLibrary, entry: LibraryEntry, hint: int) -> int | None:
    """Where `entry` is now; the hint first, since nothing else normally moves it."""
    entries = library.entries()
    if 0 <= hint < len(entries) and entries[hint] == entry:
        return hint
    return next((i for i, e in enumerate(entries) if e == entry), None)


class _Command(QUndoCommand):
    def __init__(self, panel: "LibraryPanel", text: str):
        super().__init__(text)
        self.panel = panel
        self._pushed = False

    def redo(self) -> None:
        # push() calls redo at once, but the change was made (and could fail) before the push.
        if self._pushed:
            self.panel.replay_change(self.apply)
        self._pushed = True

    def undo(self) -> None:
        self.panel.replay_change(self.revert)


class _AddCommand(_Command):
    def __init__(self, panel, index: int, entry: LibraryEntry):
        super().__init__(panel, tr("Add “{label}”", label=entry.label))
        self.index, self.entry = index, entry

    def apply(self):
        return self.panel.library.insert(self.index, self.entry)

    def revert(self):
        i = _locate(self.panel.library, self.entry, self.index)
        if i is not None:
            self.panel.library.remove(i)
            return min(i, len(self.panel.library) - 1)


class _RemoveCommand(_AddCommand):
    def __init__(self, panel, index: int, entry: LibraryEntry):
        super().__init__(panel, index, entry)
        self.setText(tr("Delete “{label}”", label=entry.label))

    # Deleting is adding played backwards.
    apply, revert = _AddCommand.revert, _AddCommand.apply


class _RenameCommand(_Command):
    def __init__(self, panel, index: int, before: LibraryEntry, after: LibraryEntry):
        super().__init__(panel, tr("Rename “{old}” to “{new}”", old=before.label, new=after.label))
        self.index, self.before, self.after = index, before, after

    def _swap(self, old: LibraryEntry, new: LibraryEntry):
        i = _locate(self.panel.library, old, self.index)
        if i is not None:
            self.panel.library.rename(i, new.label)
            return i

    def apply(self):
        return self._swap(self.before, self.after)

    def revert(self):
        return self._swap(self.after, self.before)


class LibraryPanel(QWidget):
    """Thumbnails of the user's glyph library, with rename, delete (undoable) and export.

    Every change goes through `undo_stack` and is saved at once by GlyphLibrary. Connect a
    "save to library" signal carrying a (7, 5) array to `add_glyph`.
    """

    send_to_editor = Signal(object)     # (7, 5) float32 array
    teach_requested = Signal(object, object, str)   # images (7, 5), labels, source
    library_changed = Signal()

    def __init__(self, parent=None, library: GlyphLibrary | None = None, ask_label: bool = False):
        super().__init__(parent)
        self.library = library if library is not None else GlyphLibrary()
        self.ask_label = ask_label
        self.undo_stack = QUndoStack(self)
        self._tiles: list[_Tile] = []
        self._selected: int | None = None
        self._status: tuple[str, dict, bool] | None = None  # (English text, format args, is error)
        self._export_dir = Path.home()
        self._build()
        for refresh in (self._name_tiles, self._show_info, self._show_warning, self._show_status):
            on_language(self, refresh)
        self._show_status()
        self.refresh()

    # -- construction -----------------------------------------------------------------------
    def _build(self) -> None:
        self.warning_label = NoteLabel("warning")
        self.warning_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty_label = QLabel(wordWrap=True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setForegroundRole(MUTED_ROLE)
        bind_text(self, self.empty_label.setText, "The library is empty. Glyphs saved with “Save to library” in the "
                  "editor or the latent canvas appear here.")

        self.grid = _Grid(self)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.grid)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setMinimumHeight(self.grid.flow.contentsMargins().top() * 2 + 7 * CELL + 40)
        bind_text(self, self.grid.setToolTip, "Click a glyph to select it, double-click to send it to the editor. "
                  "Delete removes it (Ctrl+Z brings it back), F2 renames it.")

        self.rename_button = QPushButton(clicked=lambda: self.rename_selected())
        self.delete_button = QPushButton(clicked=self.delete_selected)
        self.undo_button = QPushButton(clicked=self.undo_stack.undo, enabled=False)
        self.send_button = QPushButton(clicked=self.send_selected)
        self.export_button = QPushButton(clicked=self._export_clicked)
        self.teach_button = QPushButton(clicked=self.teach_all)
        bind_text(self, self.rename_button.setText, "Rename…")
        bind_text(self, self.delete_button.setText, "Delete")
        bind_text(self, self.undo_button.setText, "Undo")
        bind_text(self, self.send_button.setText, "Send to editor")
        bind_text(self, self.export_button.setText, "Export font.h…")
        bind_text(self, self.teach_button.setText, "Teach all")
        bind_text(self, self.teach_button.setToolTip, "Teach the pixel editor's model every glyph of the library at "
                  "once (fine-tuned in the background; the editor shows the progress).")
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.undoTextChanged.connect(self.undo_button.setToolTip)
        buttons = QWidget()
        row = _FlowLayout(buttons, spacing=4)
        row.setContentsMargins(0, 0, 0, 0)
        for b in (self.rename_button, self.delete_button, self.undo_button, self.send_button, self.export_button,
                  self.teach_button):
            row.addWidget(b)
        buttons.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._buttons = buttons

        # Shortcuts only while the focus is inside the panel, so the editor keeps its own Ctrl+Z.
        self.undo_action = QAction(self, shortcut=QKeySequence.StandardKey.Undo, triggered=self.undo_stack.undo)
        self.redo_action = QAction(self, shortcut=QKeySequence.StandardKey.Redo, triggered=self.undo_stack.redo)
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        bind_text(self, self.undo_action.setText, "Undo")
        bind_text(self, self.redo_action.setText, "Redo")

        self.status_label = QLabel(wordWrap=True)
        self.info_label = WrapLabel()
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.9))
        self.info_label.setFont(small)
        self.info_label.setForegroundRole(MUTED_ROLE)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addWidget(self.warning_label)
        lay.addWidget(self.empty_label, 1)
        lay.addWidget(self.scroll_area, 1)
        lay.addWidget(buttons)
        lay.addWidget(self.status_label)
        lay.addWidget(self.info_label)

    def _name_tiles(self) -> None:
        """Each tile's caption and tooltip are written from its entry in the language shown."""
        for tile, entry in zip(self._tiles, self.library.entries()):
            tile.set_entry(entry)

    # -- public API -------------------------------------------------------------------------
    def bind(self, workspace) -> None:
        """Keep the glyphs other panels save; send the chosen one to the editor; ask for the
        editor's model to be taught the whole library."""
        workspace.glyph_save_requested.connect(
            lambda image, source, label: self._keep(image, source, label))
        self.send_to_editor.connect(workspace.send_to_editor)
        self.teach_requested.connect(workspace.teach)

    def add_glyph(self, arr, label: str | None = None, source: str = "drawn") -> int | None:
        """Add a (7, 5) array; returns its index, or None when the user cancels the label.

        Without a label, asks for one if `ask_label`, else files it as '?'.
        """
        if label is None and self.ask_label:
            label = self._ask(tr("Save to library"), "")
            if label is None:
                return None
        label = "?" if label is None else label
        index = self._guard(lambda: self.library.add(np.asarray(arr, np.float32), label, source))
        if index is None:
            return None
        self.undo_stack.push(_AddCommand(self, index, self.library.entry(index)))
        self._after_change(index)
        return index

    def _keep(self, arr, source: str, label: str | None) -> int | None:
        """A glyph another panel saves; one that comes labelled (a glyph taught) and is already
        here under that label is not added again (taught twice, kept once)."""
        if label is not None:
            ink = np.asarray(arr, np.float32).reshape(-1) >= 0.5
            same = next((i for i, e in enumerate(self.library.entries())
                         if e.label == label.strip() and np.array_equal(e.to_array().reshape(-1) >= 0.5, ink)), None)
            if same is not None:
                self.select(same)
                return same
        return self.add_glyph(arr, label=label, source=source)

    def teach_all(self) -> bool:
        """Ask for the pixel editor's model to be taught every glyph of the library."""
        entries = self.library.entries()
        if not entries:
            return False
        self.teach_requested.emit([e.to_array().reshape(7, 5) for e in entries], [e.label for e in entries], "library")
        return True

    def selected(self) -> int | None:
        return self._selected

    def select(self, index: int | None) -> None:
        if index is not None and not 0 <= index < len(self._tiles):
            index = None
        self._selected = index
        for k, tile in enumerate(self._tiles):
            tile.set_selected(k == index)
        if index is not None:
            self.scroll_area.ensureWidgetVisible(self._tiles[index], 4, 4)
        self._update_buttons()

    def rename_selected(self, label: str | None = None) -> bool:
        """Renames the selected glyph; without `label`, asks. True if it changed."""
        i = self._selected
        if i is None:
            return False
        before = self.library.entry(i)
        if label is None:
            label = self._ask(tr("Rename glyph"), before.label)
            if label is None:
                return False
        if self._guard(lambda: self.library.rename(i, label)) is None:
            return False
        after = self.library.entry(i)
        if after == before:
            return False
        self.undo_stack.push(_RenameCommand(self, i, before, after))
        self._after_change(i)
        return True

    def delete_selected(self) -> bool:
        i = self._selected
        if i is None:
            return False
        entry = self._guard(lambda: self.library.remove(i))
        if entry is None:
            return False
        self.undo_stack.push(_RemoveCommand(self, i, entry))
        self._after_change(min(i, len(self.library) - 1) if len(self.library) else None)
        self._set_status("Deleted “{label}”. Undo brings it back.", label=entry.label)
        return True

    def send_selected(self) -> None:
        if self._selected is not None:
            self.send_to_editor.emit(self.library.entry(self._selected).to_array().reshape(7, 5))

    def export(self, path, name: str = "UserFont") -> Path:
        """Write the library as font.h (checked to read back the same); raises on failure."""
        path = self.library.export_font_h(path, name)
        self._set_status("Exported {n} glyphs to {path}.", n=len(self.library), path=str(path))
        return path

    def thumbnails(self) -> list[GlyphView]:
        return [t.view for t in self._tiles]

    def refresh(self) -> None:
        """Show the library as it is now; call after changing `library` from elsewhere."""
        entries = self.library.entries()
        while len(self._tiles) > len(entries):
            tile = self._tiles.pop()
            take_widget(tile, self.grid.flow)
            tile.hide()  # deleteLater waits for the event loop; a grab before then would show it
            tile.deleteLater()
        for k, entry in enumerate(entries):
            if k == len(self._tiles):
                tile = _Tile(self, k)
                self._tiles.append(tile)
                self.grid.flow.addWidget(tile)
                tile.show()
            self._tiles[k].set_entry(entry)
        self.grid.updateGeometry()
        # The hint takes the grid's place, centred where the thumbnails will appear.
        self.empty_label.setVisible(not entries)
        self.scroll_area.setVisible(bool(entries))
        self.select(self._selected)
        self._show_info()
        self._show_warning()

    # -- internals --------------------------------------------------------------------------
    def _after_change(self, select: int | None, keep_status: bool = False) -> None:
        if not keep_status:
            self._status = None
        self._show_status()
        self.refresh()
        self.select(select)
        self.library_changed.emit()

    def _guard(self, action):
        """Runs a library change; a failed save is shown in the panel instead of raised.

        Bad labels (ValueError) still raise: they are the caller's to fix.
        """
        try:
            return action()
        except OSError as e:
            self._set_status("Could not save the library: {error}", error=str(e), error_=True)
            return None

    def replay_change(self, action) -> None:
        """An undo or redo step runs `action` on the library (the undo commands call it)."""
        self._status = None
        result = self._guard(action)
        self._after_change(result if isinstance(result, int) else self._selected, keep_status=True)

    def _ask(self, title: str, current: str) -> str | None:
        return ask_label(self, title, current)

    def select_from_tile(self, index: int) -> None:
        self.select(index)
        self.grid.setFocus(Qt.FocusReason.MouseFocusReason)

    def key_pressed(self, key) -> bool:
        """The grid's keys: arrows, Home/End move; Delete, F2, Enter act. False: not one of them."""
        n = len(self._tiles)
        if not n:
            return False
        cur = self._selected
        step = self._tiles[0].width() + self.grid.flow.spacing()
        per_row = max(1, (self.grid.width() - 8 + self.grid.flow.spacing()) // step)
        moves = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -per_row, Qt.Key.Key_Down: per_row}
        if key in moves:
            self.select(0 if cur is None else max(0, min(n - 1, cur + moves[key])))
        elif key == Qt.Key.Key_Home:
            self.select(0)
        elif key == Qt.Key.Key_End:
            self.select(n - 1)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selected()
        elif key == Qt.Key.Key_F2:
            self.rename_selected()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.send_selected()
        else:
            return False
        return True

    def tile_menu(self, tile: _Tile, pos: QPoint) -> None:
        self.select(tile.index)
        menu = QMenu(self)
        menu.addAction(tr("Rename…"), lambda: self.rename_selected())
        menu.addAction(tr("Delete"), self.delete_selected)
        menu.addAction(tr("Send to editor"), self.send_selected)
        menu.exec(tile.mapToGlobal(pos))

    def _export_clicked(self) -> None:
        start = str(self._export_dir / "font.h")
        path, _ = QFileDialog.getSaveFileName(self, tr("Export font.h"), start, tr("C headers (*.h);;All files (*)"))
        if not path:
            return
        if not Path(path).suffix:
            path += ".h"
        self._export_dir = Path(path).parent
        try:
            self.export(path)
        except (OSError, ValueError) as e:
            QMessageBox.warning(self, tr("Export font.h"), tr("Could not export: {error}", error=str(e)))

    def _update_buttons(self) -> None:
        has = self._selected is not None
        for b in (self.rename_button, self.delete_button, self.send_button):
            b.setEnabled(has)
        self.export_button.setEnabled(len(self.library) > 0)
        self.teach_button.setEnabled(len(self.library) > 0)

    def _set_status(self, text: str, error_: bool = False, **fmt) -> None:
        self._status = (text, fmt, error_)
        self._show_status()

    def _show_status(self) -> None:
        if self._status is None:
            self.status_label.hide()
            return
        text, fmt, error = self._status
        self.status_label.setText(tr(text, **fmt))
        pal = self.status_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, ERROR_COLOR if error else self.palette().color(
            QPalette.ColorRole.WindowText))
        self.status_label.setPalette(pal)
        self.status_label.show()

    def _show_info(self) -> None:
        n = len(self.library)
        count = tr("No glyphs yet") if n == 0 else tr("1 glyph") if n == 1 else tr("{n} glyphs", n=n)
        self.info_label.set_full_text(tr("{count} · stored in {path}", count=count, path=str(self.library.path)))

    def _show_warning(self) -> None:
        lib = self.library
        if not lib.warning:
            self.warning_label.hide()
            return
        if lib.read_only:
            text = tr("The library file {path} could not be used. It is left untouched, and changes will "
                      "not be saved.", path=str(lib.path))
        elif lib.skipped:
            path = str(lib.damaged_path)
            text = plural(lib.skipped, tr("1 damaged glyph in the library file was skipped; the others are here. The "
                                          "original file is kept as {path}.", path=path),
                          tr("{n} damaged glyphs in the library file were skipped; the others are here. The original "
                             "file is kept as {path}.", n=lib.skipped, path=path))
        else:
            text = tr("The library file could not be read. It is kept as {path} and a new, empty library was "
                      "started.", path=str(lib.damaged_path))
        self.warning_label.setText(text)
        self.warning_label.setToolTip(lib.warning)  # the exact reason, in English, from the core
        self.warning_label.show()
