"""What the mouse does on the latent canvas: hover decodes (the newest position, on the next turn of
the event loop and at most once per HOVER_INTERVAL_MS: pacing.Coalesced), a click pins, Shift+click picks the ends of an interpolation, Alt+click rings
a point's nearest neighbours, a right click opens the canvas's own menu (pin, sample from a VAE's
prior, decode, interpolate, arithmetic, export; pyqtgraph's generic one,
Mouse Mode / Plot Options, is turned off), a right-button drag turns a 3-D view, and leaving the
plot takes the cursor's picture away.

Alt+click is only a shortcut: window managers (openbox, XFCE, KDE) take Alt+drag to move windows,
so every action is in the menu too.
"""
from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QMenu

from aegui.qt.i18n import tr
from aegui.qt.workers.pacing import Coalesced

PICK_PX = 20          # px: a click this near a dataset point is on it
CLICK_SLOP_PX = 4     # px: a right press and release closer than this is a click, not a drag


class CanvasMouse(QObject):
    HOVER_INTERVAL_MS = 8     # a 125 Hz mouse's moves each decoded at once; a faster one's folded

    def __init__(self, canvas):
        super().__init__(canvas)
        self.canvas = canvas
        self.pending: QPointF | None = None
        self.scene_pos: QPointF | None = None      # where the mouse rests over the plot
        self.held = False                          # "Decode here": the preview stays until the next move out
        self.menu: QMenu | None = None             # the last menu opened (tests read it)
        self._right_press: QPointF | None = None
        self._rotate_drag: QPointF | None = None
        self.pace = Coalesced(self.flush, self.HOVER_INTERVAL_MS, self)
        plot = canvas.plot
        plot.setMenuEnabled(False)                  # pyqtgraph's own menus: Mouse Mode, Plot Options...
        for action in plot.scene().contextMenu:     # ... and the scene's Export... entry (now, not
            shiboken6.delete(action)                # at a later turn of a loop tests never start)
        plot.scene().contextMenu = []
        scene = plot.scene()
        scene.sigMouseMoved.connect(self.moved)
        scene.sigMouseClicked.connect(self.clicked)
        plot.viewport().installEventFilter(self)
        plot.viewport().setMouseTracking(True)

    # -- hover -----------------------------------------------------------------------------------
    def moved(self, pos: QPointF) -> None:
        self.pending = QPointF(pos)      # only the newest position is decoded
        self.pace()

    def flush(self) -> None:
        pos, self.pending = self.pending, None
        c = self.canvas
        if pos is None or self.held:
            return
        if not c.vb.sceneBoundingRect().contains(pos):
            self.left()
            return
        self.scene_pos = QPointF(pos)
        p = c.vb.mapSceneToView(pos)
        c.hover_at(p.x(), p.y())
        c.codes.hover_point(self.nearest_point(p.x(), p.y()))

    def left(self) -> None:
        """The mouse left the plot: nothing it pointed at stays painted."""
        self.pace.cancel()
        self.pending = self.scene_pos = None
        self.held = False
        self.canvas.cursor_item.hide()
        self.canvas.codes.hover_text.hide()

    # -- clicks ----------------------------------------------------------------------------------
    def clicked(self, ev) -> None:
        c = self.canvas
        # The second press of a double click also arrives here; one pin per gesture is enough.
        if ev.double() or not c.state.ready() or not c.vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = c.vb.mapSceneToView(ev.scenePos())
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            self.open_menu(p.x(), p.y(), ev.screenPos().toPoint())
            return
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        self.held = False
        if ev.modifiers() & Qt.KeyboardModifier.AltModifier:
            c.search.neighbours_at(p.x(), p.y(), PICK_PX)
        elif ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            c.pick_endpoint(p.x(), p.y())
        else:
            c.pin_at(p.x(), p.y())

    def nearest_point(self, x: float, y: float) -> int | None:
        """The dataset point within PICK_PX of view point (x, y), or None."""
        c = self.canvas
        xy = c.projected_codes()
        if len(xy) == 0:
            return None
        sx, sy = c.pixel_size()
        d = np.hypot((xy[:, 0] - x) / sx, (xy[:, 1] - y) / sy)
        k = int(np.argmin(d))
        return k if d[k] <= PICK_PX else None

    # -- the menu --------------------------------------------------------------------------------
    def build_menu(self, x: float, y: float) -> QMenu:
        """The canvas's menu for view point (x, y), in the interface language."""
        c = self.canvas
        menu = QMenu(c)
        k = self.nearest_point(x, y)
        label = c.state.labels[k] if k is not None else None
        near = menu.addAction(tr("Nearest neighbours of '{label}'", label=label) if label is not None
                              else tr("Nearest neighbours (right-click a point)"))
        near.setEnabled(k is not None)
        near.triggered.connect(lambda: c.search.neighbours(k))
        menu.addAction(tr("Pin this point to the tray"), lambda: c.pin_at(x, y))
        # A VAE makes new samples from its prior: here too, not only in the tray under the map.
        sample = menu.addAction(tr("Sample from prior"), lambda: c.sample_prior())
        sample.setEnabled(c.can_sample())
        sample.setToolTip(c.tray.sample_button.toolTip())
        menu.setToolTipsVisible(True)
        menu.addAction(tr("Decode here"), lambda: self.decode_here(x, y))
        if c.glyphs():
            menu.addAction(tr("Decode here into the pixel editor"), lambda: c.send_decode_to_editor(x, y))
        if k is not None:
            menu.addAction(tr("Interpolate from '{label}'", label=label), lambda: c.start_interpolation(k))
            if c.interp_start() is not None and c.interp_start() != k:
                menu.addAction(tr("Interpolate from '{a}' to '{b}'", a=c.state.labels[c.interp_start()], b=label),
                               lambda: c.interpolate(c.interp_start(), k))
        arithmetic = menu.addMenu(tr("Latent arithmetic"))
        for slot in ("a", "b", "c"):
            if k is not None:
                arithmetic.addAction(tr("Use '{label}' as {slot}", label=label, slot=slot),
                                     lambda s=slot: c.arithmetic.pick(s, sample=k))
            else:
                arithmetic.addAction(tr("Use this point as {slot}", slot=slot),
                                     lambda s=slot: c.arithmetic.pick(s, at=(x, y)))
        menu.addSeparator()
        export = menu.addMenu(tr("Export"))
        export.addAction(tr("Latent space (PNG)…"), c.export_png_dialog)
        export.addAction(tr("Latent traversal (PNG)…"), c.export_traversal_dialog)
        menu.addAction(tr("Reset view"), c.reset_view)
        return menu

    def open_menu(self, x: float, y: float, at: QPoint | None = None) -> QMenu:
        self.menu = menu = self.build_menu(x, y)
        menu.popup(at if at is not None else QCursor.pos())
        return menu

    def decode_here(self, x: float, y: float) -> None:
        """Show the decode of (x, y) and keep it while the mouse is over the map."""
        self.canvas.hover_at(x, y)
        self.held = True

    # -- 3-D drags and leaving -------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        t = event.type()
        c = self.canvas
        if not shiboken6.isValid(c.rotate.check) or not shiboken6.isValid(c.cursor_item):
            return False          # the canvas is being taken apart (its children go first)
        if t in (QEvent.Type.Leave, QEvent.Type.Hide):
            self.left()
        elif c.rotate.active() and t in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                                         QEvent.Type.MouseButtonRelease):
            # Right-button drags turn a 3-D view (pyqtgraph would zoom); a right click still
            # opens the menu.
            right = event.button() == Qt.MouseButton.RightButton or event.buttons() & Qt.MouseButton.RightButton
            if t == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.RightButton:
                self._rotate_drag = self._right_press = event.position()
                return True
            if self._rotate_drag is not None and right:
                pos = event.position()
                if t == QEvent.Type.MouseButtonRelease and self._right_press is not None and \
                        (pos - self._right_press).manhattanLength() < CLICK_SLOP_PX:
                    scene = c.plot.mapToScene(pos.toPoint())
                    p = c.vb.mapSceneToView(scene)
                    self.open_menu(p.x(), p.y(), c.plot.viewport().mapToGlobal(pos.toPoint()))
                else:
                    c.rotate.drag(pos.x() - self._rotate_drag.x(), pos.y() - self._rotate_drag.y())
                self._rotate_drag = None if t == QEvent.Type.MouseButtonRelease else pos
                if t == QEvent.Type.MouseButtonRelease:
                    self._right_press = None
                return True
        return super().eventFilter(obj, event)
