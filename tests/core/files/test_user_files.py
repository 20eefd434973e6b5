"""Files the user names that are not files: a named pipe (FIFO), a device (/dev/zero), a socket,
or a file far bigger than its kind can be, and JSON that nests too deep or holds a number of
thousands of digits. Every reader refuses each with one sentence naming the file, before it
blocks on the pipe or reads the endless device into memory.

The pipe and device cases run in a child process with a generous time limit: a reader that
blocks on open() or reads /dev/zero would otherwise hang or exhaust this test process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aegui.core.schema.experiment import ConfigError
from aegui.core.files import userfile
from aegui.core.files.jsonfile import MAX_DEPTH, parse_json, read_json

ROOT = Path(__file__).resolve().parents[3]

# Each reader: (name, file name, kind in userfile.LIMITS, a call reading `path`). The child
# prints, per reader and per bad file, the exception's type and message, or "returned".
_CHILD = r"""
import json, os, socket, sys
from pathlib import Path
from aegui.core.files import userfile

tmp = Path(sys.argv[1])

def font(p):
    from aegui.core.data.glyphs import read_font_h
    read_font_h(p)
def config(p):
    from aegui.core.config.load import load_experiment
    load_experiment(p)
def spec(p):
    from aegui.core.files.jsonfile import read_json
    read_json(p)
def sweep(p):
    from aegui.core.analyses.sweeps.sweep import load_sweep
    load_sweep(p)
def model(p):
    from aegui.core.runs.storage import load_model
    load_model(p)
def idx(p):
    from aegui.core.data.image_data import idx_dataset
    idx_dataset(p)
def idx_header(p):
    from aegui.core.data.data_shape import idx_header
    idx_header(p)
def library(p):
    from aegui.core.data.library import GlyphLibrary
    w = GlyphLibrary(p).warning
    if w:
        raise ValueError(w)
def fonts_in_config(p):
    from aegui.core.schema.experiment import DataConfig
    from aegui.core.data.datasets import from_config
    from_config(DataConfig(source="font", extra_glyphs=(str(p),)))

READERS = [(font, "font.h", "font"), (config, "config.json", "config"), (spec, "spec.json", "json"),
           (sweep, "sweep.json", "json"), (model, "model.json", "model"), (idx, "train-images-idx3-ubyte", "idx"),
           (idx_header, "t-images-idx3-ubyte", "idx"), (library, "library.json", "library"),
           (fonts_in_config, "taught.h", "font")]

out = {}
for reader, name, kind in READERS:
    for bad in ("fifo", "device", "socket", "huge"):
        folder = tmp / reader.__name__ / bad
        folder.mkdir(parents=True)
        p = folder / name
        if bad == "fifo":
            os.mkfifo(p)
        elif bad == "device":
            p.symlink_to("/dev/zero")
        elif bad == "socket":
            s = socket.socket(socket.AF_UNIX)
            s.bind(str(p))
        else:
            with open(p, "wb") as fh:               # sparse: no disk used
                fh.truncate(userfile.LIMITS[kind][1] + 1)
        try:
            reader(p)
            got = ("returned", "")
        except Exception as e:
            got = (type(e).__name__, str(e))
        out[f"{reader.__name__} {bad}"] = (str(p),) + got
print(json.dumps(out))
"""

_WORDS = {"fifo": "named pipe", "device": "device", "socket": "socket", "huge": "more than the"}


def test_every_reader_refuses_pipes_devices_sockets_and_huge_files(tmp_path):
    """A FIFO blocked read_font_h and data.path forever and /dev/zero was read until memory ran
    out; now each reader refuses each such path at once, naming it and saying what it is."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(results) == 36
    for case, (path, kind, message) in results.items():
        bad = case.split()[1]
        assert kind != "returned", f"{case}: accepted"
        assert path in message and _WORDS[bad] in message, f"{case}: {kind}: {message}"
        assert "\n" not in message and "Errno" not in message, f"{case}: {message}"


@pytest.mark.parametrize("kind", sorted(userfile.LIMITS))
def test_the_limit_is_said_in_the_sentence(tmp_path, kind):
    path = tmp_path / "big"
    with open(path, "wb") as fh:
        fh.truncate(userfile.LIMITS[kind][1] + 1)
    with pytest.raises(userfile.FileRefused) as err:
        userfile.read_file(path, kind)
    assert str(err.value).startswith(f"{path}: ")
    assert userfile.size_text(userfile.LIMITS[kind][1]) in str(err.value)


def test_a_folder_is_the_usual_is_a_directory_error(tmp_path):
    with pytest.raises(IsADirectoryError):
        userfile.read_file(tmp_path, "font")


# ------------------------------------------------------------------- JSON that nests too deep

def _deep(n: int) -> str:
    return "[" * n + "]" * n


def _model_folder(tmp_path) -> Path:
    from aegui.core.archs import build_model
    from aegui.core.schema.experiment import Experiment, ModelSpec
    from aegui.core.runs.storage import save_model
    exp = Experiment(model=ModelSpec(layers=(35, 4, 2, 4, 35)))
    model = build_model(exp.model, 1)
    model.init_weights([0])
    save_model(tmp_path / "m", model, exp)
    return tmp_path / "m"


def _readers(tmp_path):
    """(file to write the JSON into, call that reads it, the error it must raise)."""
    from aegui.core.analyses.sweeps.sweep import load_sweep
    from aegui.core.config.load import load_experiment
    from aegui.core.runs.storage import ModelFileError, load_model, rename_model
    from aegui.core.analyses.presets import read_preset
    model = _model_folder(tmp_path)
    return [
        (tmp_path / "c.json", load_experiment, ConfigError),
        (tmp_path / "s.json", load_sweep, ConfigError),
        (tmp_path / "p.json", read_preset, ConfigError),
        (tmp_path / "r.json", read_json, ConfigError),
        (model / "model.json", lambda p: load_model(p.parent), ModelFileError),
        (model / "model.json", lambda p: rename_model(p.parent, "x"), ModelFileError),
    ]


@pytest.mark.parametrize("text", [_deep(100_000), '{"a":' * 5000 + "1" + "}" * 5000, _deep(MAX_DEPTH + 1),
                                  '{"layers": [' + "9" * 100_000 + "]}"],
                         ids=["list-100000", "dict-5000", "just-too-deep", "100k-digit-number"])
def test_deep_or_huge_json_is_one_sentence(tmp_path, text):
    """json's parser recursed into 100,000 `[` and raised RecursionError (a traceback in the
    CLI); a number of 100,000 digits raised int()'s own ValueError. Each reader now names the
    file and says what is wrong, and the message does not echo the file back."""
    for path, reader, error in _readers(tmp_path):
        path.write_text(text)
        with pytest.raises(error) as err:
            reader(path)
        message = str(err.value)
        assert str(path) in message and len(message) < 400, message
        assert "nested" in message or "digits" in message, message


def test_json_as_deep_as_allowed_is_read():
    value = parse_json(_deep(MAX_DEPTH), "x.json")
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    assert depth == MAX_DEPTH - 1


def test_deep_glyph_library_is_a_warning_naming_the_file(tmp_path):
    from aegui.core.data.library import GlyphLibrary
    path = tmp_path / "library.json"
    path.write_text('{"format": "aegui-glyph-library", "glyphs": ' + _deep(100_000) + "}")
    lib = GlyphLibrary(path)
    assert lib.warning and str(path) in lib.warning and "nested" in lib.warning
    assert len(lib) == 0


def test_deep_model_json_in_the_cli_is_exit_2(tmp_path, capsys):
    """`aegui eval` of a model whose model.json is [[[[...]]]]: one line naming the file, exit 2."""
    from core_helpers import run_cli
    model = _model_folder(tmp_path)
    (model / "model.json").write_text(_deep(100_000))
    assert run_cli(["eval", model]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(model / "model.json") in err and "nested" in err


def test_deep_config_in_the_cli_is_exit_2(tmp_path, capsys):
    from core_helpers import run_cli
    path = tmp_path / "deep.json"
    path.write_text(_deep(100_000))
    assert run_cli(["train", path, "--out", tmp_path / "out"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(path) in err and "nested" in err
    assert not (tmp_path / "out").exists()


def test_the_model_list_skips_a_deep_model_json(tmp_path):
    from aegui.core.files.model_index import read_saved
    model = _model_folder(tmp_path)
    (model / "model.json").write_text(_deep(100_000))
    assert read_saved(model) is None


def test_spec_arrays_stay_numbers(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"x": np.arange(3).tolist()}))
    assert read_json(path) == {"x": [0, 1, 2]}
