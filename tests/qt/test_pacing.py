"""The panels' throttles (aegui/qt/workers/pacing.py) are superqt's, made on their first call so that the
window's first paint does not import superqt. Until then there is nothing to cancel; once made,
a throttle calls at once on its leading edge; and it does not keep its panel alive (superqt holds
a bound method weakly too: a panel closed while its throttle waits is freed). The hover's
`Coalesced` folds a burst of calls into one with the newest state and makes a call that comes
after its interval wait for nothing (superqt's throttle made each 60 Hz mouse move wait ~16 ms)."""
import gc
import weakref

from PySide6.QtCore import QObject

from aegui.qt.workers.pacing import Coalesced, debounced, throttled


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
    # tests (aegui/qt/workers/collector.py). Turning it back on here once left it on for the rest of the
    # session, which died of a segfault some 200 tests later (tests/qt/conftest.py).
    assert not gc.isenabled()
    panel = Panel()
    panel.redraw()
    gone = weakref.ref(panel)
    del panel
    assert gone() is None


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_coalesced_folds_a_burst_into_one_call_with_the_newest_state(qtbot):
    seen, state = [], {}
    parent = QObject()
    pace = Coalesced(lambda: seen.append(state["pos"]), 8, parent)
    for pos in range(5):               # five moves queued before the loop turns
        state["pos"] = pos
        pace()
    assert seen == []                  # not inside the call: after the queued events
    qtbot.waitUntil(lambda: seen == [4], timeout=5000)


def test_coalesced_makes_a_call_after_the_interval_wait_for_nothing(qtbot):
    """The mouse at 60 Hz against an 8 ms interval: each move runs on the next turn of the loop
    (its timer starts at 0 ms), however the last run's timer went; a move sooner than the interval
    waits only for the rest of it. The clock is a stand-in, so nothing here depends on timing."""
    clock, seen, parent = Clock(), [], QObject()
    pace = Coalesced(lambda: seen.append(clock.now), 8, parent, clock=clock)
    pace()
    assert pace.timer.interval() == 0
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    clock.now += 1 / 60                # the next move, 16.7 ms later
    pace()
    assert pace.timer.isActive() and pace.timer.interval() == 0
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    clock.now += 0.003                 # a move 3 ms after that run
    pace()
    assert pace.timer.interval() == 5  # the 5 ms left of the interval
    pace.cancel()
    assert not pace.timer.isActive()
