"""The .py format: a trained model as a readable numpy-only Python script, the network written out
layer by layer, its weights in a .npz beside it, the data `aegui eval` reads for it, and the
evaluation that prints `aegui eval`'s numbers; with `train`, a training loop from scratch for fully
connected models. plan.py turns a network into layers, data_pack.py packs its data, script.py
writes the text from the sources in *_source.py; here both files are written as one.

The .ipynb format (notebook_file.py) is the same code with the same .npz: it reads its model
through `numpy_export` and writes through `write_with_npz`."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aegui.core.export.formats import Format, register
from aegui.core.export.plan import ExportError, Plan, plan_of
from aegui.core.export.target import Exported, check_target, write_files


def check_npz(path: Path) -> None:
    """ExportError when the .npz beside `path` (its weights and data) is a folder."""
    npz = path.with_suffix(".npz")
    if npz.is_dir():
        raise ExportError(f"{npz}: a folder of that name is in the way of the weights of {path.name}; move it "
                          f"or choose another name for {path.name}")


@dataclass
class NumpyExport:
    """What a numpy-only export (script or notebook) is written from."""
    target: Path
    name: str                   # the model's, as the export says it
    plan: Plan
    pack: object                # data_pack.DataPack
    version: str                # aegui's

    @property
    def npz(self) -> Path:
        return self.target.with_suffix(".npz")


def numpy_export(model, exp, dataset, path, train: bool, name: str | None) -> NumpyExport:
    """The target checked, the network planned and the data packed; ExportError (nothing written)
    for a target or model the export cannot use, or a training loop it cannot write."""
    import aegui
    from aegui.core.data.sources import reads_glyphs
    from aegui.core.export import data_pack
    from aegui.core.export import training_source as T
    target = check_target(path)
    name = name or exp.name
    plan = plan_of(model, name)
    if train:
        T.check(plan, exp, name)
    pack = data_pack.pack(dataset, reads_glyphs(exp.data), exp.data.val_split, exp.data.split_seed)
    return NumpyExport(target, name, plan, pack, aegui.__version__)


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def write_with_npz(out: NumpyExport, text: str) -> Exported:
    """`text` to the target and the weights and data to the .npz beside it, as one set."""
    target = out.target
    data = text.encode("utf-8")
    weights = _npz_bytes({**out.plan.weights, **out.pack.arrays})
    # Its own key, so an export named model.py beside a model's files never meets that model's save.
    write_files(target, f"{target.stem}.export", {target.name: data, out.npz.name: weights})
    return Exported(target, out.npz, len(data), len(weights), not out.plan.dense_only)


def write_script(model, exp, dataset, path, train: bool = False, name: str | None = None) -> Exported:
    """Write the script of a K = 1 network `model` with its Experiment and the dataset it is
    evaluated on (what `aegui eval` reads: datasets.from_config of exp.data) to `path` (.py) and its
    weights and data to the .npz of the same name. ExportError for a target or model it cannot
    write (nothing is written then)."""
    from aegui.core.export import script as S
    out = numpy_export(model, exp, dataset, path, train, name)
    return write_with_npz(out, S.build(out.name, exp, out.plan, out.pack, out.target, train, out.version))


register(Format(".py", "Python scripts", write_script, check_npz))
