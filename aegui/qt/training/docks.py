"""The training charts' entry in the window's panel table (aegui/qt/perspectives/panels.py): what
brings them forward. Light to import: the window reads it before its first paint, long before the
charts are built."""
from __future__ import annotations


def raise_on_run(window) -> None:
    ws = window.workspace
    # Forward when a run's history starts, in a perspective that has them (never switching to one).
    ws.history_changed.connect(lambda _h: ws.training.busy and window.raise_here("training"))
    # A run's charts gather what only its snapshots carry (a picture model's PSNR): they are
    # built as it starts, wherever the user started it from.
    ws.training_changed.connect(lambda state: state.busy and window.build_panels(["training"]))
