"""Expected preset times as bench/preset_times.py measures them: one table per machine class,
this machine's class (or the nearest one measured) chosen to show, quick = a minute or less; the
shipped file names its class and holds real measurements of the sweep presets."""
import json
import subprocess
import sys
from pathlib import Path

from aegui.core.analyses.preset_times import (QUICK_S, expected_times, machine_class, read_times, record_time,
                                              times_path)
from aegui.core.analyses.presets import list_presets
from aegui.core.analyses.report.run import preset_documents

ROOT = Path(__file__).resolve().parents[3]


def test_times_are_kept_per_machine_class_and_the_nearest_class_is_named(tmp_path):
    path = tmp_path / "preset_times.json"
    two = machine_class(cores=2, gpu=None)
    sixteen_gpu = machine_class(cores=16, gpu="NVIDIA H100")
    record_time(path, two, "seed000-loss", {"seconds": 31.2}, "2026-01-02")
    record_time(path, two, "vae-latent-emoji", {"seconds": 250.0}, "2026-01-02")
    record_time(path, sixteen_gpu, "seed000-loss", {"seconds": 9.0}, "2026-01-03")
    raw = json.loads(path.read_text())
    assert set(raw["classes"]) == {"cpu-2", "cpu-16-cuda"}
    assert raw["classes"]["cpu-16-cuda"]["machine"].startswith("16 CPU cores") and "H100" in \
        raw["classes"]["cpu-16-cuda"]["machine"]
    mine = expected_times(path, machine_class(cores=2, gpu=None))
    assert mine.exact and mine.key == "cpu-2" and mine.seconds("seed000-loss") == 31.2
    assert mine.quick("seed000-loss") and not mine.quick("vae-latent-emoji") and mine.seconds("other") is None
    # A 4-core machine without a GPU: the 2-core table (no GPU either) is nearest, and not its own.
    near = expected_times(path, machine_class(cores=4, gpu=None))
    assert not near.exact and near.key == "cpu-2" and near.machine.startswith("2 CPU cores")
    assert expected_times(path, machine_class(cores=8, gpu="RTX")).key == "cpu-16-cuda"
    assert expected_times(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert read_times(tmp_path / "bad.json") == {"classes": {}}


def test_the_shipped_times_were_measured_by_the_bench_for_the_sweep_presets():
    data = read_times(times_path(ROOT / "resources"))
    assert data["classes"], "resources/preset_times.json: run bench/preset_times.py --record"
    sweeps = {p.stem for p in list_presets(ROOT / "resources") if p.kind == "sweep"}
    for key, table in data["classes"].items():
        assert table["machine"] and table["cores"] >= 1 and table["cpu"] and table["measured"], key
        for stem, row in table["presets"].items():
            assert stem in sweeps, stem
            assert row["seconds"] > 0 and row["cpu_seconds"] >= 0 and "load_before" in row, (stem, row)
    assert QUICK_S == 60


def test_the_bench_records_a_preset_under_this_machine_s_class(tmp_path, monkeypatch):
    """The bench's --record writes the file the menu reads (a 5 s stated sweep, copied aside)."""
    res = tmp_path / "resources"
    (res / "sweeps").mkdir(parents=True)
    (res / "analyses").mkdir()
    (res / "sweeps" / "tiny.json").write_text(json.dumps({
        "name": "tiny", "description": "tiny", "time_2cores_s": 30, "seeds": 1,
        "base": {"name": "tiny", "data": {"fonts": ["Font3"]}, "model": {"layers": [35, 8, 2, 8, 35]},
                 "train": {"epochs": 5, "check_every": 5, "device": "cpu"}},
        "vary": {"train.learning_rate": [0.01, 0.02]}}))
    code = ("import sys; sys.argv = ['preset_times.py', '--record', '--kind', 'sweep'];"
            f"import bench.preset_times as b; b.ROOT = __import__('pathlib').Path({str(tmp_path)!r}); "
            "sys.exit(b.main(sys.argv[1:]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    data = read_times(res / "preset_times.json")
    me = machine_class()
    assert list(data["classes"]) == [me["key"]] and data["classes"][me["key"]]["machine"] == me["machine"]
    assert list(data["classes"][me["key"]]["presets"]) == ["tiny"]


def test_every_document_s_sweep_presets_are_found():
    docs = preset_documents()
    assert docs["seed000-loss"] == ("000",) and docs["scipy-optimizers-quick"] == ("001",)
    assert docs["seed001-search"] == ("001",) and "denoising-levels" not in docs
