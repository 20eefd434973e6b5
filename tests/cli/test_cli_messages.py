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


def test_a_huge_value_is_not_echoed_whole(tmp_path, capsys):
    """A value of 100,000 characters (the most one argument may hold is 128 KiB) came back whole
    in the error line, from argparse, from the config's checks and from the path it named. Each
    message now keeps the start, which names the option or field, and the end, which says what
    to do; the value is cut with "…"."""
    from core_helpers import small_experiment
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment().to_json())
    big = "x" * 100_000
    for args, start in ((["--seeds", big], "argument --seeds:"), (["--font", big], "data.fonts: 'xxx"),
                        (["--dataset", big], "xxx"), (["--epochs", big], "argument --epochs:")):
        assert run_cli(["train", cfg, "--quiet", "--out", tmp_path / "out", *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"aegui: error: {start}") and len(err.splitlines()) == 1, err[:300]
        assert len(err) < 800 and "…" in err, (len(err), err[:300])
    hidden = tmp_path / "hidden.json"
    exp = small_experiment().to_dict()
    exp["model"]["hidden_activation"] = "y" * 1_000_000
    hidden.write_text(__import__("json").dumps(exp))
    assert run_cli(["train", hidden, "--quiet", "--out", tmp_path / "out"]) == 2
    err = capsys.readouterr().err
    assert "model.hidden_activation: 'yyy" in err and "(1,000,000 characters)" in err and len(err) < 400, err[:500]


def test_a_font_the_config_names_and_the_file_lacks_names_the_config(tmp_path, capsys):
    """Every other error in a config names its file; a font it names that font.h lacks was found while the data
    loaded and said only "data.fonts: ...". The same font from --font is the command line's, and names no file."""
    import json
    from core_helpers import small_experiment
    exp = small_experiment().to_dict()
    exp["data"]["fonts"] = ["Font9"]
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps(exp))
    assert run_cli(["train", cfg, "--quiet", "--out", tmp_path / "out"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"aegui: error: {cfg}: data.fonts: 'Font9' is not in font.h"), err
    ok = tmp_path / "ok.json"
    ok.write_text(small_experiment().to_json())
    assert run_cli(["train", ok, "--quiet", "--out", tmp_path / "out", "--font", "Font9"]) == 2
    assert capsys.readouterr().err.startswith("aegui: error: data.fonts: 'Font9' is not in font.h")
