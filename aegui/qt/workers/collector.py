"""Python's cycle collector, run in the GUI thread only.

Automatic collection runs in whichever thread happens to allocate. Run in a worker thread, it
can free a dead window's widgets there while the GUI thread holds a Qt lock their destructor
needs: a deadlock (gdb on a hung test run: a QMenu freed in the training thread). So automatic
collection is off and a timer in the GUI thread collects, by the same thresholds Python uses.

Once the app has loaded, what is alive (torch, the window, the demo models: ~220,000 objects)
is frozen out of later collections: a full collection then takes under 1 ms instead of ~120 ms,
which would otherwise stall the GUI every time one came due.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000

_collector: _Collector | None = None


class _Collector(QObject):
    def __init__(self):
        super().__init__()
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect_due)
        self.timer.start(INTERVAL_MS)

    def collect_due(self) -> int | None:
        """Collects the oldest generation whose count is past its threshold (and the younger
        ones with it), as automatic collection would have; the generation, or None."""
        counts = gc.get_count()
        due = None
        for gen in range(3):
            if counts[gen] <= self.thresholds[gen]:
                break
            due = gen
        if due is not None:
            gc.collect(due)
        return due


def start() -> None:
    """From the GUI thread, before any worker thread starts; later calls do nothing."""
    global _collector
    if _collector is None:
        _collector = _Collector()


def freeze_survivors() -> None:
    """Collect once, then leave everything still alive out of later collections."""
    gc.collect()
    gc.freeze()
