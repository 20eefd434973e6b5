"""Loading and saving the builder's experiment as a config file, from code or through dialogs."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from aegui.core.schema.experiment import ConfigError
from aegui.core.config.load import read_config
from aegui.core.files.paths import presets_dir
from aegui.qt.builder.import_dialog import confirm_import, translated
from aegui.qt.i18n import tr


def _atomic_write(path: Path, text: str) -> None:
    # aegui.core.runs.storage has the same helper but imports torch; the form must not.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ConfigFiles:
    """Config files in and out of `builder` (a ModelBuilder: experiment, set_experiment, say);
    remembers the folder last used, where file dialogs start: Load config… first opens the
    shipped presets (resources/presets), Save config… and the form's file fields the home folder
    (a bundle's presets folder is read-only)."""

    def __init__(self, builder):
        self.builder = builder
        self.last_dir = ""

    def start_dir(self) -> str:
        """Where Save config… and the form's file fields (a font, an image folder) start."""
        last = self.last_dir
        return last if last and Path(last).resolve() != presets_dir().resolve() else str(Path.home())

    def load_start_dir(self) -> str:
        return self.last_dir or str(presets_dir())

    def load(self, path, confirm=None) -> list[str]:
        """Loads a native or student JSON config; returns the notes (how a student's keys were
        read), which are also shown under the buttons. Raises ConfigError (naming the field) when
        it cannot. confirm(imported): shown a student's import first, False leaves all as it was."""
        b = self.builder
        try:
            imported = read_config(path)
        except ConfigError as e:
            b.info(f"{tr('Could not load the configuration')}: {e}", error=True)
            raise
        if confirm is not None and not imported.native and not confirm(imported):
            return []
        b.set_experiment(imported.experiment)
        # Under the buttons, what changed nothing (the whole table was the dialog's).
        b.say("Loaded {file}.", *imported.unused(translated), file=Path(path).name)
        return imported.notes()

    def save(self, path) -> None:
        """Writes the current experiment as native JSON; raises ConfigError when it is invalid."""
        exp = self.builder.experiment()
        path = Path(path)
        _atomic_write(path, exp.to_json() + "\n")
        self.builder.say("Saved {file}.", file=path.name)

    def load_dialog(self) -> None:
        b = self.builder
        path, _ = QFileDialog.getOpenFileName(b, tr("Load config…"), self.load_start_dir(),
                                              tr("Configurations (*.json *.yaml *.yml);;All files (*)"))
        if not path:
            return
        self.last_dir = str(Path(path).parent)
        try:
            self.load(path, confirm=lambda imported: confirm_import(b, imported))
        except ConfigError as e:
            QMessageBox.warning(b, tr("Could not load the configuration"), str(e))

    def save_dialog(self) -> None:
        b = self.builder
        try:
            exp = b.experiment()
        except ConfigError as e:
            QMessageBox.warning(b, tr("Could not save the configuration"), str(e))
            return
        start = str(Path(self.start_dir()) / f"{exp.name or 'experiment'}.json")
        path, _ = QFileDialog.getSaveFileName(b, tr("Save config…"), start,
                                              tr("Configurations (*.json);;All files (*)"))
        if not path:
            return
        self.last_dir = str(Path(path).parent)
        try:
            self.save(path)
        except (ConfigError, OSError) as e:
            QMessageBox.warning(b, tr("Could not save the configuration"), str(e))
