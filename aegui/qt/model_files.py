"""Files the main window opens and writes: models, fonts and datasets (by dialog, path or the
recent list) and the exports of the panels."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from aegui.qt.i18n import tr
from aegui.qt.models import ModelEntry

# Models trained in this session that the model list keeps; older ones stay autosaved on disk.
# Without a bound, a class demo that trains all afternoon grows the window's memory without end
# (bench/soak.py: +6.8 % in 10 minutes with 874 models in the list).
MAX_SESSION_MODELS = 30

MAX_RECENT = 8


def _is_idx_images(path: Path) -> bool:
    from aegui.core.config.experiment import ConfigError
    from aegui.core.data.data_shape import idx_header
    try:
        idx_header(path)
    except ConfigError:
        return False
    return True


class ModelFiles:
    """Mixin of the MainWindow: opening, saving and exporting."""

    def _forget_old_runs(self) -> None:
        """Drop the oldest autosaved models trained here beyond MAX_SESSION_MODELS from the list
        (never the one shown, the editor's or a running one)."""
        keep = (self.current, self.editor_entry, self.live)
        trained = [e for e in self.entries if e.trained is not None and e.path is not None]
        old = [e for e in trained if not any(e is k for k in keep)]
        drop = {id(e) for e in old[:max(0, len(trained) - MAX_SESSION_MODELS)]}
        if drop:
            self.entries = [e for e in self.entries if id(e) not in drop]
            self.statusBar().showMessage(tr("Older models of this session left the list; they stay in {path} "
                                            "(File > Open model).", path=str(self._autosave_dir())), 6000)

    def _start_dir(self) -> str:
        # Read untyped: a byte array there made the str conversion raise UnicodeDecodeError.
        last = self.settings.value("last_dir")
        return last if isinstance(last, str) and last else str(Path.home())

    def _remember(self, path) -> None:
        path = str(Path(path).resolve())
        self.settings.setValue("last_dir", str(Path(path).parent))
        recent = [p for p in self._recent() if p != path]
        self.settings.setValue("recent", ([path] + recent)[:MAX_RECENT])

    def _recent(self) -> list[str]:
        # Only text: a damaged settings file can hold byte arrays here (tests/qt/test_fuzz_settings.py).
        return [p for p in self.settings.value("recent", [], list) or [] if isinstance(p, str) and p]

    def _fill_recent(self) -> None:
        menu = self.menu_recent
        menu.clear()
        recent = self._recent()
        if not recent:
            menu.addAction(tr("(none)")).setEnabled(False)
        for p in recent:
            menu.addAction(p, lambda p=p: self.open_path(p))
        menu.addSeparator()
        menu.addAction(tr("Clear list"), lambda: self.settings.setValue("recent", []))

    def open_path(self, path: str) -> None:
        p = Path(path)
        if path.endswith(".h"):
            self.docks["builder"].raise_()
            if not self.builder.set_font_path(path):
                QMessageBox.warning(self, tr("Cannot use this font file"), self.builder.last_font_error)
                return
            self._remember(path)
        elif p.is_dir() and not (p / "model.json").exists():
            self.open_dataset("folder", path)
        elif p.is_file() and _is_idx_images(p):
            self.open_dataset("idx", path)
        else:
            self.open_model(path)

    def open_dataset(self, source: str, path) -> None:
        """Train on a folder of pictures or an IDX images file: the builder switches to it
        (nothing is read until Train, and then off the GUI thread)."""
        self.builder.set_source(source, str(path))
        self.docks["builder"].show()
        self.docks["builder"].raise_()
        self._remember(path)

    def open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("Image folder…"), self._start_dir())
        if path:
            self.open_dataset("folder", path)

    def open_idx_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("IDX images file…"), self._start_dir(),
            tr("IDX files (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;All files (*)"))
        if path:
            self.open_dataset("idx", path)

    def open_font_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open font.h…"), self._start_dir(),
                                              tr("Font files (*.h);;All files (*)"))
        if path:
            self.open_path(path)

    def open_model_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("Open model…"), self._start_dir(),
                                              tr("Model files (*.json *.safetensors)"))
        if path:
            # Whatever was picked opens as what it is (a font.h, an IDX file, a folder of pictures).
            self.open_path(path)

    def open_model(self, path) -> None:
        from aegui.qt.models import open_model

        def done(entry):
            if entry.dataset.warnings:
                self._show_data_warnings(entry.dataset.warnings)
            self.add_entry(entry)
            self._remember(path)
            self.settings.setValue("last_model", str(Path(path).resolve()))

        def failed(message):
            QMessageBox.critical(self, tr("Could not open the model"), message)

        self.tasks.run(open_model, path, on_done=done, on_error=failed)

    def save_model(self) -> bool:
        entry = self.current
        if entry is None or entry is self.live:
            self.statusBar().showMessage(tr("No model to save yet."), 4000)
            return False
        if entry.path is None or entry.path.is_relative_to(self._autosave_dir()) \
                or "(demo)" in entry.name:
            return self.save_model_as()
        return self._save_to(entry, entry.path)

    def save_model_as(self) -> bool:
        entry = self.current
        if entry is None or entry is self.live:
            self.statusBar().showMessage(tr("No model to save yet."), 4000)
            return False
        default = str(Path(self._start_dir()) / "model.json")
        path, _ = QFileDialog.getSaveFileName(self, tr("Save model as…"), default,
                                              tr("Model files (*.json *.safetensors)"))
        return bool(path) and self._save_to(entry, Path(path))

    def _save_to(self, entry: ModelEntry, path: Path) -> bool:
        from aegui.qt.models import save_entry
        try:
            entry.path = save_entry(entry, path)
        except Exception as e:   # noqa: BLE001 - disk full, permissions...
            QMessageBox.critical(self, tr("Could not save the model"), f"{path}: {e}")
            return False
        entry.dirty = False
        self._remember(path)
        self.settings.setValue("last_model", str(Path(path).resolve()))
        self.statusBar().showMessage(tr("Saved {path}", path=str(path)), 5000)
        self._fill_combo()
        return True

    def _export(self, what: str) -> None:
        filt = {"csv": tr("CSV files (*.csv)"), "strip_gif": tr("GIF animations (*.gif)")}.get(
            what, tr("PNG images (*.png)"))
        default = str(Path(self._start_dir()) / {
            "charts": "training.png", "csv": "training.csv", "latent": "latent.png",
            "strip": "interpolation.png", "strip_gif": "interpolation.gif",
            "recon_grid": "reconstructions.png", "traversal": "traversal.png"}[what])
        path, _ = QFileDialog.getSaveFileName(self, tr("Export"), default, filt)
        if path:
            suffix = Path(default).suffix
            if not path.lower().endswith(suffix):
                path += suffix
            try:
                self.export(what, path)
            except OSError as e:
                QMessageBox.warning(self, tr("Could not export"), str(e))

    def export(self, what: str, path) -> bool:
        if what == "charts":
            self.training.export_png(path)
        elif what == "csv":
            self.training.export_csv(path)
        elif what == "latent":
            self.latent.grab().save(str(path))
        elif what in ("strip", "strip_gif"):
            if self.latent.strip_images() is None:
                self.statusBar().showMessage(tr("Nothing to export yet."), 4000)
                return False
            if what == "strip":
                self.latent.export_strip(path)
            else:
                self.latent.export_strip_gif(path)
        elif what in ("recon_grid", "traversal"):
            ok = self.recon.export_grid(path) if what == "recon_grid" else self.latent.export_traversal(path)
            if not ok:
                self.statusBar().showMessage(tr("Nothing to export yet."), 4000)
                return False
        self._remember(path)
        return True

    def _autosave_dir(self) -> Path:
        from aegui.core.files.paths import user_data_dir
        return user_data_dir() / "autosave"
