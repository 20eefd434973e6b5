"""The workspace's signals (aegui.core.workspace.signals), which every panel binds to: each
callback gets the arguments it takes, in the order connected; a panel that is gone is not called
and not kept alive; a callback that cannot take the event, or an emit with the wrong arguments,
is an error at once rather than a silent drop."""
import gc

import pytest

from aegui.core.workspace.signals import Signal


class Source:
    changed = Signal(object, str)
    ping = Signal()


class Panel:
    def __init__(self):
        self.seen = []

    def on_changed(self, model):
        self.seen.append(model)


def test_each_callback_gets_the_arguments_it_takes_in_the_order_connected():
    src, calls = Source(), []
    src.changed.connect(lambda model, why: calls.append(("both", model, why)))
    src.changed.connect(lambda model: calls.append(("first", model)))
    src.changed.connect(lambda: calls.append(("none",)))
    src.changed.connect(lambda *args: calls.append(("all", *args)))
    src.changed.connect(lambda model, why="", extra=None: calls.append(("defaults", model, why, extra)))
    src.changed.emit("m", "loaded")
    assert calls == [("both", "m", "loaded"), ("first", "m"), ("none",), ("all", "m", "loaded"),
                     ("defaults", "m", "loaded", None)]


def test_a_callable_without_a_readable_signature_gets_every_argument():
    src, got = Source(), []
    src.changed.connect(max)          # a builtin: inspect cannot read its signature
    src.changed.connect(lambda *a: got.append(max(*a)))
    src.changed.emit("a", "b")
    assert got == ["b"]


def test_a_callback_needing_more_than_the_event_gives_is_refused_at_connect():
    src = Source()
    with pytest.raises(TypeError, match="needs 3 argument"):
        src.changed.connect(lambda a, b, c: None)
    with pytest.raises(TypeError, match="keyword argument 'flag'"):
        src.changed.connect(lambda a, *, flag: None)
    assert len(src.changed) == 0


def test_emitting_the_wrong_number_of_arguments_is_an_error():
    src = Source()
    with pytest.raises(TypeError, match="changed gives 2 argument"):
        src.changed.emit("only one")
    with pytest.raises(TypeError):
        src.ping.emit(1)


def test_a_bound_method_is_held_weakly_and_dropped_with_its_object():
    src, panel = Source(), Panel()
    src.changed.connect(panel.on_changed)
    src.changed.emit(1, "x")
    assert panel.seen == [1]
    del panel
    gc.collect()
    assert len(src.changed) == 0
    src.changed.emit(2, "x")          # nothing left to call, no error


def test_a_lambda_is_held_even_when_nothing_else_refers_to_it():
    src, calls = Source(), []

    def connect():
        src.ping.connect(lambda: calls.append("called"))

    connect()
    gc.collect()
    src.ping.emit()
    assert calls == ["called"]


def test_instances_do_not_share_callbacks():
    a, b, calls = Source(), Source(), []
    a.ping.connect(lambda: calls.append("a"))
    b.ping.emit()
    assert calls == [] and Source.ping.name == "ping"


def test_a_callback_connected_during_an_emit_waits_for_the_next_one():
    src, calls = Source(), []

    def first():
        calls.append("first")
        src.ping.connect(lambda: calls.append("late"))

    src.ping.connect(first)
    src.ping.emit()
    assert calls == ["first"]
    src.ping.emit()
    assert calls == ["first", "first", "late"]


def test_an_exception_reaches_the_emitter_and_stops_the_rest():
    src, calls = Source(), []

    def broken():
        raise ValueError("panel failed")

    src.ping.connect(broken)
    src.ping.connect(lambda: calls.append("after"))
    with pytest.raises(ValueError, match="panel failed"):
        src.ping.emit()
    assert calls == []


def test_disconnect_takes_a_callback_off_and_tolerates_one_never_connected():
    """pytest-qt's waitSignal, and anything waiting for one event, connect then disconnect."""
    src, panel, calls = Source(), Panel(), []
    other = lambda: calls.append("other")   # noqa: E731
    src.changed.connect(panel.on_changed)
    src.ping.connect(other)
    src.changed.disconnect(panel.on_changed)     # a new bound-method object, equal to the one connected
    src.changed.disconnect(lambda: None)         # never connected: nothing happens
    src.changed.emit(1, "x")
    src.ping.emit()
    assert panel.seen == [] and calls == ["other"]
    src.ping.disconnect()
    src.ping.emit()
    assert calls == ["other"] and len(src.ping) == 0
