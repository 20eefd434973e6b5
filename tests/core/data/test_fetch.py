"""The dataset catalogue fetched from a local HTTP server on 127.0.0.1 (never further): a
download, the cache hit, a corrupt file, a server that is down; and the downloaded data used."""
import gzip
import json
from dataclasses import replace

import numpy as np
import pytest

from aegui.core.data import catalogue

from fetch_server import _Quiet, serve_tiny

from core_helpers import run_cli


@pytest.fixture
def served(tmp_path):
    with serve_tiny(tmp_path) as info:
        yield info


def cached(tmp_home):
    folder = tmp_home / "datasets" / "tiny"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_fetch_then_cache_hit(served, tmp_path, capsys, monkeypatch):
    import os
    home = tmp_path / "home"
    monkeypatch.setenv("AEGUI_HOME", str(home))
    assert run_cli(["data", "fetch", "tiny"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["downloaded"]) == 4
    assert cached(home) == sorted(f.name for f in served["entry"].files)
    for f in served["entry"].files:     # byte for byte what the server holds
        assert (home / "datasets" / "tiny" / f.name).read_bytes() == (served["root"] / f.name).read_bytes()
    seen = len(_Quiet.requests_seen)
    assert seen == 4
    assert run_cli(["data", "fetch", "tiny"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["downloaded"] == []
    assert "already in the cache" in captured.err
    assert len(_Quiet.requests_seen) == seen            # the second fetch asked the server nothing
    assert run_cli(["data", "path", "tiny"]) == 0
    assert capsys.readouterr().out.strip() == str(home / "datasets" / "tiny")
    assert os.environ["AEGUI_HOME"] == str(home)


def test_corrupt_file_exit_2_and_nothing_cached(served, tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("AEGUI_HOME", str(home))
    bad = served["root"] / "train-labels-idx1-ubyte.gz"
    data = bytearray(bad.read_bytes())
    data[-3] ^= 0xFF                      # one flipped byte: the hash no longer matches
    bad.write_bytes(bytes(data))
    assert run_cli(["data", "fetch", "tiny"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "train-labels-idx1-ubyte.gz" in err and "SHA256 check" in err
    assert "train-labels-idx1-ubyte.gz" not in cached(home)
    assert not [n for n in cached(home) if n not in ("train-images-idx3-ubyte.gz",)]   # no temp files left


def test_server_down_gives_the_manual_hint(served, tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("AEGUI_HOME", str(home))
    served["server"].shutdown()
    served["server"].server_close()
    assert run_cli(["data", "fetch", "tiny"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    folder = home / "datasets" / "tiny"
    assert f"download {served['base']}train-images-idx3-ubyte.gz" in err
    assert "t10k-labels-idx1-ubyte.gz" in err and f"put it in {folder}" in err
    assert cached(home) == []


def test_mirror_url_overrides_the_base(served, tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("AEGUI_HOME", str(home))
    entry = served["entry"]
    catalogue.ENTRIES["tiny"] = replace(entry, base_urls=("http://127.0.0.1:9/nowhere/",))
    monkeypatch.setenv("AEGUI_DATA_URL", served["base"].rsplit("/tiny/", 1)[0])
    assert run_cli(["data", "fetch", "tiny"]) == 0
    assert len(cached(home)) == 4


def test_unknown_name_and_not_fetched(capsys):
    assert run_cli(["data", "fetch", "nope"]) == 2
    err = capsys.readouterr().err
    assert "'nope' is not in the catalogue" in err and "fashion-mnist" in err
    assert run_cli(["data", "path", "mnist"]) == 2
    assert "aegui data fetch mnist" in capsys.readouterr().err


def test_cancel_leaves_nothing(served, tmp_path, monkeypatch):
    from aegui.core.data.fetch import FetchCancelled, fetch
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))
    seen = []
    with pytest.raises(FetchCancelled):
        fetch("tiny", progress=seen.append, cancel=lambda: True)
    assert cached(tmp_path / "home") == []


def test_progress_reports_bytes_speed_eta(served, tmp_path, monkeypatch):
    from aegui.core.data.fetch import fetch
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))
    seen = []
    fetch("tiny", progress=seen.append)
    last = seen[-1]
    assert last.done == last.total > 0 and last.fraction == 1.0
    assert "(4/4)" in last.text() and "/s" in last.text()


def test_fetched_catalogue_trains_with_the_official_split(served, tmp_path, monkeypatch):
    from aegui.core.schema.experiment import DataConfig
    from aegui.core.data.datasets import load_split, official_test_set
    from aegui.core.data.fetch import fetch
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))
    fetch("tiny")
    data = DataConfig(source="idx", catalogue="tiny", val_split=0.25)
    train, val = load_split(data)
    test = official_test_set(data)
    assert (len(train), len(val), len(test)) == (30, 10, 10)
    assert set(train.labels) == {"zero", "one", "two"} and train.shape == (8, 8)
    raw = np.frombuffer(gzip.decompress((served["root"] / "t10k-images-idx3-ubyte.gz").read_bytes())[16:], np.uint8)
    assert np.allclose(test.x.ravel(), raw / 255.0)
    # A cached file damaged afterwards is caught before use.
    p = tmp_path / "home" / "datasets" / "tiny" / "t10k-labels-idx1-ubyte.gz"
    p.write_bytes(p.read_bytes()[:-2])
    from aegui.core.schema.experiment import ConfigError
    with pytest.raises(ConfigError, match="damaged or missing files"):
        load_split(data)
