"""Waiting for a paused run, for tests that then read what the run reported."""
from PySide6.QtCore import QCoreApplication

from aegui.core.workspace import state as S


def wait_paused(qtbot, workspace, runner) -> None:
    """The worker is blocked in the gate and what it sent before blocking has reached the
    workspace: no record can come now. Pause marks the workspace paused at once, and the worker
    posts its last records to the GUI thread before it blocks, so seeing it blocked is not yet
    seeing them (beside 4 CPU-bound processes a test read an empty history there): they are
    delivered here."""
    qtbot.waitUntil(lambda: workspace.training.phase == S.PAUSED and runner._gate is not None
                    and runner._gate.waiting, timeout=30000)
    QCoreApplication.sendPostedEvents()
