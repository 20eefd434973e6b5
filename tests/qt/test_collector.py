"""aegui.qt.workers.collector: cycles are collected by the GUI thread's timer, as Python would have."""
import gc
import weakref

from aegui.qt.workers import collector


class _Cycle:
    pass


def _garbage(n):
    refs = []
    for _ in range(n):
        c = _Cycle()
        c.me = c
        refs.append(weakref.ref(c))
    return refs


def test_a_generation_past_its_threshold_is_collected_and_freed():
    collector.start()
    gc.collect()
    refs = _garbage(2 * gc.get_threshold()[0])
    assert all(r() is not None for r in refs)     # automatic collection is off
    assert collector._collector.collect_due() == 0
    assert all(r() is None for r in refs)
    assert collector._collector.collect_due() is None   # nothing due right after


def test_the_loaded_window_freezes_what_survived_startup(window, qtbot):
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 10_000, timeout=5000)
    refs = _garbage(10)                            # later garbage is still collected
    gc.collect()
    assert all(r() is None for r in refs)
