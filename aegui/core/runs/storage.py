"""Models on disk: safetensors weights + a JSON sidecar. Never pickle, never torch.load."""
from __future__ import annotations

import hashlib
import json
import struct
import time
from pathlib import Path
from typing import TYPE_CHECKING

import aegui
from aegui.core.archs import build_model, parameter_count
from aegui.core.schema.experiment import ConfigError, Experiment, shown
from aegui.core.config.validation import experiment_from_dict

# torch (and safetensors' torch half) is imported by the functions that write or read weights:
# commands that only list or check (`aegui data list`, `aegui report NAME --list`) use this
# module's paths and errors, and importing torch takes longer than the whole command.
if TYPE_CHECKING:
    import torch

    from aegui.core.models.mlp_net import Autoencoder

FORMAT = "aegui-model"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says which file and what to do."""


from aegui.core.files.atomic import atomic_write_bytes, atomic_write_text  # noqa: E402,F401
from aegui.core.files import lock, modelpaths  # noqa: E402
from aegui.core.files.fileset import recover, write_set  # noqa: E402


def model_paths(path) -> tuple[Path, Path]:
    """A folder (holding model.*), or a .json / .safetensors file -> (weights, sidecar)."""
    path = Path(path)
    if path.suffix in (".json", ".safetensors"):
        return path.with_suffix(".safetensors"), path.with_suffix(".json")
    return path / "model.safetensors", path / "model.json"


def save_model(path, model: Autoencoder, exp: Experiment, metrics: dict | None = None,
               extra: dict | None = None, files: dict[str, bytes] | None = None) -> Path:
    """Write weights and sidecar; returns the sidecar path. `path` as in model_paths. `files`
    (plain name -> bytes: metrics.csv, a taught model's glyph file) are saved with them as one:
    a crash leaves all of them from this save or all from the previous one. Files the model
    names (data.extra_glyphs) are copied beside it and named relative to it, so the folder can
    be moved; files the previous model there had and this one has not are removed."""
    import torch
    from safetensors.torch import save as st_save
    if model.k != 1:
        model = model.select(0)
    weights_path, meta_path = model_paths(path)
    folder = weights_path.parent
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.named_weights(0).items()}
    blob = st_save(tensors, metadata={"format": FORMAT})
    files = dict(files or {})
    reserved = {weights_path.name, meta_path.name}
    try:
        stored = modelpaths.stored(exp.to_dict(), folder, files, reserved)
    except OSError as e:
        from aegui.core.files.errors import user_message
        raise ModelFileError(user_message(e)) from None
    meta = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "weights_file": weights_path.name,
        "weights_sha256": hashlib.sha256(blob).hexdigest(),
        "experiment": stored,
        "metrics": metrics or {},
        "aegui_version": aegui.__version__, "torch_version": torch.__version__,
        "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    meta.update(extra or {})
    files.update({weights_path.name: blob, meta_path.name: (json.dumps(meta, indent=2) + "\n").encode()})
    try:
        with lock.holding(folder, weights_path.stem):
            own = (weights_path.name, meta_path.name, _metrics_name(path))
            whole = Path(path).suffix not in (".json", ".safetensors")
            gone = (modelpaths.owned(_old_sidecar(meta_path), own, folder, whole)
                    - modelpaths.owned(meta, (), folder, whole) - set(files))
            # All or nothing: a kill between plain writes left new weights beside an old sidecar
            # or an old metrics.csv (tests/core/files/test_crash_safety.py).
            write_set(folder, weights_path.stem, {**files, **dict.fromkeys(sorted(gone))})
    except lock.FolderBusy as e:
        raise ModelFileError(str(e)) from None
    return meta_path


def _metrics_name(path) -> str:
    # As aegui.core.train.history.metrics_path names it (that module needs more than files do).
    path = Path(path)
    return path.with_suffix(".metrics.csv").name if path.suffix in (".json", ".safetensors") else "metrics.csv"


def _old_sidecar(meta_path: Path) -> dict:
    """The sidecar a save replaces, for the files that went with it ({} when none or unreadable)."""
    return existing_sidecar(meta_path) or {}


def existing_sidecar(meta_path: Path) -> dict | None:
    """The aegui sidecar already at `meta_path`, or None when there is none, it cannot be read
    (a pipe, a device, damaged JSON) or it is not aegui's: read like any model file, so what a
    folder holds never blocks or floods the save that looks at it."""
    if not meta_path.exists():
        return None
    try:
        meta = _parse_sidecar(meta_path, _read_part(meta_path))
    except ModelFileError:
        return None
    return meta if isinstance(meta, dict) and meta.get("format") == FORMAT else None


def rename_model(path, name: str) -> Path:
    """Give the model saved at `path` a new name: its sidecar is rewritten in one atomic write with
    the experiment's name changed and everything else (the weights' hash included) as it was.
    Returns the sidecar path; ModelFileError when there is no readable sidecar there."""
    _, meta_path = model_paths(path)
    meta = _parse_sidecar(meta_path, _read_part(meta_path))
    if not isinstance(meta, dict) or not isinstance(meta.get("experiment"), dict):
        raise ModelFileError(f"{meta_path}: not an aegui model description")
    meta["experiment"]["name"] = str(name)
    atomic_write_text(meta_path, json.dumps(meta, indent=2) + "\n")
    return meta_path


def _looks_like_safetensors(head: bytes, size: int) -> bool:
    """An 8-byte little-endian header length that fits the file, then the JSON header."""
    return len(head) > 8 and struct.unpack("<Q", head[:8])[0] <= size - 8 and head[8:9] == b"{"


def _refuse_unsafe(path: Path, head: bytes, size: int | None = None) -> None:
    # A header of 640 + 256 n bytes also starts with 0x80, as a pickle does: a real
    # safetensors file (header length within the file, then "{") is not refused.
    if size is not None and _looks_like_safetensors(head, size):
        return
    if head[:1] == b"\x80" or head[:2] == b"PK":
        raise ModelFileError(
            f"{path}: this is a pickle / PyTorch checkpoint. aegui never unpickles files, because "
            "loading a pickle can run any code. Save the weights with safetensors, or train the "
            "model in aegui.")


def _parse_sidecar(meta_path: Path, raw: bytes):
    from aegui.core.files.jsonfile import parse_json
    try:
        return parse_json(raw, meta_path)
    except ConfigError as e:
        raise ModelFileError(f"{meta_path}: not a JSON model description ({e.problem})") from None


def _read_part(path: Path) -> bytes:
    """Bytes of one of a model's two files, refused at once if they are a pickle."""
    from aegui.core.files.userfile import read_file
    try:
        blob = read_file(path, "weights" if path.suffix == ".safetensors" else "model")
    except FileNotFoundError:
        raise ModelFileError(f"{path}: file not found; a model is a .safetensors file with a "
                             ".json file of the same name beside it") from None
    except OSError as e:
        from aegui.core.files.errors import user_message
        raise ModelFileError(user_message(e, path)) from None
    _refuse_unsafe(path, blob[:9], len(blob))
    return blob


def _read_weights(path: Path) -> tuple[bytes, dict[str, torch.Tensor]]:
    blob = _read_part(path)
    if len(blob) < 8 or struct.unpack("<Q", blob[:8])[0] > len(blob) - 8 or blob[8:9] != b"{":
        raise ModelFileError(f"{path}: not a safetensors file")
    from safetensors.torch import load as st_load
    try:
        return blob, st_load(blob)
    except Exception as e:   # safetensors raises its own error types for corrupt data
        raise ModelFileError(f"{path}: the safetensors file is damaged ({e})") from None


def _check_values(path: Path, tensors: dict) -> None:
    """Weights are real numbers: NaN / inf (a diverged or damaged model) would make every output
    wrong, or stop a chart's range, and bool / integer tensors were converted without a word."""
    import torch
    floats = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
    for name, t in tensors.items():
        if t.dtype not in floats:
            raise ModelFileError(f"{path}: tensor {shown(name)} holds {str(t.dtype).removeprefix('torch.')} values; "
                                 "model weights are floating-point numbers, so the file is damaged or "
                                 "not an aegui model")
        if not bool(torch.isfinite(t).all()):
            what = "not-a-number (NaN)" if bool(torch.isnan(t).any()) else "infinite"
            raise ModelFileError(f"{path}: tensor {shown(name)} holds {what} values; the model diverged or the "
                                 "file is damaged: train it again")


def load_model(path) -> tuple[Autoencoder, Experiment, dict]:
    """Load (model, experiment, sidecar dict); ModelFileError with a sentence on any problem."""
    path = Path(path)
    if path.is_file() and path.suffix not in (".json", ".safetensors"):
        from aegui.core.files.userfile import open_file
        try:
            with open_file(path, "weights") as fh:
                _refuse_unsafe(path, fh.read(8))
        except OSError as e:
            from aegui.core.files.errors import user_message
            raise ModelFileError(user_message(e, path)) from None
        raise ModelFileError(f"{path}: not an aegui model; a model is a .json file with a .safetensors "
                             "file of the same name beside it (or the folder holding them)")
    weights_path, meta_path = model_paths(path)
    recovered = recover(weights_path.parent, weights_path.stem) if weights_path.parent.is_dir() else None
    meta = _parse_sidecar(meta_path, _read_part(meta_path))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{meta_path}: not an aegui model description (no \"format\": \"{FORMAT}\")")
    version = meta.get("format_version", 0)
    if type(version) is not int or not isinstance(meta.get("weights_sha256", ""), str):
        # Found by tests/core/test_fuzz_readers.py: "2" > 1 raised a TypeError.
        raise ModelFileError(f"{meta_path}: format_version must be a whole number and weights_sha256 "
                             "text; the model description was edited or damaged")
    if version > FORMAT_VERSION:
        raise ModelFileError(f"{meta_path}: written by a newer aegui (format {meta['format_version']}); "
                             "update aegui to open it")
    try:
        exp = experiment_from_dict(modelpaths.resolved(meta.get("experiment"), meta_path.parent),
                                   str(meta_path))
    except ConfigError as e:
        raise ModelFileError(f"{meta_path}: the stored experiment is invalid ({e})") from None
    blob, tensors = _read_weights(weights_path)
    _check_values(weights_path, tensors)
    digest = hashlib.sha256(blob).hexdigest()
    if meta.get("weights_sha256") and meta["weights_sha256"] != digest:
        raise ModelFileError(f"{weights_path}: the weights do not match the hash in {meta_path.name}; "
                             "the files were changed or mixed up")
    # The sidecar alone must not make us allocate: layers of 10^9 units would, before the
    # weights were found not to fit (found by tests/core/test_fuzz_readers.py).
    try:
        wanted = parameter_count(exp.model)
    except (ValueError, IndexError, ZeroDivisionError) as e:
        raise ModelFileError(f"{meta_path}: the stored model cannot be laid out ({e})") from None
    stored = sum(t.numel() for t in tensors.values())
    if wanted > stored:
        raise ModelFileError(f"{weights_path}: does not fit the model described in {meta_path.name}: "
                             f"it holds {stored:,} weights and the model needs {wanted:,}")
    model = build_model(exp.model, 1)
    try:
        model.load_named_weights(tensors, 0)
    except (KeyError, ValueError) as e:
        raise ModelFileError(f"{weights_path}: does not fit the model described in "
                             f"{meta_path.name}: {e}") from None
    model.eval()
    if recovered:
        meta["recovered"] = recovered     # which of an interrupted save's two versions this is
    return model, exp, meta
