import json
import os
import pickle
import shutil

import numpy as np
import pytest
import torch

from aegui.core.models import latent
from aegui.core.config.validation import with_changes
from aegui.core.models.mlp_net import Autoencoder
from aegui.core.runs.storage import ModelFileError, atomic_write_text, load_model, model_paths, save_model

METRICS = {"max_wrong_pixels": 3, "mean_wrong_pixels": 0.5, "epochs": 200}


@pytest.fixture
def saved(tmp_path, trained):
    model, exp, _ = trained
    folder = tmp_path / "m"
    meta_path = save_model(folder, model, exp, METRICS, extra={"labels": ["a", "b"]})
    assert meta_path == folder / "model.json"
    return folder


@pytest.fixture
def no_unpickling(monkeypatch):
    """Any attempt to unpickle (or torch.load) fails the test loudly."""
    def boom(*a, **k):
        raise AssertionError("a model file was unpickled")

    class NoUnpickler:
        def __init__(self, *a, **k):
            boom()

    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "Unpickler", NoUnpickler)
    monkeypatch.setattr(torch, "load", boom)


def model_error(path) -> str:
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    return str(info.value)


# ---------------------------------------------------------------- round trip

def test_round_trip(saved, trained, font3):
    model, exp, _ = trained
    loaded, exp2, meta = load_model(saved)
    assert exp2 == exp
    assert meta["metrics"] == METRICS
    assert meta["labels"] == ["a", "b"]
    assert meta["format"] == "aegui-model"
    assert isinstance(loaded, Autoencoder) and loaded.k == 1 and not loaded.training
    assert torch.equal(loaded.flat, model.flat.detach())
    np.testing.assert_array_equal(latent.reconstruct(loaded, font3.x), latent.reconstruct(model, font3.x))
    assert sorted(p.name for p in saved.iterdir()) == ["model.json", "model.safetensors"]


def test_file_paths_work_as_well_as_the_folder(saved, trained):
    model, _, _ = trained
    for path in (saved / "model.json", saved / "model.safetensors"):
        loaded, _, _ = load_model(path)
        assert torch.equal(loaded.flat, model.flat.detach())


def test_named_files(tmp_path, trained):
    model, exp, _ = trained
    meta_path = save_model(tmp_path / "best.json", model, exp)
    assert meta_path == tmp_path / "best.json" and (tmp_path / "best.safetensors").is_file()
    assert json.loads(meta_path.read_text())["weights_file"] == "best.safetensors"
    loaded, _, meta = load_model(tmp_path / "best.safetensors")
    assert meta["metrics"] == {}
    assert torch.equal(loaded.flat, model.flat.detach())
    assert model_paths(tmp_path / "x") == (tmp_path / "x" / "model.safetensors", tmp_path / "x" / "model.json")


def test_a_stacked_model_saves_its_first_model(tmp_path, trained):
    _, exp, _ = trained
    stacked = Autoencoder(exp.model, 3)
    stacked.init_weights([5, 6, 7])
    save_model(tmp_path, stacked, exp)
    loaded, _, _ = load_model(tmp_path)
    assert torch.equal(loaded.flat[0], stacked.flat[0].detach())


def test_vae_round_trip(tmp_path, trained, font3):
    _, exp, _ = trained
    vexp = with_changes(exp, model={"kind": "vae"})
    model = Autoencoder(vexp.model, 1)
    model.init_weights([2])
    save_model(tmp_path, model, vexp)
    loaded, exp2, _ = load_model(tmp_path)
    assert exp2.model.kind == "vae"
    np.testing.assert_array_equal(latent.encode(loaded, font3.x), latent.encode(model, font3.x))


# ---------------------------------------------------------------- never pickle

def test_pickle_file_is_refused_and_never_unpickled(tmp_path, no_unpickling):
    path = tmp_path / "model.pt"
    with open(path, "wb") as fh:
        pickle.dump({"weights": [1, 2, 3]}, fh)
    msg = model_error(path)
    assert "pickle" in msg and str(path) in msg


def test_pickle_bytes_named_safetensors_are_refused(tmp_path, saved, no_unpickling):
    (saved / "model.safetensors").write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    msg = model_error(saved)
    assert "pickle" in msg and "model.safetensors" in msg


def test_pickle_sidecar_is_refused(saved, no_unpickling):
    (saved / "model.json").write_bytes(pickle.dumps({"format": "aegui-model"}))
    assert "pickle" in model_error(saved)


def test_torch_checkpoint_is_refused(tmp_path, trained, no_unpickling):
    path = tmp_path / "model.pth"
    torch.save({"flat": trained[0].flat.detach()}, path)   # writing is harmless; reading is not
    assert "pickle" in model_error(path)
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(path, folder / "model.safetensors")
    save_model(tmp_path / "g", trained[0], trained[1])
    shutil.copy(tmp_path / "g" / "model.json", folder / "model.json")
    assert "pickle" in model_error(folder)


# ---------------------------------------------------------------- damaged files

def test_tampered_weights_fail_the_hash(saved):
    path = saved / "model.safetensors"
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0x01                 # one bit of the last weight
    path.write_bytes(bytes(blob))
    msg = model_error(saved)
    assert "hash" in msg and "model.safetensors" in msg


def test_missing_sidecar(saved):
    (saved / "model.json").unlink()
    msg = model_error(saved)
    assert "model.json" in msg and "not found" in msg


def test_missing_weights(saved):
    (saved / "model.safetensors").unlink()
    msg = model_error(saved)
    assert "model.safetensors" in msg and "not found" in msg


def test_missing_folder(tmp_path):
    assert "not found" in model_error(tmp_path / "nothing here")


def test_sidecar_that_is_not_json(saved):
    (saved / "model.json").write_text("{ this is not json")
    assert "not a JSON model description" in model_error(saved)


@pytest.mark.parametrize("change, words", [
    ({"format": "something-else"}, "not an aegui model"),
    ({"format": None}, "not an aegui model"),
    ({"format_version": 99}, "newer"),
    ({"experiment": {"schema_version": 1, "model": {"layers": [35, 2, 34]}}}, "invalid"),
    ({"experiment": None}, "invalid"),
])
def test_sidecar_with_wrong_content(saved, change, words):
    meta_path = saved / "model.json"
    meta = json.loads(meta_path.read_text())
    meta.update(change)
    meta_path.write_text(json.dumps(meta))
    assert words in model_error(saved)


def test_sidecar_that_is_a_list(saved):
    (saved / "model.json").write_text("[1, 2]")
    assert "not an aegui model" in model_error(saved)


def test_weights_that_do_not_fit_the_described_model(saved):
    meta_path = saved / "model.json"
    meta = json.loads(meta_path.read_text())
    meta["experiment"]["model"]["layers"] = [35, 20, 2, 20, 35]
    meta_path.write_text(json.dumps(meta))
    msg = model_error(saved)
    assert "does not fit" in msg


def test_garbage_weights(saved):
    (saved / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{garbage")
    assert "model.safetensors" in model_error(saved)
    (saved / "model.safetensors").write_bytes(b"hello world, not weights at all")
    assert "not a safetensors file" in model_error(saved)


# ---------------------------------------------------------------- atomic writes

def test_saving_leaves_no_temp_files_and_overwrites(tmp_path, trained):
    model, exp, _ = trained
    save_model(tmp_path, model, exp, {"run": 1})
    save_model(tmp_path, model, exp, {"run": 2})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.safetensors"]
    assert load_model(tmp_path)[2]["metrics"] == {"run": 2}


def test_a_failed_write_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "notes.txt"
    atomic_write_text(target, "old")

    def fail(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_failed_model_save_keeps_the_old_model(tmp_path, trained, monkeypatch):
    model, exp, _ = trained
    save_model(tmp_path, model, exp, {"run": 1})
    other = Autoencoder(exp.model, 1)
    other.init_weights([123])

    def fail(*a, **k):
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(os, "replace", fail)
        with pytest.raises(OSError):
            save_model(tmp_path, other, exp, {"run": 2})
    loaded, _, meta = load_model(tmp_path)
    assert meta["metrics"] == {"run": 1}
    assert torch.equal(loaded.flat, model.flat.detach())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.safetensors"]


def test_a_safetensors_header_of_640_bytes_is_not_taken_for_a_pickle(tmp_path):
    """Its length field starts with 0x80, the byte a pickle starts with (seen on a k-sparse model)."""
    import struct
    from aegui.core.runs.storage import _read_part
    header = b'{"__metadata__":{"pad":"' + b"x" * (640 - 27) + b'"}}'
    assert len(header) == 640
    blob = struct.pack("<Q", 640) + header
    assert blob[:1] == b"\x80"
    (tmp_path / "w.safetensors").write_bytes(blob)
    assert _read_part(tmp_path / "w.safetensors") == blob
    (tmp_path / "p.safetensors").write_bytes(b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01K\x01u.")
    with pytest.raises(Exception, match="pickle"):
        _read_part(tmp_path / "p.safetensors")


# ---------------------------------------------------------------- weights that cannot be right

def _rewrite_weights(folder, change):
    """Apply change(name, tensor) -> tensor to the first weight tensor; the sidecar's hash is
    updated, so only the values (or their type) are wrong."""
    import hashlib
    from safetensors.torch import load, save
    tensors = load((folder / "model.safetensors").read_bytes())
    name = sorted(tensors)[0]
    tensors[name] = change(tensors[name])
    blob = save(tensors)
    (folder / "model.safetensors").write_bytes(blob)
    meta = json.loads((folder / "model.json").read_text())
    meta["weights_sha256"] = hashlib.sha256(blob).hexdigest()
    (folder / "model.json").write_text(json.dumps(meta))
    return name


def _with(value):
    def change(t):
        t = t.clone()
        t.view(-1)[3] = value
        return t
    return change


@pytest.mark.parametrize("value, words", [(float("nan"), "not-a-number"), (float("inf"), "infinite"),
                                          (float("-inf"), "infinite")])
def test_weights_that_are_not_numbers_are_refused_naming_the_tensor(saved, value, words):
    """A diverged or damaged model (NaN / inf weights) gives every output wrong; it is refused at
    load with the tensor named rather than evaluated or shown as if it were a model."""
    name = _rewrite_weights(saved, _with(value))
    msg = model_error(saved)
    assert "model.safetensors" in msg and repr(name) in msg and words in msg, msg


@pytest.mark.parametrize("dtype", [torch.bool, torch.int64, torch.uint8, torch.int32])
def test_weights_of_a_type_that_is_not_a_real_number_are_refused(saved, dtype):
    """bool or integer weights were converted silently; no aegui model stores them."""
    name = _rewrite_weights(saved, lambda t: t.to(dtype))
    msg = model_error(saved)
    assert "model.safetensors" in msg and repr(name) in msg and str(dtype).removeprefix("torch.") in msg, msg


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_weights_of_other_float_types_still_load(saved, dtype):
    _rewrite_weights(saved, lambda t: t.to(dtype))
    load_model(saved)
