"""How often the training thread stops to make the window's view of the model: at most 4 times a
second, and within a tenth of its time, so a big model whose view takes long trains on while a small
one is still shown at every chance. A clock of our own stands for the time: nothing here waits."""
from __future__ import annotations

from types import SimpleNamespace

from aegui.core.workspace.run import SNAPSHOT_INTERVAL, VIEW_SHARE, LiveViews


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run(view_takes: float, epoch_takes: float, epochs: int, paused_at=()):
    """The epochs at which a view was made, and the share of the time views took."""
    clock = Clock()
    made = []

    def view(epoch):
        made.append(epoch)
        clock.now += view_takes
        return f"view {epoch}"
    control = SimpleNamespace(pausing=False)
    live = LiveViews(view, control, bars=None, clock=clock)
    for epoch in range(1, epochs + 1):
        clock.now += epoch_takes
        control.pausing = epoch in paused_at
        live.on_record(None, SimpleNamespace(epoch=epoch, done=False, extra={}, glyph_wrong=[]))
    shots = [item.view for item in live.take() if item.view is not None]
    assert shots == [f"view {e}" for e in made]
    return made, len(made) * view_takes / clock.now


def test_a_quick_view_comes_at_every_chance_four_times_a_second():
    made, share = run(view_takes=0.001, epoch_takes=0.3, epochs=20)
    assert made == list(range(1, 21))
    made, _ = run(view_takes=0.001, epoch_takes=0.05, epochs=40)
    assert 8 <= len(made) <= 40 * 0.05 / SNAPSHOT_INTERVAL + 1


def test_a_slow_view_takes_at_most_its_share_of_the_training_thread():
    made, share = run(view_takes=0.4, epoch_takes=0.5, epochs=100)
    assert made[0] == 1                     # the first view comes at once
    assert share <= VIEW_SHARE * 1.1        # one view of 0.4 s per 4 s at most, not one an epoch
    assert len(made) >= 10                  # and views keep coming: about every 8 epochs


def test_a_pause_shows_the_model_at_once_whatever_the_share():
    made, _ = run(view_takes=0.4, epoch_takes=0.5, epochs=10, paused_at=(3, 4))
    assert 3 in made and 4 in made
