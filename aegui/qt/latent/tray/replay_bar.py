"""Under the latent canvas: replay how the codes moved while the model trained.

A time slider over the recorded snapshots (aegui.core.train.snapshots), a play button, the epoch
and loss of the frame shown, and export as an animated GIF or PNG frames. While a run records,
the slider grows; at its right end the canvas follows the live codes.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMenu, QPushButton, QSlider, QToolButton, QWidget

from aegui.qt.i18n import bind_text, number, on_language, plural, tr
from aegui.qt.storage.save_place import remember_folder, save_path, start_folder
from aegui.qt.widgets.text.pieces import ElidedLabel, write_explained


class ReplayBar(QWidget):
    frame_shown = Signal(int)       # index of the snapshot on the canvas (-1: the model's own codes)
    exported = Signal(str)          # a sentence for the status bar
    recording_changed = Signal(bool)  # record a replay of the next runs or not

    FRAME_MS = 150
    POLL_MS = 500                   # how often a recording run's new snapshots reach the slider

    def __init__(self, canvas, parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.store = None
        self.labels: list[str] = []
        self.live = False
        self._shown = -1
        self.play_button = QPushButton()
        self.play_button.setCheckable(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setMinimumWidth(40)
        self.info = ElidedLabel()            # cut to what room there is; the tooltip has it all
        # Recording and export share one menu button: the row is narrow at 1280 px.
        self.menu_button = QToolButton()
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bind_text(self, self.menu_button.setText, "Replay")
        bind_text(self, self.menu_button.setToolTip, "Keep snapshots of every sample's code while training, to "
                                                     "replay how the latent space formed")
        menu = QMenu(self.menu_button)
        self.act_record = menu.addAction("")
        bind_text(self, self.act_record.setText, "Record replay")
        bind_text(self, self.act_record.setToolTip, "Keep snapshots of every sample's code while training, to "
                                                    "replay how the latent space formed")
        self.act_record.setCheckable(True)
        self.act_record.setChecked(True)
        self.act_record.toggled.connect(self.recording_changed)
        menu.addSeparator()
        self.act_gif = menu.addAction("", self.export_gif_dialog)
        bind_text(self, self.act_gif.setText, "Animated GIF…")
        self.act_png = menu.addAction("", self.export_png_dialog)
        bind_text(self, self.act_png.setText, "PNG frames…")
        self.menu_button.setMenu(menu)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w, stretch in ((self.play_button, 0), (self.slider, 2), (self.info, 3), (self.menu_button, 0)):
            lay.addWidget(w, stretch)
        self._play_timer = QTimer(self, interval=self.FRAME_MS)
        self._play_timer.timeout.connect(self._next_frame)
        self._poll = QTimer(self, interval=self.POLL_MS)
        self._poll.timeout.connect(self._grow)
        self.slider.valueChanged.connect(self._slid)
        self.play_button.toggled.connect(self._play_toggled)
        on_language(self, self._name_play_button)
        on_language(self, self._update_info)
        self._name_play_button()
        self._update()

    def _name_play_button(self) -> None:
        self.play_button.setText(tr("Pause") if self.play_button.isChecked() else tr("Play"))

    # -- inputs ----------------------------------------------------------------------------------
    def recording(self) -> bool:
        return self.act_record.isChecked()

    def set_store(self, store, labels, live: bool = False) -> None:
        """Snapshots to replay (None: none); `live`: a run is still adding to them."""
        if store is self.store and live == self.live:
            return
        self.play_button.setChecked(False)
        self.store, self.labels, self.live = store, [str(s) for s in labels], bool(live)
        if live:
            self._poll.start()
        else:
            self._poll.stop()
        self._show(-1, force=True)
        self._update(to_end=True)

    def count(self) -> int:
        return 0 if self.store is None else len(self.store)

    def shown_index(self) -> int:
        return self._shown

    # -- frames ----------------------------------------------------------------------------------
    def show_frame(self, k: int) -> None:
        """Put snapshot k on the canvas (the slider moves there too)."""
        self.slider.setValue(int(k))
        self._slid(int(k))

    def _slid(self, k: int) -> None:
        n = self.count()
        if n == 0:
            return
        # The right end is the model itself: live codes while training, the final model after.
        at_end = k >= n - 1 and not self.play_button.isChecked()
        self._show(-1 if at_end else k)

    def _show(self, k: int, force: bool = False) -> None:
        if k == self._shown and not force:
            return
        self._shown = k
        snaps = self.store.snapshots() if (self.store is not None and k >= 0) else []
        self.canvas.show_replay_codes(snaps[k].codes if 0 <= k < len(snaps) else None)
        self._update_info()
        self.frame_shown.emit(k)

    def _grow(self) -> None:
        if self.store is None:
            return
        was_end = self.slider.value() >= self.slider.maximum()
        self._update(to_end=was_end)

    def _update(self, to_end: bool = False) -> None:
        n = self.count()
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, n - 1))
        if to_end:
            self.slider.setValue(max(0, n - 1))
        self.slider.blockSignals(False)
        has = n >= 2
        for w in (self.play_button, self.slider, self.act_gif, self.act_png):
            w.setEnabled(has)
        self._update_info()

    def _update_info(self) -> None:
        n = self.count()
        if n == 0:
            self.info.setText(tr("No replay: train a model here to record one."))
            return
        snaps = self.store.snapshots()
        k = self._shown if 0 <= self._shown < len(snaps) else len(snaps) - 1
        s = snaps[k]
        text = tr("Epoch {epoch} · loss {loss}", epoch=s.epoch, loss=number(s.loss, ".3g"))
        self.slider.setToolTip(tr("Drag to see the codes at an earlier moment of training") + "\n" +
                               tr("Snapshot {k} of {n}", k=k + 1, n=len(snaps)))
        if self._shown < 0 and self.live:
            text = tr("Live") + " · " + text
        self.info.setText(text)

    # -- playing ---------------------------------------------------------------------------------
    def _play_toggled(self, on: bool) -> None:
        self._name_play_button()
        if on:
            if self.slider.value() >= self.slider.maximum():
                self.slider.setValue(0)
            self.canvas.fit_replay(self.store.arrays()[0])
            self._slid(self.slider.value())
            self._play_timer.start()
        else:
            self._play_timer.stop()
            self._slid(self.slider.value())

    def _next_frame(self) -> None:
        k = self.slider.value() + 1
        if k > self.slider.maximum():
            self.play_button.setChecked(False)
            return
        self.slider.setValue(k)

    # -- export ----------------------------------------------------------------------------------
    def export(self, path, size: int = 480) -> int:
        """The replay as a .gif, or PNG frames in a folder, drawn in the canvas's projection."""
        from aegui.core.analyses.replay import export
        basis, origin = self.canvas.projection()
        count = 0

        def write():
            nonlocal count
            count = export(self.store, self.labels, path, basis, origin, size, self.FRAME_MS)
        write_explained(path, write)
        self.exported.emit(plural(count, tr("Wrote 1 frame to {path}", path=str(path)),
                                  tr("Wrote {n} frames to {path}", n=count, path=str(path))))
        return count

    def export_gif_dialog(self) -> None:
        # The title says what is saved (the menu entry's "…" is no title); the dialog opens where
        # the last export went, else in Pictures, never in the folder the app was started from.
        path = save_path(self, tr("Save the replay as an animated GIF"), "latent-replay.gif", "GIF (*.gif)", ".gif")
        if path:
            self._export_explained(path)

    def export_png_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, tr("Folder for the PNG frames"), start_folder())
        if path:
            self._export_explained(path)

    def _export_explained(self, path) -> None:
        from PySide6.QtWidgets import QMessageBox
        try:
            self.export(path)
            remember_folder(path)
        except OSError as e:
            QMessageBox.warning(self, tr("Export replay"), str(e))
