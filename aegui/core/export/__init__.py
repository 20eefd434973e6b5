"""A trained model as a readable numpy-only Python script (`aegui export`, File > Export model
as…): the network written out layer by layer, its weights in a .npz beside it, the data `aegui
eval` reads for it, and the evaluation that prints `aegui eval`'s numbers; with `train`, a training
loop from scratch for fully connected models. plan.py turns a network into layers, data_pack.py
packs its data, script.py writes the text from the sources in *_source.py; here the target is
checked and both files are written as one."""
from __future__ import annotations

import errno
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aegui.core.export.plan import ExportError, plan_of

__all__ = ["ExportError", "Exported", "check_target", "export_model", "export_saved"]

SUFFIX = ".py"


@dataclass(frozen=True)
class Exported:
    script: Path
    weights: Path
    script_bytes: int
    weights_bytes: int
    forward_only: bool


def check_target(path) -> Path:
    """The script's path, or ExportError (one sentence naming it and what to do) when it cannot be
    one: not a .py name, a folder, inside a file, or its .npz's name taken by a folder."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; name the script to write inside it, e.g. {path / 'model.py'}")
    if path.suffix.lower() != SUFFIX:
        raise ExportError(f"{path}: the exported script's name must end in .py, e.g. "
                          f"{path.with_name(path.stem + SUFFIX)} (its weights go beside it as a .npz)")
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ExportError(f"{blocking}: is a file, not a folder, so {path.name} cannot go inside it; "
                          "choose another place for the script")
    npz = path.with_suffix(".npz")
    if npz.is_dir():
        raise ExportError(f"{npz}: a folder of that name is in the way of the script's weights; move it "
                          "or choose another name for the script")
    return path


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _write(script: Path, text: str, arrays: dict) -> tuple[int, int]:
    """Both files as one (files.fileset.write_set): a failure leaves the previous pair or none."""
    from aegui.core.files.errors import os_problem
    from aegui.core.files.fileset import write_set
    weights = _npz_bytes(arrays)
    data = text.encode("utf-8")
    try:
        # Its own key, so a script named model.py beside a model's files never meets that model's save.
        write_set(script.parent, f"{script.stem}.export", {script.name: data, script.with_suffix(".npz").name: weights})
    except OSError as e:
        # A write refused is the folder's, not the file's (files.errors words it for reading).
        problem = "permission denied; choose a folder you may write to" if e.errno in (errno.EACCES, errno.EPERM) \
            else os_problem(e)
        raise ExportError(f"{script}: {problem} (nothing was written)") from None
    return len(data), len(weights)


def export_model(model, exp, dataset, path, train: bool = False, name: str | None = None) -> Exported:
    """Write the script of a K = 1 network `model` with its Experiment and the dataset it is
    evaluated on (what `aegui eval` reads: datasets.from_config of exp.data) to `path` (.py) and its
    weights and data to the .npz of the same name. ExportError for a target or model it cannot
    write (nothing is written then)."""
    import aegui
    from aegui.core.data.sources import reads_glyphs
    from aegui.core.export import data_pack, script as S
    from aegui.core.export import training_source as T
    target = check_target(path)
    name = name or exp.name
    if dataset.dim != model.input_dim:
        raise ExportError(f"{name}: its data {dataset.name} has {dataset.dim} values a sample and the model "
                          f"reads {model.input_dim}; open the model with its own data and export again")
    plan = plan_of(model, name)
    if train:
        T.check(plan, exp, name)
    pack = data_pack.pack(dataset, reads_glyphs(exp.data), exp.data.val_split, exp.data.split_seed)
    text = S.build(name, exp, plan, pack, target, train, aegui.__version__)
    arrays = {**plan.weights, **pack.arrays}
    n_script, n_weights = _write(target, text, arrays)
    return Exported(target, target.with_suffix(".npz"), n_script, n_weights, not plan.dense_only)


def export_saved(model_path, path, train: bool = False) -> Exported:
    """export_model of a saved model (a folder, or its .json / .safetensors), read as `aegui eval`
    reads it: runs.storage.load_model and its data section's samples."""
    from aegui.core.data.datasets import from_config
    from aegui.core.runs.storage import load_model
    check_target(path)                       # before the model and its data are read
    model, exp, _ = load_model(model_path)
    return export_model(model, exp, from_config(exp.data), path, train)
