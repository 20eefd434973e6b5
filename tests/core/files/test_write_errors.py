"""A write that fails names the file it was for, in one sentence that says what to do: a full
disk said `aegui: error: : No space left on device` (a write names no file), and a folder where
index.html goes was reported as the atomic writer's hidden temporary file
(`.index.html.ad210ont.tmp`). And a failed write leaves nothing behind: no temporary file, no
half-staged model set filling the disk that just ran out, the previous files as they were.

A full disk is simulated by making fsync (the last step of every write) fail with ENOSPC and no
file name, as the operating system's own error comes.
"""
from __future__ import annotations

import errno
import os

import numpy as np
import pytest

from aegui.core.files import atomic, fileset
from aegui.core.files.errors import user_message

FULL = "the disk is full; free some space and try again"


@pytest.fixture
def full_disk(monkeypatch):
    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", fsync)


def test_a_full_disk_names_the_file_and_keeps_the_previous_one(tmp_path, full_disk):
    path = tmp_path / "model.json"
    path.write_text("previous")
    with pytest.raises(OSError) as info:
        atomic.atomic_write_text(path, "new")
    assert user_message(info.value) == f"{path}: {FULL}"
    assert path.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_a_folder_where_the_file_goes_is_named_as_the_file_not_the_temporary_one(tmp_path):
    (tmp_path / "index.html").mkdir()
    with pytest.raises(OSError) as info:
        atomic.atomic_write_text(tmp_path / "index.html", "<html>")
    message = user_message(info.value)
    assert message.startswith(f"{tmp_path / 'index.html'}: a folder of that name is in the way"), message
    assert ".tmp" not in message and "move it away" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_a_file_where_the_folder_goes_is_named(tmp_path):
    (tmp_path / "report").write_text("a file")
    with pytest.raises(OSError) as info:
        atomic.atomic_write_text(tmp_path / "report" / "index.html", "<html>")
    assert user_message(info.value).startswith(f"{tmp_path / 'report'}: a file of that name is in the way")


def test_a_model_set_on_a_full_disk_names_its_file_and_leaves_no_staged_copies(tmp_path, full_disk):
    (tmp_path / "model.json").write_text("previous")
    with pytest.raises(OSError) as info:
        fileset.write_set(tmp_path, "model", {"model.safetensors": b"w" * 100, "model.json": b"{}"})
    assert user_message(info.value) == f"{tmp_path / 'model.safetensors'}: {FULL}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]
    assert (tmp_path / "model.json").read_text() == "previous"


def test_a_folder_in_a_model_files_place_is_named_as_that_file(tmp_path):
    (tmp_path / "model.json").mkdir()
    with pytest.raises(OSError) as info:
        fileset.write_set(tmp_path, "model", {"model.safetensors": b"w", "model.json": b"{}"})
    message = user_message(info.value)
    assert message.startswith(f"{tmp_path / 'model.json'}: "), message
    assert ".incoming" not in message


def test_a_picture_on_a_full_disk_names_the_picture_and_leaves_none(tmp_path, full_disk):
    from aegui.core.files.png import save_png
    path = tmp_path / "grid.png"
    with pytest.raises(OSError) as info:
        save_png(np.zeros((7, 5)), path)
    assert user_message(info.value) == f"{path}: {FULL}"
    assert list(tmp_path.iterdir()) == []


def test_the_cli_names_the_file_a_full_disk_stopped(tmp_path, capsys, full_disk):
    from core_helpers import run_cli, small_experiment
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(train={"epochs": 2}).to_json())
    out = tmp_path / "out"
    assert run_cli(["train", cfg, "--out", out, "--quiet"]) == 2
    err = capsys.readouterr().err
    # The first of the model's files written (metrics.csv, model.safetensors, ...).
    assert err.startswith(f"aegui: error: {out}{os.sep}model.") or err.startswith(f"aegui: error: {out}{os.sep}metrics.")
    assert err.endswith(f": {FULL}\n") and len(err.splitlines()) == 1, err
    assert not out.exists()         # made for this run and left empty: removed
