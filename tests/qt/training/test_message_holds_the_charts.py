"""A training message ("Model 4 of 8 reached 0 wrong pixels", a KL warning, why a run diverged)
comes and goes while a run goes on: the charts under it must not move when it does, and they keep
their room (140 px of plot each) at 1024x700 with a long message shown. The message used to be a
note shown and hidden above the charts, which pushed them down and back up and left the loss chart
134 px at 1024x700."""
from aegui.qt.window.layout_check import CHART_LEAST, room
from aegui.qt.window.window_matrix import settle
from tests.qt.training.test_training_panel import make_records

LONG = ("The KL term is near 0 at epoch 3: the codes carry almost nothing of the input (posterior collapse). "
        "Lower the KL weight, or warm it up over the first epochs, and train again.")


def test_a_message_coming_and_going_moves_no_chart(window, qtbot):
    window.arranger.switch("train")
    window.resize(1024, 700)
    settle()
    panel = window.training
    recs = make_records(6, 1, total=100)
    panel.reset(100, 1)
    for r in recs[:2]:
        panel.add_record(r)
    panel.flush()
    settle()
    before = panel.charts.geometry().getRect()
    for i, rec in enumerate(recs[2:]):
        rec.message = LONG if i % 2 == 0 else ""
        panel.add_record(rec)
        panel.flush()
        settle()
        assert (panel.message_box.message() != "") == (i % 2 == 0)
        assert panel.charts.geometry().getRect() == before, f"record {i + 3} moved the charts"
        if panel.message_box.message():
            small = {name: h for name, h in room(window)["charts"].items() if h < CHART_LEAST}
            assert not small, f"with a message shown: {small}"
            # Cut to its lines, whole in the tooltip.
            assert panel.message_box.toolTip() == LONG
