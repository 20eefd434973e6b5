"""What File > Models… does to a model, as undoable commands (Ctrl+Z in the dialog): rename it,
close it (out of the window, its files stay), delete it (its files move to the trash folder of the
user's data, aegui.core.runs.trash). The files change through the core; the list through the
workspace, so every panel shows the change at once.

A command that could not do its work (a read-only folder) keeps the reason in `error`, changes
nothing and marks itself obsolete, so the undo stack drops it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QUndoCommand

from aegui.core.runs import trash
from aegui.core.files.paths import models_dir
from aegui.qt.i18n import tr


@dataclass(eq=False)
class Entry:
    """One model of the list: open in the window (`model`), saved (`path`), or both."""
    model: object = None        # TrainedModel when open
    path: Path | None = None    # where it is saved (a folder or a NAME.json)
    name: str = ""
    kind: str = "ae"
    trained_at: float | None = None

    @property
    def shipped(self) -> bool:
        """One of the demo models in aegui's models/: closed, never renamed or deleted."""
        if self.model is not None and self.model.demo:
            return True
        return self.path is not None and Path(self.path).resolve().is_relative_to(models_dir().resolve())

    @property
    def is_open(self) -> bool:
        return self.model is not None


class Command(QUndoCommand):
    def __init__(self, text: str):
        super().__init__(text)
        self.error: str | None = None

    def _failed(self, error: Exception) -> None:
        self.error = str(error)
        self.setObsolete(True)


class Rename(Command):
    def __init__(self, ws, entry: Entry, name: str):
        super().__init__(tr("rename “{old}” to “{new}”", old=entry.name, new=name))
        self.ws, self.entry, self.old, self.new = ws, entry, entry.name, name

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)

    def _apply(self, name: str) -> None:
        from aegui.core.runs.storage import rename_model
        self.error = None
        try:
            if self.entry.path is not None and not self.entry.shipped:
                rename_model(self.entry.path, name)
        except (OSError, ValueError) as e:
            return self._failed(e)
        self.entry.name = name
        if self.entry.model is not None:
            self.ws.rename(self.entry.model, name)


class Close(Command):
    """Out of the window; its files (if saved) stay where they are."""

    def __init__(self, ws, entry: Entry):
        super().__init__(tr("close “{name}”", name=entry.name))
        self.ws, self.entry = ws, entry
        self.index, self.was_current = 0, False

    def redo(self) -> None:
        self.was_current = self.ws.current is self.entry.model
        self.index = self.ws.remove(self.entry.model)

    def undo(self) -> None:
        self.ws.restore(self.entry.model, self.index, current=self.was_current)


class Delete(Command):
    """Its files into the trash folder (and out of the window if open); undo moves them back."""

    def __init__(self, ws, entry: Entry, forget=lambda path: None):
        super().__init__(tr("delete “{name}”", name=entry.name))
        self.ws, self.entry, self.forget = ws, entry, forget
        self.trashed: trash.Trashed | None = None
        self.close = Close(ws, entry) if entry.is_open else None

    def redo(self) -> None:
        self.error = None
        try:
            self.trashed = trash.move_to_trash(self.entry.path, self.entry.name)
        except OSError as e:
            return self._failed(e)
        self.forget(self.entry.path)
        if self.close is not None:
            self.close.redo()

    def undo(self) -> None:
        self.error = None
        try:
            trash.restore(self.trashed)
        except OSError as e:
            self.error = str(e)
            return
        if self.close is not None:
            self.close.undo()
