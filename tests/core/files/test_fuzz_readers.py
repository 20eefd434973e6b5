"""Every reader of a user's file, fed mutated and random input (hypothesis).

The invariant: a valid result, or the reader's documented error with a message that names the
file (and the line or field where there is one); never another exception, never a hang (the
deadline), never an allocation beyond the guard (fuzzing.bounded). Each failure these found is
fixed in the reader and kept below as an explicit @example.
"""
from __future__ import annotations

import gzip
import io
import json
import math
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from fuzzing import (FUZZ_SETTINGS, SPECIAL_KINDS, bounded, edited_json, hostile_json, json_value, make_special,
                     in_child, mutated, names_file)

from aegui.core.schema.experiment import ConfigError, Experiment, ModelSpec
from aegui.core.config.load import load_experiment
from aegui.core.config.validation import validate
from aegui.core.data.glyphs import FontParseError, read_font_h
from aegui.core.data.image_data import folder_dataset, idx_dataset
from aegui.core.files import userfile
from aegui.core.data.library import GlyphLibrary
from aegui.core.files.paths import course_font_path
from aegui.core.runs.storage import ModelFileError, load_model, save_model
from aegui.core.archs import build_model
from aegui.core.train import memory

ROOT = Path(__file__).resolve().parents[3]
PRESETS = sorted((ROOT / "resources" / "presets").glob("*.json"))
SWEEPS = sorted((ROOT / "resources" / "sweeps").glob("*.json"))
ANALYSES = sorted((ROOT / "resources" / "analyses").glob("*.json"))
FONT_H = course_font_path().read_bytes()

STUDENT_FLAT = {"layers": [35, 20, 2, 20, 35], "learning_rate": 0.01, "activation_fn": "tanh",
                "epochs": 100, "optimizer": "adam", "loss_function": "mse", "seed": 1, "font": "Font2"}
STUDENT_NESTED = {"model": {"architecture": [35, 16, 2, 16, 35], "activation": "relu", "type": "vae"},
                  "training": {"lr": 0.005, "max_epochs": 50, "batch_size": 8},
                  "denoising": {"noise_level": 0.1, "noise_type": "bit_flip"}}
CONFIGS = [json.loads(p.read_text()) for p in PRESETS] + [STUDENT_FLAT, STUDENT_NESTED]


_SCRATCH: list[Path] = []      # this module's scratch folder, under pytest's (see _scratch)


@pytest.fixture(scope="module", autouse=True)
def _scratch(tmp_path_factory):
    """One folder for the module's examples, removed when the module is done: a fuzz run makes
    thousands, and a folder per example left in the system's temp folder piled up run after run."""
    _SCRATCH[:] = [tmp_path_factory.mktemp("fuzz")]
    yield
    shutil.rmtree(_SCRATCH.pop(), ignore_errors=True)


def _tmp() -> Path:
    """A fresh folder for one hypothesis example (a test's tmp_path is shared by all its examples)."""
    return Path(tempfile.mkdtemp(dir=_SCRATCH[0]))


def _expect(call, errors, path, fields=()):
    """call(): its result, or None when it raised one of `errors` naming `path` (or, for a bad
    value that came from the config rather than the file, one of `fields`)."""
    with bounded():
        try:
            return call()
        except errors as e:
            message = str(e)
            assert message.strip(), f"{type(e).__name__} with no message"
            assert "\n" not in message.strip() or isinstance(e, FontParseError), message
            named = names_file(message, path) or getattr(e, "field", None) in fields
            assert named, f"the message does not name {path}: {message}"
            return None


# ------------------------------------------------------------------------------- font.h

@FUZZ_SETTINGS
@given(data=mutated(FONT_H, max_ops=8) | st.binary(max_size=300)
       | st.text(alphabet="0123456789abcdefx{}[],;=/* \nintconstFont", max_size=300).map(str.encode))
@example(data=b"int const Font1[32][7] = {" + b"{0x1f}," * 5)
@example(data=b"int const F[99999999][99999999] = {{0x00}};")
@example(data=b"\xff\xfe" + FONT_H[:200])
def test_font_h(data):
    path = _tmp() / "font.h"
    path.write_bytes(data)
    fonts = _expect(lambda: read_font_h(path), FontParseError, path)
    for font in fonts or []:
        for g in font.glyphs:
            assert len(g.rows) == 7 and all(0 <= r < 32 for r in g.rows)


def test_font_h_errors_name_the_line():
    path = _tmp() / "font.h"
    path.write_text(FONT_H.decode().replace("0x0e", "0xZZ", 1))
    with pytest.raises(FontParseError) as err:
        read_font_h(path)
    assert err.value.line is not None and f"line {err.value.line}" in str(err.value)


# ------------------------------------------------------------------------------- configs

def _check_config(raw_bytes: bytes, name: str = "config.json"):
    path = _tmp() / name
    path.write_bytes(raw_bytes)
    got = _expect(lambda: load_experiment(path), ConfigError, path)
    if got is not None:
        exp, notes = got
        validate(exp)
        assert all(isinstance(n, str) for n in notes)
        est = memory.estimate(exp, 32)          # the guard can size whatever was accepted
        assert est.total >= 0


@FUZZ_SETTINGS
@given(doc=st.sampled_from(CONFIGS).flatmap(edited_json))
@example(doc={**STUDENT_FLAT, "layers": [35, 10 ** 9, 2, 10 ** 9, 35]})
@example(doc={**STUDENT_FLAT, "layers": [35, 2 ** 63, 35]})
@example(doc={"model": {"layers": "35,2,35"}, "training": []})
@example(doc={"name": "n", "data": None, "model": {"kind": "ae", "layers": [], "arch": "conv"}})
@example(doc={"model": None, "noise": 0.1})          # a kind that is not a name, beside noise
@example(doc={"channels": [3], "color_mode": {"a": 1}})   # a colour that cannot be looked up
def test_config_json(doc):
    _check_config(json.dumps(doc).encode())


@FUZZ_SETTINGS
@given(data=st.sampled_from([p.read_bytes() for p in PRESETS]).flatmap(mutated) | st.binary(max_size=200)
       | hostile_json())
@example(data=b"[" * 100_000 + b"]" * 100_000)                 # RecursionError in json.loads
@example(data=b'{"layers": [35, ' + b"9" * 100_000 + b', 35]}')  # int() refuses 4,300+ digits
def test_config_bytes(data):
    _check_config(data)


def _yaml_presets() -> list[bytes]:
    import yaml
    return [yaml.safe_dump(json.loads(p.read_text(encoding="utf-8"))).encode() for p in PRESETS]


ALIAS_CHAIN = b"a0: &a0 [x, x]\n" + b"".join(b"a%d: &a%d [*a%d, *a%d]\n" % (i, i, i - 1, i - 1) for i in range(1, 40))


@FUZZ_SETTINGS
@given(data=st.sampled_from(_yaml_presets()).flatmap(mutated) | st.binary(max_size=200) | hostile_json())
@example(data=ALIAS_CHAIN)                                          # 2^40 values once walked
@example(data=b"[" * 100_000 + b"]" * 100_000)                      # RecursionError in the composer
@example(data=b"!!python/object/apply:os.system ['echo hi']")      # the safe loader builds no objects
@example(data=b"lr: 1e-3\nepochs: 2024-01-01\nyes: 1\n? [1, 2]\n: 3\n")   # dates, bool and list keys
@example(data=b"layers: [35, \xff]")
def test_config_yaml(data):
    _check_config(data, "config.yaml")


# ------------------------------------------------------------------------------- model folders

def _model_files() -> tuple[dict, bytes]:
    """The sidecar and weights of a saved model, the seed the model-folder examples mutate."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "model"
        exp = Experiment(model=ModelSpec(layers=(35, 6, 2, 6, 35)))
        model = build_model(exp.model, 1)
        model.init_weights([0])
        save_model(folder, model, exp, {"max_wrong_pixels": 3})
        return json.loads((folder / "model.json").read_text()), (folder / "model.safetensors").read_bytes()


SIDECAR, WEIGHTS = _model_files()


def _load_dir(sidecar: bytes, weights: bytes, rehash: bool):
    folder = _tmp() / "model"
    folder.mkdir()
    if rehash:
        import hashlib
        try:
            doc = json.loads(sidecar)
            if isinstance(doc, dict):
                doc["weights_sha256"] = hashlib.sha256(weights).hexdigest()
                sidecar = json.dumps(doc).encode()
        except ValueError:
            pass
    (folder / "model.json").write_bytes(sidecar)
    (folder / "model.safetensors").write_bytes(weights)
    got = _expect(lambda: load_model(folder), ModelFileError, folder)
    if got is not None:
        model, exp, meta = got
        assert model.input_dim == exp.model.full_layers[0]


@FUZZ_SETTINGS
@given(sidecar=edited_json(SIDECAR).map(lambda d: json.dumps(d).encode()) | mutated(json.dumps(SIDECAR).encode())
       | hostile_json(), weights=st.just(WEIGHTS) | mutated(WEIGHTS), rehash=st.booleans())
@example(sidecar=b'{"a":' * 5000 + b"1" + b"}" * 5000, weights=WEIGHTS, rehash=False)
@example(sidecar=json.dumps({**SIDECAR, "experiment": {**SIDECAR["experiment"], "model": {
    **SIDECAR["experiment"]["model"], "layers": [35, 10 ** 9, 2, 10 ** 9, 35]}}}).encode(),
    weights=WEIGHTS, rehash=True)
@example(sidecar=json.dumps({**SIDECAR, "format_version": "2"}).encode(), weights=WEIGHTS, rehash=False)
@example(sidecar=json.dumps({**SIDECAR, "weights_sha256": 5}).encode(), weights=WEIGHTS, rehash=False)
@example(sidecar=json.dumps(SIDECAR).encode(), weights=b"\x80\x04pickle", rehash=True)
@example(sidecar=json.dumps(SIDECAR).encode(), weights=(2 ** 40).to_bytes(8, "little") + b"{}", rehash=True)
def test_model_folder(sidecar, weights, rehash):
    _load_dir(sidecar, weights, rehash)


# ------------------------------------------------------------------------------- IDX

def _idx(magic: int, dims, payload: bytes) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims) + payload


IMAGES = _idx(2051, (6, 4, 3), bytes(range(72)))
LABELS = _idx(2049, (6,), bytes([0, 1, 2, 0, 1, 2]))


@FUZZ_SETTINGS
@given(images=mutated(IMAGES) | st.binary(max_size=80), labels=st.none() | st.just(LABELS) | mutated(LABELS),
       packed=st.booleans())
@example(images=_idx(2051, (60000, 28, 28), b""), labels=None, packed=True)
@example(images=_idx(2051, (2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1), b"\0" * 9), labels=None, packed=True)
@example(images=_idx(2051, (0, 4, 3), b""), labels=None, packed=False)
@example(images=IMAGES, labels=_idx(2051, (6, 4, 3), bytes(72)), packed=False)
def test_idx(images, labels, packed):
    folder = _tmp()
    suffix = ".gz" if packed else ""
    path = folder / f"train-images-idx3-ubyte{suffix}"
    path.write_bytes(gzip.compress(images) if packed else images)
    if labels is not None:
        (folder / f"train-labels-idx1-ubyte{suffix}").write_bytes(gzip.compress(labels) if packed else labels)
    data = _expect(lambda: idx_dataset(path), ConfigError, path.parent)
    if data is not None:
        assert len(data) == len(data.labels) and data.x.ndim == 2
        assert np.isfinite(data.x).all() and data.x.min() >= 0 and data.x.max() <= 1


def test_idx_gz_bomb_is_refused_before_unpacking(monkeypatch):
    """A 60 KB .gz whose header promises 4 GB of pictures: refused from the header alone."""
    monkeypatch.setenv("AEGUI_MEMORY_LIMIT", "256M")
    path = _tmp() / "bomb-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(_idx(2051, (1024, 2048, 2048), b"\0" * (64 << 20)), 9))
    with bounded(), pytest.raises(ConfigError, match="more than the 268,435,456 bytes of memory free"):
        idx_dataset(path)


# ------------------------------------------------------------------------------- picture folders

def _png(kind: str) -> bytes:
    rng = np.random.default_rng(0)
    im = Image.fromarray(rng.integers(0, 255, (9, 7, 4), dtype=np.uint8), "RGBA")
    buf = io.BytesIO()
    if kind == "jpg":
        im.convert("RGB").save(buf, "JPEG")
    elif kind == "gif":
        im.convert("P").save(buf, "GIF")
    else:
        im.save(buf, "PNG")
    return buf.getvalue()


PICTURES = {"png": _png("png"), "jpg": _png("jpg"), "gif": _png("gif")}


def _png_claiming(width: int, height: int) -> bytes:
    """The seed PNG with its header saying width x height (checksum fixed, data unchanged)."""
    import struct
    import zlib
    data = bytearray(PICTURES["png"])
    at = data.index(b"IHDR")
    data[at + 4:at + 12] = struct.pack(">II", width, height)
    data[at + 17:at + 21] = struct.pack(">I", zlib.crc32(bytes(data[at:at + 17])))
    return bytes(data)


def _gif_claiming(width: int, height: int) -> bytes:
    """The seed GIF on a logical screen of width x height: Pillow paints its frame onto a
    screen-sized canvas (the fuzzer found a mutated GIF taking 4.3 GB and 54 s)."""
    import struct
    data = bytearray(PICTURES["gif"])
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


@FUZZ_SETTINGS
@given(files=st.lists(st.tuples(st.sampled_from(("png", "jpg", "gif")),
                                st.sampled_from(("png", "jpg", "gif")).flatmap(lambda k: mutated(PICTURES[k]))
                                | st.sampled_from(list(PICTURES.values())) | st.binary(max_size=64)),
                      min_size=0, max_size=4),
       size=st.sampled_from((4, 8, 3, 0, 257)), color=st.sampled_from(("gray", "rgb", "rgba", "cmyk")))
@example(files=[("png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20)], size=8, color="gray")
@example(files=[("png", _png_claiming(12_000, 12_000))], size=8, color="gray")
@example(files=[("gif", _gif_claiming(13_000, 13_000))], size=8, color="gray")  # took 1.6 GB and 10 s
def test_picture_folder(files, size, color):
    folder = _tmp() / "pictures"
    (folder / "sub").mkdir(parents=True)
    for i, (suffix, data) in enumerate(files):
        (folder / ("sub" if i % 2 else "") / f"p{i}.{suffix}").write_bytes(data)
    data = _expect(lambda: folder_dataset(folder, size=size, color=color), ConfigError, folder,
                   fields=("data.size", "data.color"))
    if data is not None:
        assert len(data) >= 1 and data.x.shape[1] == math.prod(data.shape)
        assert np.isfinite(data.x).all()
        assert all(names_file(w, folder) for w in data.warnings)


# ------------------------------------------------------------------------------- sweeps and analyses

def _spec_reader(path: Path):
    from aegui.core.analyses.sweeps.sweep import load_sweep
    if path.parent.name == "sweeps":
        return load_sweep
    kind = json.loads(path.read_text()).get("analysis")
    if kind == "probe":
        from aegui.core.analyses.classify.probe import load_spec
    else:
        from aegui.core.analyses.denoise.curve import load_spec
    return load_spec


SPECS = [(p, json.loads(p.read_text())) for p in SWEEPS + ANALYSES]


@FUZZ_SETTINGS
@given(pick=st.sampled_from(range(len(SPECS))), data=st.data())
def test_sweep_and_analysis_json(pick, data):
    source, doc = SPECS[pick]
    edited = data.draw(edited_json(doc).map(lambda d: json.dumps(d).encode()) | mutated(source.read_bytes())
                       | hostile_json())
    path = _tmp() / source.name
    path.write_bytes(edited)
    spec = _expect(lambda: _spec_reader(source)(path), ConfigError, path)
    if spec is not None and source.parent.name == "sweeps":
        from aegui.core.analyses.sweeps.sweep import expand, plan
        groups = _expect(lambda: plan(spec, expand(spec)), ConfigError, path)
        assert groups is None or all(g.k >= 1 for g in groups)


# ------------------------------------------------------------------------------- glyph library

def _library_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "library.json"
        lib = GlyphLibrary(path)
        lib.add(np.eye(7, 5).reshape(-1), "eye")
        lib.add(np.ones(35), "full ink")
        lib.add(np.zeros(35), "blank")
        return path.read_bytes()


LIBRARY = _library_bytes()


@FUZZ_SETTINGS
@given(data=mutated(LIBRARY) | edited_json(json.loads(LIBRARY)).map(lambda d: json.dumps(d).encode())
       | json_value.map(lambda d: json.dumps(d).encode()) | hostile_json())
@example(data=b'{"format": "aegui-glyph-library", "version": 1, "glyphs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
@example(data=json.dumps({"format": "aegui-glyph-library", "version": 10 ** 30, "glyphs": []}).encode())
def test_glyph_library(data):
    path = _tmp() / "library.json"
    path.write_bytes(data)
    with bounded():
        lib = GlyphLibrary(path)
    if lib.warning:
        assert names_file(lib.warning, path) and "\n" not in lib.warning
    for i in range(len(lib)):
        g = lib.glyph(i)
        assert len(g.rows) == 7 and all(0 <= r < 32 for r in g.rows) and g.label.strip()
    if not lib.read_only:
        lib.add(np.zeros(35), "after")          # a library that was read can be saved again
        assert GlyphLibrary(path).warning is None


# ------------------------------------------------------------------------------- paths that are not files

def _sweep(path):
    from aegui.core.analyses.sweeps.sweep import load_sweep
    return load_sweep(path)


def _extra_glyphs(path):
    from aegui.core.schema.experiment import DataConfig
    from aegui.core.data.datasets import from_config
    return from_config(DataConfig(source="font", extra_glyphs=(str(path),)))


# (file name, its kind in userfile.LIMITS, the reader, the errors it may raise)
SPECIAL_READERS = [
    ("font.h", "font", read_font_h, FontParseError),
    ("config.json", "config", load_experiment, ConfigError),
    ("model.json", "model", load_model, ModelFileError),
    ("train-images-idx3-ubyte", "idx", idx_dataset, ConfigError),
    ("sweep.json", "json", _sweep, ConfigError),
    ("taught.h", "font", _extra_glyphs, FontParseError),
    ("library.json", "library", GlyphLibrary, ()),
]


@FUZZ_SETTINGS
@given(pick=st.sampled_from(range(len(SPECIAL_READERS))), kind=st.sampled_from(SPECIAL_KINDS))
@example(pick=0, kind="fifo")          # read_font_h waited forever for a writer
@example(pick=3, kind="fifo")          # so did data.path
@example(pick=5, kind="device")        # /dev/zero as extra_glyphs: read until MemoryError
@example(pick=1, kind="device")
@example(pick=2, kind="oversized")
def test_paths_that_are_not_files(pick, kind):
    """A FIFO, /dev/zero, a socket, a file over its kind's size limit, a folder or a broken
    link where a reader expects a file: refused with a sentence naming it, never read."""
    name, limit_kind, reader, errors = SPECIAL_READERS[pick]
    path = _tmp() / name
    keep = make_special(path, kind, userfile.LIMITS[limit_kind][1])

    def read():
        got = reader(path)
        if reader is GlyphLibrary and got.warning:
            raise ValueError(got.warning)      # the library reports by warning, not by raising
        if reader is not GlyphLibrary or len(got):
            raise AssertionError("read as a valid file")
    try:
        kind_, message = in_child(read, errors or ValueError)
    finally:
        if keep is not None:
            keep.close()
    if reader is GlyphLibrary and kind == "dangling":
        assert kind_ == "returned", message     # no library yet: an empty one, as for a missing file
        return
    assert kind_ not in ("returned", "hung", "died") and not kind_.startswith("unexpected "), f"{kind_}: {message}"
    assert names_file(message, path) and "\n" not in message.strip(), message
