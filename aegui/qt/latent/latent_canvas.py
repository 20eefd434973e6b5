"""Latent space explorer: hover to decode, a decoded background map, pin and interpolate,
sample from a VAE's prior; dataset codes as labelled points, thumbnails or class colours.

The widget never sees a model: its owner passes a decoder function (numpy in, numpy out) and
the dataset codes, so it works the same for any architecture and never imports torch. It is
composed of objects with one job each: the background map (latent_map), the codes drawn over it
(latent_codes), the mouse and the canvas's own right-click menu (canvas_mouse), the column beside
the plot (side_column), the search, the replay bar, the 3-D turn, and the tray of pinned /
generated samples under the plot, whose room is kept from the start (tray_room). What they share
(the decoder, the codes and labels, the projection, the interpolation's ends) is one ViewState
(view_state), the canvas's `state`: they read it, and call the canvas's public methods, never its
private members.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QGraphicsPixmapItem, QHBoxLayout, QMessageBox, QTabWidget, QVBoxLayout, QWidget

from aegui.core.schema.kinds import kind_of
from aegui.core.data.display import to_uint8
from aegui.qt.i18n import bind_text, number, number_list, on_language, tr
from aegui.qt.latent.tray.arithmetic_panel import ArithmeticPanel
from aegui.qt.latent.canvas_mouse import CanvasMouse
from aegui.qt.latent.latent_codes import CLASS_COLORS, CodeLayers
from aegui.qt.latent.latent_map import LatentMap, place_image
from aegui.qt.latent.tray.latent_tray import GeneratedTray, InterpolationPanel
from aegui.qt.latent.model_overlays import ModelOverlays
from aegui.qt.latent.tray.replay_bar import ReplayBar
from aegui.qt.latent.view.projection_bar import ProjectionBar
from aegui.qt.latent.side.search_bar import SearchBar
from aegui.qt.latent.side.side_column import SideColumn
from aegui.qt.latent.tray.tray_room import TrayRoom
from aegui.qt.latent.view_state import ViewState
from aegui.qt.latent.view.view_follow import ViewFollow
from aegui.qt.workers.threads import Latest
from aegui.qt.widgets.charts.locale_axis import locale_axes
from aegui.qt.widgets.text.note import NoteLabel, is_dark
from aegui.qt.storage.save_place import remember_folder, save_path
from aegui.qt.widgets.text.pieces import write_explained

# Without this pyqtgraph reads arrays column-major and 7x5 glyphs come out transposed.
pg.setConfigOptions(imageAxisOrder="row-major")

SIDE_WIDTH = 150      # px: the preview and search column beside the plot
IMAGE_SIDE_WIDTH = 176


class LatentCanvas(QWidget):
    pinned = Signal(object, object)      # z (L,), image
    save_requested = Signal(object)      # image
    send_to_editor = Signal(object)      # image
    hovered = Signal(object)             # image decoded under the cursor (the network view lights it)

    CURSOR_PX = 44         # on-screen height of the glyph that follows the cursor
    CURSOR_IMAGE_PX = 64   # ... and of an image

    def __init__(self, parent=None):
        super().__init__(parent)
        self.state = ViewState()     # decoder, codes, projection: what the helpers read
        self._hover_xy = np.zeros((1, 2))
        self._preview: np.ndarray | None = None
        self._last_hover: tuple[float, float] | None = None
        self._vae = False
        self._replay_codes: np.ndarray | None = None  # a replay frame drawn instead of the codes
        self._model = None                            # the workspace's model shown (bind)
        self.workspace = None                         # bound with bind(): it tells the user things
        self._build_ui()
        on_language(self, self._update_state)
        self._apply_palette()
        self._update_state()

    # -- construction ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self._build_plot()
        self._build_layers()
        upper = self._build_upper()
        self._build_tray()
        self._lay_out(upper)
        self._build_helpers()
        self._connect()

    def _build_plot(self) -> None:
        """The plot, the background map and the picture that follows the cursor."""
        self.plot = pg.PlotWidget(background="w", axisItems=locale_axes())
        bind_text(self, self.plot.setStatusTip, "Hover to decode · click to pin · Shift+click two points to "
                                                "interpolate · right-click for more")
        item = self.plot.getPlotItem()
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.15)
        for side in ("left", "bottom"):
            # Without the sub-minor lines: at this alpha they are all but invisible (5/255 at
            # most), and they tripled the cost of every redraw of the axes (a pan, a zoom, the
            # first paint): 27 ms against 8 ms at 900x600.
            item.getAxis(side).setStyle(maxTickLevel=1)
        self.vb = item.getViewBox()
        self.vb.disableAutoRange()  # training updates must not move the user's view
        self.map = LatentMap(self)
        # The preview and the interpolation strip, decoded again when the model changes.
        self._redecodes = Latest(self)
        self.cursor_item = pg.ImageItem()
        self.cursor_item.setBorder(pg.mkPen((60, 60, 60)))
        self.cursor_item.setZValue(20)
        self.cursor_item.hide()
        for it in (self.map.item, self.cursor_item):
            self.plot.addItem(it, ignoreBounds=True)

    def _build_layers(self) -> None:
        """The message over the plot, and what is drawn on the map: the dataset's codes, the
        search's rings, the replay of the codes."""
        self.message = NoteLabel("warning")
        self.codes = CodeLayers(self)
        self.scatter, self.legend, self.prior_item = self.codes.scatter, self.codes.legend, self.codes.prior_item
        self.search = SearchBar(self)
        self.search.attach(self.plot)
        self.replay = ReplayBar(self)

    def _build_upper(self) -> QWidget:
        """The projection bar, the message, the plot with its side column, the replay bar."""
        self.projection_bar = pb = ProjectionBar()
        self.proj_box, self.proj_combo, self.dim_i, self.dim_j, self.rotate = (pb.proj_box, pb.combo, pb.dim_i,
                                                                               pb.dim_j, pb.rotate)
        self.side = sc = SideColumn(self.search)
        self.side.setFixedWidth(SIDE_WIDTH)
        self.map_check, self.reset_button, self.help_button, self.preview = (sc.map_check, sc.reset_button,
                                                                             sc.help_button, sc.preview)
        self.codes_label, self.codes_combo, self.codes_box = sc.codes_label, sc.codes_combo, sc.codes_box
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.plot, 1)
        body.addWidget(self.side)
        upper = QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        ul.setSpacing(2)
        ul.addWidget(self.projection_bar)     # only for latent spaces of more than 2 dimensions
        ul.addWidget(self.message)
        ul.addLayout(body, 1)
        ul.addWidget(self.replay)
        return upper

    def _build_tray(self) -> None:
        """The tabs under the plot: generated samples, the interpolation strip, arithmetic."""
        self.tray = GeneratedTray()
        self.tray.save_requested.connect(self.save_requested)
        self.tray.send_to_editor.connect(self.send_to_editor)
        self.tray.arithmetic_requested.connect(lambda slot, z: self.arithmetic.pick(slot, z=z, name=tr("pin")))
        self.tray.sample_requested.connect(self.sample_prior)
        self.interp = InterpolationPanel()
        self.interp.requested.connect(self.interpolate)
        self.arithmetic = ArithmeticPanel(self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # Its pages are wide (buttons, the strip): left alone they set the canvas's minimum and
        # kept a 1024 px window from holding the pixel editor beside it.
        self.tabs.setMinimumWidth(240)
        self.tabs.addTab(self.tray, "")
        self.tabs.addTab(self.interp, "")
        self.tabs.addTab(self.arithmetic, "")
        bind_text(self, lambda t: self.tabs.setTabText(0, t), "Generated")
        bind_text(self, lambda t: self.tabs.setTabText(1, t), "Interpolation")
        bind_text(self, lambda t: self.tabs.setTabText(2, t), "Arithmetic")

    def _lay_out(self, upper: QWidget) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        self.tray_room = TrayRoom(self, upper, self.tabs)
        lay.addWidget(self.tray_room.split)

    def _build_helpers(self) -> None:
        """The objects with one job each that work on the built canvas: the mouse, following the
        codes, the model's overlays, the redecode after a new model."""
        self.mouse = CanvasMouse(self)
        self.follow = ViewFollow(self)
        self.side.layout().insertWidget(2, self.follow.check)     # under Reset view
        self.overlays = ModelOverlays(self)
        # A new decoder is followed at once by its codes (set_codes), whose latent size may
        # differ: decode what is on screen only after both, in the same event-loop turn.
        self._redecode_timer = QTimer(self, singleShot=True, interval=0)
        self._redecode_timer.timeout.connect(self._redecode)

    def _connect(self) -> None:
        self.vb.sigRangeChanged.connect(self.map.schedule)
        # The cursor's picture stands for what is under the mouse: when the view moves under a
        # still mouse (wheel zoom, a new model's range) it is decoded and sized again.
        self.vb.sigRangeChanged.connect(self._follow_cursor)
        self.vb.sigResized.connect(self._follow_cursor)   # wider tick labels move the view box
        self.vb.sigResized.connect(self.map.schedule)
        self.map_check.toggled.connect(self.map.set_enabled)
        self.codes_combo.currentIndexChanged.connect(lambda _: self._refresh_points(self.state.labels))
        self.tray.changed.connect(self.codes.update_markers)
        self.reset_button.clicked.connect(self.reset_view)
        self.projection_bar.reprojected.connect(self._reproject)
        self.projection_bar.turned.connect(self._on_rotated)

    # -- theme -------------------------------------------------------------------------------
    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()

    def _apply_palette(self) -> None:
        """The plot follows the light or dark theme (pyqtgraph's options reach new plots only)."""
        pal = self.palette()
        dark = is_dark(pal)
        bg, fg = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self.plot.setBackground(bg)
        for name in ("left", "bottom"):
            axis = self.plot.getPlotItem().getAxis(name)
            axis.setPen(fg)
            axis.setTextPen(fg)
        self.codes.set_dark(dark)
        self.codes.set_text_color(fg)
        if self.map.dark != dark:
            self.map.dark = dark
            self.map.schedule()

    # -- the tray ----------------------------------------------------------------------------
    def show_tray(self, page: QWidget) -> bool:
        """That page of the tray in front; whether the tray is on the canvas (tray_room)."""
        return self.tray_room.show_page(page)

    def tray_shown(self) -> bool:
        return self.tray_room.shown()

    def _told_where_the_tray_is(self, shown: bool) -> None:
        """A pin or a sample went to a tray this canvas has no room for: the user is told where it is."""
        if not shown and self.workspace is not None:
            self.workspace.tell("Added to the tray, under the map in the Explore perspective (Ctrl+1).")

    # -- inputs ------------------------------------------------------------------------------
    def set_decoder(self, fn, image_shape, vae: bool = False) -> None:
        """fn(z [M, L] float32) -> [M, *image_shape] in [0, 1]; None means no model. `vae`: the
        model has a N(0, I) prior to sample new images from."""
        self.state.decoder = fn
        shape = tuple(int(s) for s in image_shape)
        if shape != self.state.shape:
            self.map.forget_cost()
        self.state.shape = shape
        self._vae = bool(vae)
        self.tray.set_prior_available(self._vae and fn is not None)
        glyph = max(shape[:2]) <= 8
        # Glyphs: 20 px cells and a grid; images: about 160 px, no grid.
        self.preview.set_grid(glyph)
        self.preview.set_cell_size(20 if glyph else (IMAGE_SIDE_WIDTH - 8) / max(shape[:2]))
        self.side.setFixedWidth(SIDE_WIDTH if glyph else IMAGE_SIDE_WIDTH)   # a picture is worth a bigger preview
        if fn is None:
            self.map.clear()
            self.cursor_item.hide()
        self._update_state()
        self._redecode_timer.start()

    def set_codes(self, codes, labels, autorange: bool = False, images=None) -> None:
        """Dataset codes [N, L]. Cheap; keeps the view unless autorange (or the latent size changed).
        `images` [N, *shape]: the samples themselves, drawn as thumbnails when there are few."""
        codes = np.asarray(codes, dtype=np.float32)
        if codes.ndim == 1:
            codes = codes[:, None]
        labels = [str(s) for s in labels]
        if len(labels) != len(codes):
            raise ValueError(f"{len(codes)} codes but {len(labels)} labels")
        if images is not None and len(images) != len(codes):
            raise ValueError(f"{len(codes)} codes but {len(images)} images")
        self.codes.set_images(images, labels)
        if codes.shape[1] != self.state.codes.shape[1]:
            self.state.codes = codes
            self.projection_bar.configure(codes.shape[1])
            autorange = True
        self.state.codes = codes
        self._update_projection()
        self._refresh_points(labels)
        if labels != self.state.labels:
            self.interp.set_labels(labels)
            self.arithmetic.set_labels(labels)
        self.state.labels = labels
        self.search.set_data(codes, labels, images)
        self._update_state()
        if autorange or self.follow.needs_fit(self.state.xy, self.vb.viewRange()):
            self.reset_view()
        self._redecode()

    def _follow_cursor(self, *_) -> None:
        pos = self.mouse.scene_pos
        if pos is not None and self.cursor_item.isVisible() and self.state.ready() and not self.mouse.held:
            p = self.vb.mapSceneToView(pos)
            try:
                self.hover_at(p.x(), p.y())
            except ValueError:   # a new model whose projection is not set yet (GUI monkey): next move
                pass

    # -- public queries and actions ----------------------------------------------------------
    def latent_size(self) -> int:
        return self.state.latent_size()

    def preview_image(self) -> np.ndarray | None:
        return self._preview

    def map_image(self) -> np.ndarray | None:
        """Last background map: decoded tiles [rows, cols, *image_shape], row 0 at the top."""
        return self.map.tiles

    def busy(self) -> bool:
        """Decodes for what is on screen are still on their way (the map, the strip, the preview)."""
        return self.map.busy() or self._redecodes.busy() or self._redecode_timer.isActive()

    def strip_images(self) -> np.ndarray | None:
        return self.interp.images()

    def projected_codes(self) -> np.ndarray:
        """Where the dataset points are drawn: [N, 2] view coordinates."""
        return self.state.xy

    def lift(self, x: float, y: float) -> np.ndarray:
        """The latent vector [L] that view point (x, y) stands for."""
        return self.state.lift(np.array([[x, y]]))[0]

    def hover_at(self, x: float, y: float) -> np.ndarray | None:
        """Decode view point (x, y): big preview plus a small glyph at the cursor."""
        if not self.state.ready():
            return None
        self._hover_xy[0, 0] = x
        self._hover_xy[0, 1] = y
        z = self.state.lift(self._hover_xy)
        img = self.state.decode(z)[0]
        self._last_hover = (x, y)
        self._show_preview(img, x, y, z[0])
        self.cursor_item.setImage(to_uint8(img), levels=(0, 255))
        sx, sy = self.pixel_size()
        h, w = self.state.shape[:2]
        px = self.CURSOR_PX if max(h, w) <= 8 else self.CURSOR_IMAGE_PX
        gap = 12  # px, keeps the glyph clear of the mouse pointer
        place_image(self.cursor_item, x + gap * sx, y - gap * sy, px * w / h * sx, px * sy, self.state.shape)
        self.cursor_item.show()
        self.hovered.emit(img)
        return img

    def _show_preview(self, img: np.ndarray, x: float, y: float, z: np.ndarray) -> None:
        self._preview = img
        self.preview.set_image(img)
        self.preview.set_caption(self._coords_text(x, y, z))

    def forget_model(self) -> None:
        """Another model: nothing of the last one stays on screen (the hover preview and the
        cursor's picture, the search and its highlights, the tray's pins and samples with their
        markers, the interpolation, the arithmetic, a replay frame)."""
        self._redecodes.cancel()
        self._last_hover = None
        self.mouse.left()
        self._preview = None
        self.preview.set_image(None)
        self.preview.set_caption("")
        self.cursor_item.hide()
        self.state.strip_ends = None
        self.state.interp_start = None
        self.interp.clear_strip()
        self.codes.line_item.setData([], [])
        # Pins, prior samples and arithmetic picks are codes of that model (kept with it: overlays).
        self.tray.clear()
        self.arithmetic.clear()
        self.tabs.setCurrentWidget(self.tray)
        self._replay_codes = None
        self.search.clear()
        self.map.clear()

    def bind(self, workspace) -> None:
        """Show the workspace's current model; ask it to send glyphs on and to light the
        network view's input."""
        self.workspace = workspace
        workspace.current_changed.connect(self._model_changed)
        workspace.current_updated.connect(lambda model: self._show_model(model, False))
        workspace.code_marked.connect(self.search.mark)
        self.send_to_editor.connect(workspace.send_to_editor)
        self.save_requested.connect(lambda image: workspace.save_glyph(image, "latent"))
        self.hovered.connect(workspace.set_input)
        workspace.record_replay = self.replay.recording()
        self.replay.recording_changed.connect(lambda on: setattr(workspace, "record_replay", on))

    def _model_changed(self, model, previous) -> None:
        """Another model on the canvas: what the user put on the map for the last one is kept
        with it, and this one's comes back. A run that ended as `model` is the same model: its
        view, pins and replay position stay."""
        if self.workspace is not None and self.workspace.same_run(previous, model):
            self._model = model
            self._show_model(model, False)
            if model is not None and model.view is not None:
                self.replay.set_store(model.replay, model.shown.labels, live=False)
            return
        self.overlays.stash(self._model)
        self._model = model
        if model is not None and model is self.workspace.live:
            self.follow.run_started()
        self._show_model(model, True)
        self.overlays.restore(model)

    def pin_markers(self) -> np.ndarray:
        """Where the pinned points' markers are drawn: [M, 2] view coordinates."""
        data = self.codes.pin_item.data
        return np.column_stack([data["x"], data["y"]]) if len(data) else np.zeros((0, 2))

    def _show_model(self, model, changed: bool) -> None:
        """`changed`: another model (fit the view, forget the last one's state); else the same
        model's new weights (keep the view)."""
        if changed:
            self.forget_model()
        if model is None or model.view is None:
            self.set_decoder(None, self.state.shape)
            self.set_codes(np.zeros((0, 2), np.float32), [])
            self.replay.set_store(None, [])
            return
        shown = model.shown
        self.set_decoder(model.decoder(), model.shape, vae=kind_of(model).has_kl)

        self.set_codes(model.view.codes, shown.labels, autorange=changed, images=shown.images())
        if changed:
            live = model is self.workspace.live
            self.replay.set_store(model.replay, shown.labels, live=live)

    def pin_at(self, x: float, y: float):
        """Decode (x, y) into the Generated tray; returns (z, image)."""
        if not self.state.ready():
            return None
        z = self.lift(x, y)
        img = self.state.decode(z[None])[0]
        self.tray.add(z, img)
        self._told_where_the_tray_is(self.show_tray(self.tray))
        self.pinned.emit(z.copy(), img.copy())
        return z, img

    def can_sample(self) -> bool:
        """Whether the model on the canvas has a prior to sample new images from (a VAE)."""
        return self.state.ready() and self._vae

    def sample_prior(self, n: int | None = None, seed: int | None = None, replace: bool = False):
        """Decode n points z ~ N(0, I) (seeded) into the Generated tray, first sample leftmost;
        `replace` swaps out the previous batch (Re-roll). Returns (z [n, L], images), or None
        when there is no VAE on the canvas."""
        if not self.can_sample():
            return None
        n = self.tray.count.value() if n is None else int(n)
        seed = self.tray.seed.value() if seed is None else int(seed)
        z = np.random.default_rng(seed).standard_normal((n, self.latent_size())).astype(np.float32)
        images = self.state.decode(z)
        self.tray.add_samples(z, images, replace)
        self._told_where_the_tray_is(self.show_tray(self.tray))
        return z, images

    def codes_mode(self) -> str:
        """How the codes are drawn now: "points", "thumbs" or "classes"."""
        return self.codes_combo.currentData() or "points"

    def set_codes_mode(self, mode: str) -> bool:
        k = self.codes_combo.findData(mode)
        if k >= 0:
            self.codes_combo.setCurrentIndex(k)
        return k >= 0

    def class_colors(self) -> dict[str, tuple[int, int, int]]:
        """Colour of each class while codes are coloured by label (empty otherwise)."""
        if self.codes_mode() != "classes" or not self.codes.classes:
            return {}
        return {c: CLASS_COLORS[k] for k, c in enumerate(self.codes.classes)}

    def thumbnail_items(self) -> list[QGraphicsPixmapItem]:
        return [t for t in self.codes.thumbs if t.isVisible()]

    def traversal_figure(self, n: int = 9, names: tuple[str, str] | None = None):
        """A latent traversal (see figures.latent_traversal) over the visible region: n x n
        decodes along the two axes on screen (the chosen dims or the PCA components)."""
        from aegui.core.analyses.figures import latent_traversal  # Pillow only when a figure is made
        if not self.state.ready():
            return None
        (x0, x1), (y0, y1) = self.vb.viewRange()
        centres = (np.arange(n) + 0.5) / n
        xs, ys = x0 + centres * (x1 - x0), y0 + centres * (y1 - y0)
        L = self.latent_size()
        names = names or self.projection_bar.axis_names()
        return latent_traversal(lambda xy: self.state.decode(self.state.lift(xy)), xs, ys if L > 1 else None,
                                shape=self.state.shape, names=names)

    def export_traversal(self, path, n: int = 9) -> bool:
        fig = self.traversal_figure(n)
        if fig is None:
            return False
        write_explained(path, lambda: fig.save(str(path), format="PNG"))
        return True

    def export_strip_gif(self, path) -> int:
        """The interpolation strip as an animated GIF; returns the number of frames."""
        return self.interp.export_gif(path)

    def reset_view(self) -> None:
        if len(self.state.xy) == 0:
            return
        lo, hi = self.state.xy.min(0), self.state.xy.max(0)
        span = np.maximum(hi - lo, 1e-3)
        if self.latent_size() == 1:
            lo[1], hi[1], span[1] = -0.5 * span[0], 0.5 * span[0], span[0]
        # Extra room right and up: labels sit above-right of their points.
        self.vb.setRange(xRange=(lo[0] - 0.08 * span[0], hi[0] + 0.15 * span[0]),
                         yRange=(lo[1] - 0.08 * span[1], hi[1] + 0.15 * span[1]), padding=0)

    def interpolate(self, a: int | None = None, b: int | None = None, steps: int | None = None):
        """Decode `steps` points on the straight line from code a to code b (dataset indices)."""
        if not self.state.ready():
            return None
        a = self.interp.combo_a.currentIndex() if a is None else int(a)
        b = self.interp.combo_b.currentIndex() if b is None else int(b)
        if steps is not None:
            self.interp.steps.setValue(int(steps))
        if not (0 <= a < len(self.state.codes) and 0 <= b < len(self.state.codes)):
            return None
        self.interp.set_endpoints(a, b)
        self.state.strip_ends = (a, b)
        self.state.interp_start = None
        self._update_strip()
        self.show_tray(self.interp)
        return self.interp.images()

    def export_strip(self, path, scale: int | None = None) -> None:
        """PNG of the strip, `scale` figure pixels per sample pixel (default: about 48 px per
        tile), one sample pixel between tiles, the end labels underneath."""
        self.interp.export(path, scale)

    # -- replay (see replay_bar) -------------------------------------------------------------
    def projection(self) -> tuple[np.ndarray, np.ndarray]:
        """(basis [2, L], origin [L]): view xy = (z - origin) @ basis.T."""
        return self.state.basis.copy(), self.state.origin.copy()

    def project(self, codes) -> np.ndarray:
        """View coordinates [..., 2] of codes [..., L] in the current projection."""
        return self.state.project(codes)

    def show_replay_codes(self, codes) -> None:
        """Draw these codes [N, L] (a replay frame) where the dataset's are, in the same
        projection; None puts the model's own codes back."""
        self._replay_codes = None if codes is None else np.asarray(codes, np.float32)
        if len(self.state.codes) == 0:
            return
        self._update_projection()
        self._refresh_points(self.state.labels)

    def fit_replay(self, codes) -> None:
        """Frame every point of every snapshot [S, N, L], so a replay plays without leaving the view."""
        if len(codes) == 0 or np.shape(codes)[2] != self.latent_size():
            return
        xy = self.project(codes).reshape(-1, 2)
        lo, hi = xy.min(0), xy.max(0)
        span = np.maximum(hi - lo, 1e-3)
        self.vb.setRange(xRange=(lo[0] - 0.08 * span[0], hi[0] + 0.15 * span[0]),
                         yRange=(lo[1] - 0.08 * span[1], hi[1] + 0.15 * span[1]), padding=0)

    # -- 3-D view (see rotate3d) -------------------------------------------------------------
    def _on_rotated(self) -> None:
        """The 3-D view turned: keep the zoom, move the points and decode the new plane."""
        if len(self.state.codes) == 0:
            return
        first = self.rotate.active() and not getattr(self, "_rotated_once", False)
        self._rotated_once = self.rotate.active()
        self._update_projection()
        self._refresh_points(self.state.labels)
        if first:
            self.reset_view()
        self._redecode()

    def _refresh_points(self, labels: list[str]) -> None:
        self.codes.refresh(labels, self.state.labels)
        self.arithmetic.update_marks()

    # -- projection (see projection_bar) -------------------------------------------------------
    def _update_projection(self) -> None:
        s = self.state
        s.basis, s.origin = self.projection_bar.basis(s.codes, s.basis)
        s.xy = s.project(s.codes) if len(s.codes) else np.zeros((0, 2))
        replay = self._replay_codes
        if replay is not None and replay.shape == s.codes.shape:
            s.xy = s.project(replay)
        self.search.refresh()

    def _reproject(self) -> None:
        if len(self.state.codes) == 0:
            return
        self._update_projection()
        self._refresh_points(self.state.labels)
        self.reset_view()
        self._redecode()

    def _update_state(self) -> None:
        if self.state.decoder is None:
            text = tr("No model: build or load one to explore its latent space.")
        elif len(self.state.codes) == 0:
            text = tr("No latent codes yet: train the model or encode the dataset.")
        else:
            text = ""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        ready = not text
        self.interp.set_ready(ready)
        if not ready:
            self._preview = None
            self.preview.set_image(None)
            self.preview.set_caption("")

    def pixel_size(self) -> tuple[float, float]:
        """View units per screen pixel, x and y."""
        sx, sy = self.vb.viewPixelSize()
        if not (np.isfinite(sx) and np.isfinite(sy) and sx > 0 and sy > 0):
            # Not laid out yet (hidden widget): pretend the view is 400 px across.
            (x0, x1), (y0, y1) = self.vb.viewRange()
            sx, sy = (x1 - x0) / 400, (y1 - y0) / 400
        return sx, sy

    def _coords_text(self, x: float, y: float, z: np.ndarray) -> str:
        if len(z) == 1:
            return f"z = {number(z[0], '.2f')}"
        if len(z) == 2:
            return f"z = ({number_list(z[:2], '.2f')})"
        head = number_list(z[:4], ".2f")
        return f"({number_list((x, y), '.2f')})\nz = [{head}{' …' if len(z) > 4 else ''}]"

    def _redecode(self) -> None:
        """The decoder may have changed (training): the cursor's point is decoded again here
        (hover decoding), the rest of what is on screen off the GUI thread."""
        self._redecode_timer.stop()
        self.codes.update_line()
        if not self.state.ready():
            self.codes.line_item.setData([], [])
            return
        if self.arithmetic.has_picks():
            self.arithmetic.refresh()     # four decodes: here, like the hover's
        if self.mouse.scene_pos is not None and self.cursor_item.isVisible():
            self._follow_cursor()        # the mouse's point under the new model and view
            hover = None
        else:
            hover = self._last_hover
        strip = self.state.strip_shown()
        if hover is not None or strip is not None:
            zs = []
            if hover is not None:
                zs.append(self.state.lift(np.array([hover], np.float64)))
            if strip is not None:
                zs.append(self.state.strip_codes(*strip, self.interp.steps.value()))
            sizes = [len(z) for z in zs]
            self._redecodes.submit(self.state.decode, np.concatenate(zs),
                                   on_done=lambda out: self._redecoded(out, hover, strip, sizes))
        self.map.schedule()

    def _redecoded(self, out: np.ndarray, hover, strip, sizes) -> None:
        if not self.state.ready() or out.shape[1:] != self.state.shape:
            return
        parts = np.split(out, np.cumsum(sizes)[:-1])
        if hover is not None and hover == self._last_hover:
            z = self.state.lift(np.array([hover], np.float64))
            self._show_preview(parts.pop(0)[0], *hover, z[0])
        elif hover is not None:
            parts.pop(0)
        if strip is not None and strip == self.state.strip_ends:
            a, b = strip
            self.interp.set_strip(parts[0], (self.state.labels[a], self.state.labels[b]))

    def _update_strip(self) -> None:
        a, b = self.state.strip_ends
        self.interp.set_strip(self.state.decode(self.state.strip_codes(a, b, self.interp.steps.value())), (self.state.labels[a], self.state.labels[b]))
        self.codes.update_line()

    # -- background map ----------------------------------------------------------------------
    def map_tile_count(self) -> int:
        return self.map.tile_count()

    # -- mouse (see canvas_mouse) -------------------------------------------------------------
    def glyphs(self) -> bool:
        return tuple(self.state.shape[:2]) == (7, 5) and len(self.state.shape) == 2

    def pick_endpoint(self, x: float, y: float) -> None:
        """Shift+click: the first point starts an interpolation, the second ends it."""
        k = self.mouse.nearest_point(x, y)
        if k is None:
            return
        if self.state.interp_start is None:
            self.start_interpolation(k)
        else:
            self.interpolate(self.state.interp_start, k)

    def start_interpolation(self, k: int) -> None:
        self.state.interp_start = int(k)
        self.interp.set_endpoints(k)
        self.show_tray(self.interp)

    def interp_start(self) -> int | None:
        return self.state.interp_start

    def send_decode_to_editor(self, x: float, y: float) -> None:
        if self.state.ready():
            self.send_to_editor.emit(self.state.decode(self.lift(x, y)[None])[0].copy())

    # -- exports from the menu ---------------------------------------------------------------
    def export_png(self, path) -> None:
        """The canvas as it is on screen (plot, preview and all)."""
        if not self.grab().save(str(path), "PNG"):
            raise OSError(tr("Could not write {path}: {reason}", path=path, reason=tr("the image could not be saved")))

    def _export_dialog(self, title: str, name: str, write) -> None:
        path = save_path(self, title, name, tr("PNG images (*.png)"), ".png")
        if not path:
            return
        try:
            write(path)
            remember_folder(path)
        except OSError as e:
            QMessageBox.warning(self, title, str(e))

    def export_png_dialog(self) -> None:
        self._export_dialog(tr("Export the latent space"), "latent.png", self.export_png)

    def export_traversal_dialog(self) -> None:
        self._export_dialog(tr("Export a latent traversal"), "traversal.png", self.export_traversal)
