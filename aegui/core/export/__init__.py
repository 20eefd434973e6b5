"""A trained model taken out of aegui (`aegui export`, File > Export model as…): the target's suffix
picks the format (formats.py; one module each, e.g. script_file.py for a numpy-only .py script).
target.py checks the target before anything is read and writes each format's files as one set."""
from __future__ import annotations

from pathlib import Path

from aegui.core.export.formats import by_suffix, formats
from aegui.core.export.plan import ExportError
from aegui.core.export.target import Exported, check_target

__all__ = ["ExportError", "Exported", "check_target", "export_model", "export_saved", "formats"]


def export_model(model, exp, dataset, path, train: bool = False, name: str | None = None) -> Exported:
    """Write `model` (a K = 1 network) with its Experiment and the dataset it is evaluated on (what
    `aegui eval` reads: datasets.from_config of exp.data) to `path`, in the format its suffix names.
    ExportError for a target or model it cannot write (nothing is written then)."""
    target = check_target(path)
    if dataset.dim != model.input_dim:
        raise ExportError(f"{name or exp.name}: its data {dataset.name} has {dataset.dim} values a sample and "
                          f"the model reads {model.input_dim}; open the model with its own data and export again")
    return by_suffix(target.suffix).write(model, exp, dataset, target, train, name)


def export_saved(model_path, path, train: bool = False) -> Exported:
    """export_model of a saved model (a folder, or its .json / .safetensors), read as `aegui eval`
    reads it: runs.storage.load_model and its data section's samples."""
    from aegui.core.data.datasets import from_config
    from aegui.core.runs.storage import load_model
    check_target(Path(path))                 # before the model and its data are read
    model, exp, _ = load_model(model_path)
    return export_model(model, exp, from_config(exp.data), path, train)
