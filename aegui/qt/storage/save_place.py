"""Where a save dialog opens: the folder the user last saved an export to in this session, else
their Pictures folder (the current directory is wherever the app was started from)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog

_last: list[str] = []


def start_folder() -> str:
    if _last and Path(_last[-1]).is_dir():
        return _last[-1]
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return pictures if pictures and Path(pictures).is_dir() else str(Path.home())


def remember_folder(path) -> None:
    p = Path(path)
    _last.append(str(p if p.is_dir() else p.parent))
    del _last[:-1]


def save_path(parent, title: str, name: str, filters: str, suffix: str) -> str:
    """Ask where to save `name` (starting in start_folder()); "" when cancelled; the suffix added
    when the user left it out."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(start_folder()) / name), filters)
    if path and suffix and not path.lower().endswith(suffix):
        path += suffix
    return path
