"""Files the window opens and writes: models, fonts and datasets (by dialog, path or the recent
list), and the exports of the panels. Opening runs off the GUI thread; saving writes what the CLI
writes (aegui.core.runs.trained.TrainedModel.save)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from aegui.core.files.paths import autosave_dir
from aegui.qt.workers import threads
from aegui.qt.i18n import tr

MAX_RECENT = 8
IDX_FILTER = "IDX files (*idx*ubyte *idx*ubyte.gz *.idx *.gz);;All files (*)"
EXPORT_NAMES = {"charts": "training.png", "csv": "training.csv", "latent": "latent.png",
                "strip": "interpolation.png", "strip_gif": "interpolation.gif",
                "recon_grid": "reconstructions.png", "traversal": "traversal.png"}


def _is_idx_images(path: Path) -> bool:
    from aegui.core.schema.experiment import ConfigError
    from aegui.core.data.data_shape import idx_header
    try:
        idx_header(path)
    except ConfigError:
        return False
    return True


class FileActions(QObject):
    """What File > Open / Save / Export do. `window` parents the dialogs, holds the panels whose
    pictures are exported and the settings that keep the last folder and the recent files."""

    def __init__(self, window, workspace):
        super().__init__(window)
        self.window, self.ws = window, workspace
        self.data_warning_box: QMessageBox | None = None

    @property
    def settings(self):
        return self.window.settings

    # -- places -----------------------------------------------------------------------------------
    def start_dir(self) -> str:
        # Read untyped: a byte array there made the str conversion raise UnicodeDecodeError.
        last = self.settings.value("last_dir")
        return last if isinstance(last, str) and last else str(Path.home())

    def remember(self, path) -> None:
        path = str(Path(path).resolve())
        self.settings.setValue("last_dir", str(Path(path).parent))
        recent = [p for p in self.recent() if p != path]
        self.settings.setValue("recent", ([path] + recent)[:MAX_RECENT])

    def recent(self) -> list[str]:
        # Only text: a damaged settings file can hold byte arrays here (tests/qt/test_fuzz_settings.py).
        return [p for p in self.settings.value("recent", [], list) or [] if isinstance(p, str) and p]

    def forget(self, path) -> None:
        """A model's files left (moved to the trash): not offered in Recent files, not reopened at start."""
        gone = str(Path(path).resolve())
        self.settings.setValue("recent", [p for p in self.recent() if p != gone])
        last = self.settings.value("last_model")
        if isinstance(last, str) and last == gone:
            self.settings.remove("last_model")

    def fill_recent(self, menu) -> None:
        menu.clear()
        recent = self.recent()
        if not recent:
            menu.addAction(tr("(none)")).setEnabled(False)
        for p in recent:
            menu.addAction(p, lambda p=p: self.open_path(p))
        menu.addSeparator()
        menu.addAction(tr("Clear list"), lambda: self.settings.setValue("recent", []))

    # -- opening ----------------------------------------------------------------------------------
    def open_path(self, path: str) -> None:
        """Whatever was picked opens as what it is: a font.h, a folder of pictures, an IDX file, a model."""
        p = Path(path)
        w = self.window
        if str(path).endswith(".h"):
            w.docks["builder"].raise_()
            if not w.builder.set_font_path(path):
                QMessageBox.warning(w, tr("Cannot use this font file"), w.builder.last_font_error)
                return
            self.remember(path)
        elif p.is_dir() and not (p / "model.json").exists():
            self.open_dataset("folder", path)
        elif p.is_file() and _is_idx_images(p):
            self.open_dataset("idx", path)
        else:
            self.open_model(path)

    def open_dataset(self, source: str, path) -> None:
        """Train on a folder of pictures or an IDX images file: the builder switches to it
        (nothing is read until Train, and then off the GUI thread)."""
        w = self.window
        w.builder.set_source(source, str(path))
        w.docks["builder"].show()
        w.docks["builder"].raise_()
        self.remember(path)

    def _ask_open(self, title: str, filters: str):
        path, _ = QFileDialog.getOpenFileName(self.window, tr(title), self.start_dir(), tr(filters))
        return path

    def open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self.window, tr("Image folder…"), self.start_dir())
        if path:
            self.open_dataset("folder", path)

    def open_idx_dialog(self) -> None:
        path = self._ask_open("IDX images file…", IDX_FILTER)
        if path:
            self.open_dataset("idx", path)

    def open_font_dialog(self) -> None:
        path = self._ask_open("Open font.h…", "Font files (*.h);;All files (*)")
        if path:
            self.open_path(path)

    def open_model_dialog(self) -> None:
        path = self._ask_open("Open model…", "Model files (*.json *.safetensors)")
        if path:
            self.open_path(path)

    def open_model(self, path) -> None:
        from aegui.core.runs.trained import open_trained

        def done(model):
            if model.dataset.warnings:
                self.show_data_warnings(model.dataset.warnings)
            self.ws.add(model)
            self.remember(path)
            self.settings.setValue("last_model", str(Path(path).resolve()))

        def failed(error):
            QMessageBox.critical(self.window, tr("Could not open the model"), threads.error_text(error))

        threads.run_task(open_trained, path, on_done=done, on_error=failed, receiver=self.window)

    def show_data_warnings(self, warnings: list[str]) -> None:
        """What loading left out (unreadable pictures, characters the font lacks), in one message that does not stop
        training from starting."""
        if self.data_warning_box is not None:
            self.data_warning_box.close()
        box = QMessageBox(QMessageBox.Warning, tr("Some of the data was left out"), "\n\n".join(warnings),
                          QMessageBox.Ok, self.window)
        box.setWindowModality(Qt.NonModal)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.finished.connect(lambda *_, b=box: self.data_warning_box is b and setattr(self, "data_warning_box", None))
        box.show()
        self.data_warning_box = box

    # -- saving -----------------------------------------------------------------------------------
    def save_model(self) -> bool:
        model = self.ws.current
        if model is None or model is self.ws.live:
            self.ws.tell("No model to save yet.")
            return False
        if model.path is None or model.path.is_relative_to(autosave_dir()) or model.demo:
            return self.save_model_as()
        return self.save_to(model, model.path)

    def save_model_as(self) -> bool:
        model = self.ws.current
        if model is None or model is self.ws.live:
            self.ws.tell("No model to save yet.")
            return False
        default = str(Path(self.start_dir()) / "model.json")
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Save model as…"), default,
                                              tr("Model files (*.json *.safetensors)"))
        return bool(path) and self.save_to(model, Path(path))

    def save_to(self, model, path: Path) -> bool:
        try:
            saved = model.save(path)
        except Exception as e:   # noqa: BLE001 - disk full, permissions...
            QMessageBox.critical(self.window, tr("Could not save the model"), f"{path}: {e}")
            return False
        self.ws.mark_saved(model, saved)
        self.remember(path)
        self.settings.setValue("last_model", str(Path(path).resolve()))
        self.ws.tell("Saved {path}", path=str(path))
        return True

    # -- exports ----------------------------------------------------------------------------------
    def export_script_dialog(self) -> None:
        """File > Export model as…: the model shown, in the format its file name's suffix picks."""
        model = self.ws.current
        if model is None or model is self.ws.live:
            self.ws.tell("No model to export yet.")
            return
        self.export_model_dialog(model.name, model=model)

    def export_model_dialog(self, name: str, model=None, saved=None) -> None:
        """The file dialog of Export model as… for an open model (a TrainedModel) or a saved one (its
        folder or .json), one filter a format (aegui.core.export.formats), the file written on a
        worker; a name without a suffix gets the chosen filter's. A failure is one sentence."""
        from aegui.core.export import ExportError, check_target, export_model, export_saved, formats
        kinds = formats()
        filters = [tr("{title} (*{suffix})", title=tr(f.title), suffix=f.suffix) for f in kinds]
        stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower()).strip("-") or "model"
        default = str(Path(self.start_dir()) / f"{stem}{kinds[0].suffix}")
        path, chosen = QFileDialog.getSaveFileName(self.window, tr("Export model as…"), default, ";;".join(filters))
        if not path:
            return
        if not Path(path).suffix:      # a suffix no format has is refused below, not doubled
            picked = filters.index(chosen) if chosen in filters else 0
            path += kinds[picked].suffix

        def failed(error):
            QMessageBox.warning(self.window, tr("Could not export the model"), threads.error_text(error))
        try:
            check_target(path)          # a folder, an unknown suffix: said before any work
        except ExportError as e:
            failed(e)
            return

        def done(exported):
            self.remember(exported.script)
            self.ws.tell("Exported {path}", path=str(exported.script))

        if model is not None:
            threads.run_task(export_model, model.model, model.experiment, model.dataset, path, False, model.name,
                             on_done=done, on_error=failed, receiver=self.window)
        else:
            threads.run_task(export_saved, saved, path, on_done=done, on_error=failed, receiver=self.window)

    def export_dialog(self, what: str) -> None:
        filt = {"csv": tr("CSV files (*.csv)"), "strip_gif": tr("GIF animations (*.gif)")}.get(
            what, tr("PNG images (*.png)"))
        default = str(Path(self.start_dir()) / EXPORT_NAMES[what])
        path, _ = QFileDialog.getSaveFileName(self.window, tr("Export"), default, filt)
        if path:
            suffix = Path(default).suffix
            if not path.lower().endswith(suffix):
                path += suffix
            try:
                self.export(what, path)
            except OSError as e:
                QMessageBox.warning(self.window, tr("Could not export"), str(e))

    def export(self, what: str, path) -> bool:
        w = self.window
        if what == "charts":
            w.training.export_png(path)
        elif what == "csv":
            w.training.export_csv(path)
        elif what == "latent":
            w.latent.grab().save(str(path))
        elif what in ("strip", "strip_gif"):
            if w.latent.strip_images() is None:
                self.ws.tell("Nothing to export yet.")
                return False
            (w.latent.export_strip if what == "strip" else w.latent.export_strip_gif)(path)
        elif what in ("recon_grid", "traversal"):
            ok = w.recon.export_grid(path) if what == "recon_grid" else w.latent.export_traversal(path)
            if not ok:
                self.ws.tell("Nothing to export yet.")
                return False
        self.remember(path)
        return True
