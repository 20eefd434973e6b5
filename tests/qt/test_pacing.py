"""The panels' throttles (aegui/qt/pacing.py) are superqt's, made on their first call so that the
window's first paint does not import superqt. Until then there is nothing to cancel; once made,
a throttle calls at once on its leading edge; and it does not keep its panel alive (superqt holds
a bound method weakly too: a panel closed while its throttle waits is freed)."""
import gc
import weakref

from PySide6.QtCore import QObject

from aegui.qt.pacing import debounced, throttled


class Panel(QObject):
    def __init__(self):
        super().__init__()
        self.calls = 0
        self.redraw = throttled(self.draw, 50)
        self.settle = debounced(self.draw, 50)

    def draw(self):
        self.calls += 1


def test_a_throttle_is_made_on_its_first_call_and_calls_at_once(qtbot):
    panel = Panel()
    panel.redraw.cancel()            # nothing made yet: nothing to cancel
    panel.settle.cancel()
    panel.redraw()
    assert panel.calls == 1          # leading edge
    panel.settle()
    assert panel.calls == 1          # trailing: once the calls stop
    qtbot.waitUntil(lambda: panel.calls == 2, timeout=5000)


def test_a_throttle_does_not_keep_its_panel_alive(qtbot):
    # Freed by its reference count alone: automatic collection is off in the app and in these
    # tests (aegui/qt/collector.py). Turning it back on here once left it on for the rest of the
    # session, which died of a segfault some 200 tests later (tests/qt/conftest.py).
    assert not gc.isenabled()
    panel = Panel()
    panel.redraw()
    gone = weakref.ref(panel)
    del panel
    assert gone() is None
