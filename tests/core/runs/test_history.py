"""One store of a run's progress (aegui.core.train.history): its metrics.csv rows, the columns the
charts draw, a partial epoch in step mode."""
import numpy as np

from aegui.core.train.history import History, metrics_path, read_rows, row, write_rows
from aegui.core.train.progress import FINISHED, TARGET, ProgressRecord


def rec(epoch, k=1, total=0.5, batch=0, batches=0, val=None):
    per = np.full(k, total)
    return ProgressRecord(epoch=epoch, total_epochs=100, losses={"total": total, "recon": total}, loss_per_model=per,
                          max_wrong=2, mean_wrong=0.5, max_wrong_per_model=np.full(k, 2),
                          mean_wrong_per_model=np.full(k, 0.5), glyph_wrong=np.array([0, 2, 1]), best=0,
                          elapsed=epoch * 0.1, epochs_per_s=10.0, val_loss=val, batch=batch, batches=batches)


def test_round_trip_keeps_numbers_and_types(tmp_path):
    rows = [{"epoch": 10, "loss_total": 0.5, "max_wrong_pixels": 3, "mean_wrong_pixels": 1.25},
            {"epoch": 20, "loss_total": 0.25, "loss_kl": 0.1, "max_wrong_pixels": 0, "mean_wrong_pixels": 0.0}]
    path = tmp_path / "metrics.csv"
    write_rows(path, rows)
    back = read_rows(path)
    assert back[0] == rows[0]
    assert back[1] == rows[1]
    assert isinstance(back[1]["epoch"], int) and isinstance(back[1]["max_wrong_pixels"], int)
    assert path.read_text().splitlines()[0] == "epoch,loss_total,max_wrong_pixels,mean_wrong_pixels,loss_kl"


def test_missing_or_damaged_history_is_empty(tmp_path):
    assert read_rows(tmp_path / "nope.csv") == []
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert read_rows(bad) == []
    assert len(History.read(tmp_path / "nope.csv")) == 0


def test_where_the_history_lives(tmp_path):
    assert metrics_path(tmp_path / "run") == tmp_path / "run" / "metrics.csv"
    assert metrics_path(tmp_path / "m.json") == tmp_path / "m.metrics.csv"
    assert metrics_path(tmp_path / "m.safetensors") == tmp_path / "m.metrics.csv"


def test_its_rows_are_the_records_rows_and_survive_the_file(tmp_path):
    h = History(100, 3)
    records = [rec(e, k=3, total=1 / e, val=2 / e) for e in range(1, 200)]   # past the first buffer
    for r in records:
        h.append(r)
    assert len(h) == 199 and h.rows() == [row(r) for r in records]
    np.testing.assert_array_equal(h.epochs(), np.arange(1, 200))
    np.testing.assert_allclose(h.column("val"), [2 / e for e in range(1, 200)])
    assert h.per_model().shape == (199, 3)
    h.write_csv(tmp_path / "metrics.csv")
    again = History.read(tmp_path / "metrics.csv", glyph_wrong=[0, 2, 1], labels="abc")
    assert again.rows() == h.rows()
    assert again.last.state == FINISHED and again.labels == ["a", "b", "c"]
    np.testing.assert_array_equal(again.glyph_wrong, [0, 2, 1])


def test_a_saved_run_that_reached_its_target_early_reads_so(tmp_path):
    """The shipped Font3 model reached 0 wrong pixels at epoch 150 of the 3000 asked for: its
    history must end at 150 of 3000, reached target (it read "Finished, 150 / 150"), and a state
    the sidecar does not know falls back to finished, never to a run still going."""
    h = History(0, 1)
    for e in (50, 100, 150):
        h.append(rec(e, total=1 / e))
    h.write_csv(tmp_path / "metrics.csv")
    again = History.read(tmp_path / "metrics.csv", total_epochs=3000, state=TARGET)
    assert (again.total_epochs, again.last.total_epochs, again.last.epoch) == (3000, 3000, 150)
    assert again.last.state == TARGET
    assert History.read(tmp_path / "metrics.csv", total_epochs=10, state="??").last.state == FINISHED
    assert History.read(tmp_path / "metrics.csv", total_epochs=10).total_epochs == 150


def test_a_partial_epoch_is_the_one_trailing_point_and_never_a_row():
    h = History(100, 1)
    h.append(rec(1, total=0.9))
    h.append(rec(2, total=0.8, batch=1, batches=4))
    assert len(h) == 1 and h.partial is not None and h.last.batch == 1
    np.testing.assert_allclose(h.epochs(), [1, 1.25])
    np.testing.assert_allclose(h.column("total"), [0.9, 0.8])
    h.append(rec(2, total=0.7, batch=2, batches=4))      # replaces the last partial point
    np.testing.assert_allclose(h.epochs(), [1, 1.5])
    assert [r["epoch"] for r in h.rows()] == [1]
    h.append(rec(2, total=0.6))                          # the epoch ends: a row
    assert h.partial is None and [r["epoch"] for r in h.rows()] == [1, 2]
    np.testing.assert_allclose(h.column("total"), [0.9, 0.6])
