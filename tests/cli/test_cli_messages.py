"""Messages that used to be unclear: a closed pipe, a folder given where a file is written, a
mirror address that is not http(s). Each ends with one sentence (or, for the pipe, quietly)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core_helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`aegui data list | head` printed "aegui: error: : Broken pipe" and exited 2; a reader that
    stopped reading is not an error of the user's input: nothing on stderr, exit 1 as Python's
    own recipe for SIGPIPE does."""
    r, w = os.pipe()
    os.close(r)                       # the reader is gone before aegui writes a byte
    env = {**os.environ, "AEGUI_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    try:
        done = subprocess.run([sys.executable, "-m", "aegui", "data", "list"], cwd=ROOT, stdout=w,
                              stderr=subprocess.PIPE, text=True, timeout=120, env=env)
    finally:
        os.close(w)
    assert done.stderr == ""
    assert done.returncode == 1


def test_markdown_naming_a_folder_is_one_sentence(tmp_path, capsys):
    """`report --markdown /tmp` failed at the end with "/.tmp.3ne29050.tmp: Is a directory"; it
    is refused before any work, saying the path is a folder and to name a file."""
    assert run_cli(["report", "001", "--out", tmp_path / "out", "--markdown", tmp_path]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"--markdown {tmp_path}" in err and "folder" in err and ".md" in err
    assert not (tmp_path / "out").exists()


def test_a_file_url_as_the_mirror_says_only_http_works(tmp_path, capsys, monkeypatch):
    """AEGUI_DATA_URL=file:///... gave ": No connection adapters were found"; now one sentence
    naming the variable, what works, and `aegui data add` for files already on disk."""
    monkeypatch.setenv("AEGUI_DATA_URL", f"file://{tmp_path}")
    monkeypatch.setenv("AEGUI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert run_cli(["data", "fetch", "mnist", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "AEGUI_DATA_URL" in err and "http" in err and "aegui data add" in err
    assert "adapter" not in err
