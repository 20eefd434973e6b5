"""The experiments panel, shown at a size its tests read, shut down after each test."""
import pytest


@pytest.fixture
def panel(qtbot, aegui_home):
    from aegui.qt.experiments.experiments_panel import ExperimentsPanel
    p = ExperimentsPanel()
    qtbot.addWidget(p)
    p.resize(900, 650)
    p.show()
    yield p
    p.shutdown()
