"""The .py format: a trained model as a readable numpy-only Python script, the network written out
layer by layer, its weights in a .npz beside it, the data `aegui eval` reads for it, and the
evaluation that prints `aegui eval`'s numbers; with `train`, a training loop from scratch for fully
connected models. plan.py turns a network into layers, data_pack.py packs its data, script.py
writes the text from the sources in *_source.py; here both files are written as one."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from aegui.core.export.formats import Format, register
from aegui.core.export.plan import ExportError, plan_of
from aegui.core.export.target import Exported, check_target, write_files


def check_script(path: Path) -> None:
    """ExportError when the script's .npz name is taken by a folder."""
    npz = path.with_suffix(".npz")
    if npz.is_dir():
        raise ExportError(f"{npz}: a folder of that name is in the way of the script's weights; move it "
                          "or choose another name for the script")


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def write_script(model, exp, dataset, path, train: bool = False, name: str | None = None) -> Exported:
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
    plan = plan_of(model, name)
    if train:
        T.check(plan, exp, name)
    pack = data_pack.pack(dataset, reads_glyphs(exp.data), exp.data.val_split, exp.data.split_seed)
    text = S.build(name, exp, plan, pack, target, train, aegui.__version__)
    arrays = {**plan.weights, **pack.arrays}
    data = text.encode("utf-8")
    weights = _npz_bytes(arrays)
    # Its own key, so a script named model.py beside a model's files never meets that model's save.
    write_files(target, f"{target.stem}.export", {target.name: data, target.with_suffix(".npz").name: weights})
    return Exported(target, target.with_suffix(".npz"), len(data), len(weights), not plan.dense_only)


register(Format(".py", "Python scripts", write_script, check_script))
