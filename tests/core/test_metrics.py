from aegui.core.files.metrics import metrics_path, read_metrics, write_metrics


def test_round_trip_keeps_numbers_and_types(tmp_path):
    rows = [{"epoch": 10, "loss_total": 0.5, "max_wrong_pixels": 3, "mean_wrong_pixels": 1.25},
            {"epoch": 20, "loss_total": 0.25, "loss_kl": 0.1, "max_wrong_pixels": 0, "mean_wrong_pixels": 0.0}]
    path = tmp_path / "metrics.csv"
    write_metrics(path, rows)
    back = read_metrics(path)
    assert back[0] == rows[0]
    assert back[1] == rows[1]
    assert isinstance(back[1]["epoch"], int) and isinstance(back[1]["max_wrong_pixels"], int)
    assert path.read_text().splitlines()[0] == "epoch,loss_total,max_wrong_pixels,mean_wrong_pixels,loss_kl"


def test_missing_or_damaged_history_is_empty(tmp_path):
    assert read_metrics(tmp_path / "nope.csv") == []
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert read_metrics(bad) == []


def test_where_the_history_lives(tmp_path):
    assert metrics_path(tmp_path / "run") == tmp_path / "run" / "metrics.csv"
    assert metrics_path(tmp_path / "m.json") == tmp_path / "m.metrics.csv"
    assert metrics_path(tmp_path / "m.safetensors") == tmp_path / "m.metrics.csv"
