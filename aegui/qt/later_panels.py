"""The panels the window builds when they are first reached rather than before its first paint,
and how each is made (its module is imported only then)."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

# Panels the Explore perspective (the first one shown) does not show: built when first reached
# (their perspective shown, their dock opened, a menu action or a test asking the window for them),
# not before the first paint. Always before their dock is laid out, so nothing moves when they come.
LATER = ("builder", "experiments", "analyses", "compare", "training", "recon", "network", "draw", "explain")
# Of those, tabs behind another panel wait until their tab is raised, not until their perspective
# is shown: the Explore perspective's own Draw and Explain tabs are not built before the first
# paint either. Their minimum sizes fit in what the tab in front already asks of its column, so a
# panel coming in on a raised tab moves nothing (tests/qt/test_panels_built_when_reached.py).
ON_RAISE = ("network", "draw", "explain")


def make_panel(key: str) -> QWidget:
    """A new panel for the dock `key` (one of LATER)."""
    if key == "builder":
        from aegui.qt.builder.model_builder import ModelBuilder
        return ModelBuilder()
    if key == "experiments":
        from aegui.qt.experiments.experiments_panel import ExperimentsPanel
        return ExperimentsPanel()
    if key == "analyses":
        from aegui.qt.analyses.analyses_panel import AnalysesPanel
        return AnalysesPanel()
    if key == "training":
        from aegui.qt.training.training_panel import TrainingPanel
        return TrainingPanel()
    if key == "recon":
        from aegui.qt.training.reconstructions import ReconstructionsPanel
        return ReconstructionsPanel()
    if key == "network":
        from aegui.qt.network.network_view import NetworkView
        return NetworkView()
    if key == "draw":
        from aegui.qt.editor.image_canvas import DrawPanel
        return DrawPanel()
    if key == "explain":
        from aegui.qt.explain.explain_panel import ExplainPanel
        return ExplainPanel()
    if key == "compare":
        from aegui.qt.compare.compare_panel import ComparePanel
        return ComparePanel()
    raise KeyError(f"no panel is built later for the dock {key!r}")
