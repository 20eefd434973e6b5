"""Loading and saving the builder's experiment as a config file, from code or through dialogs."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from aegui.core.config.experiment import ConfigError
from aegui.core.config.load import load_experiment
from aegui.qt.i18n import tr


def _atomic_write(path: Path, text: str) -> None:
    # aegui.core.files.storage has the same helper but imports torch; the form must not.
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
    """Mixin of the ModelBuilder: config files in and out; needs `experiment`, `set_experiment`
    and `_info`."""

    def load_config(self, path) -> list[str]:
        """Loads a native or student JSON config; returns the notes (e.g. ignored keys), which are
        also shown under the buttons. Raises ConfigError (naming the field) when it cannot."""
        try:
            exp, notes = load_experiment(path)
        except ConfigError as e:
            self._info(f"{tr('Could not load the configuration')}: {e}", error=True)
            raise
        self.set_experiment(exp)
        self._info(" ".join([tr("Loaded {file}.", file=Path(path).name), *notes]))
        return notes

    def save_config(self, path) -> None:
        """Writes the current experiment as native JSON; raises ConfigError when it is invalid."""
        exp = self.experiment()
        path = Path(path)
        _atomic_write(path, exp.to_json() + "\n")
        self._info(tr("Saved {file}.", file=path.name))

    def _start_dir(self) -> str:
        return self._last_dir or str(Path.home())

    def _load_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Load config…"), self._start_dir(),
                                              tr("Configurations (*.json);;All files (*)"))
        if not path:
            return
        self._last_dir = str(Path(path).parent)
        try:
            self.load_config(path)
        except ConfigError as e:
            QMessageBox.warning(self, tr("Could not load the configuration"), str(e))

    def _save_dialog(self) -> None:
        try:
            exp = self.experiment()
        except ConfigError as e:
            QMessageBox.warning(self, tr("Could not save the configuration"), str(e))
            return
        start = str(Path(self._start_dir()) / f"{exp.name or 'experiment'}.json")
        path, _ = QFileDialog.getSaveFileName(self, tr("Save config…"), start,
                                              tr("Configurations (*.json);;All files (*)"))
        if not path:
            return
        self._last_dir = str(Path(path).parent)
        try:
            self.save_config(path)
        except (ConfigError, OSError) as e:
            QMessageBox.warning(self, tr("Could not save the configuration"), str(e))
