"""The export formats, one registration each: a target's suffix picks the writer. A format is its
own module under aegui/core/export/ plus one `register` call at the bottom of that module, named in
FORMAT_MODULES so it is imported when a target is checked."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Callable

# Each module registers itself on import; the order is the order menus and messages list them.
FORMAT_MODULES = ("aegui.core.export.script_file", "aegui.core.export.notebook_file",
                  "aegui.core.export.web_page", "aegui.core.export.onnx_file")


@dataclass(frozen=True)
class Format:
    suffix: str                 # ".py", lower case, with its dot
    title: str                  # what a file dialog's filter calls it, e.g. "Python scripts"
    # write(model, exp, dataset, path, train, name) -> Exported; ExportError for what it cannot write
    write: Callable
    # check(path) -> None; ExportError for a target only this format refuses (a .npz name taken, ...)
    check: Callable | None = None


_FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> None:
    _FORMATS[fmt.suffix.lower()] = fmt


def formats() -> list[Format]:
    for name in FORMAT_MODULES:
        import_module(name)
    return list(_FORMATS.values())


def by_suffix(suffix: str) -> Format | None:
    return {f.suffix: f for f in formats()}.get(suffix.lower())
