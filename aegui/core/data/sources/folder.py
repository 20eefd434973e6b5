"""source "folder": the pictures of a folder (PNG, JPEG, BMP, GIF...), each padded to a square and
resized to data.size px a side; the names of subfolders are the labels."""
from __future__ import annotations

import os
from pathlib import Path

from aegui.core.data.data_shape import image_shape
from aegui.core.data.sources.base import DataSource, FormProblem, form_problem
from aegui.core.schema.experiment import DataConfig

# The revision of the numbers this source gives: raised by a change that makes its samples differ
# (read by the report's key, so rows trained on them are made again).
NUMERICS = 1

SCAN_LIMIT = 200_000     # pictures (or folders) counted before the count gives up: a whole disk


class Folder(DataSource):
    """A folder of the user's pictures, resized to one size and colour mode."""
    name = "folder"
    label = "Image folder"
    fields = ("data.folder", "data.size", "data.color", "data.max_samples")
    path_field = "data.folder"

    def validate(self, data: DataConfig) -> None:
        """A folder must be named."""
        super().validate(data)
        self.require_path(data, "an image folder")

    def sample_shape(self, data: DataConfig) -> tuple[int, ...]:
        """The chosen size and colour mode."""
        return image_shape(data.size, data.color)

    def likely_samples(self, data: DataConfig) -> int | None:
        """The pictures under the folder, counted by name; None while no folder is named or past the scan limit.
        """
        return count_pictures(data.path) if data.path.strip() else None

    def load(self, data: DataConfig, progress=None):
        """The folder's pictures (with `progress` while they load), at most data.max_samples."""
        from aegui.core.data.image_data import folder_dataset
        return folder_dataset(data.path, data.size, data.color, progress=progress, max_samples=data.max_samples)

    def report_files(self, strings) -> list[Path | None]:
        """The folder and the labels file, where the preset names them."""
        return [Path(p) for f in ("path", "labels_path") for p in strings(f) if p]

    def form_checks(self, data: DataConfig) -> list[FormProblem]:
        """The named folder must exist and be a folder."""
        if not data.path:
            return []
        p = Path(data.path).expanduser()
        if not p.exists():
            return [form_problem("data.path", "{path}: folder not found; check the path or choose another",
                                 path=data.path)]
        if not p.is_dir():
            return [form_problem("data.path", "{path}: is a file, not a folder; choose the folder that holds "
                                 "the pictures", path=data.path)]
        return []


def count_pictures(path) -> int | None:
    """The pictures under `path` (hidden files and folders left out); None past SCAN_LIMIT."""
    from aegui.core.data.image_data import IMAGE_SUFFIXES
    n = 0
    for i, (_, dirs, files) in enumerate(os.walk(Path(path).expanduser())):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        n += sum(1 for f in files if not f.startswith(".") and os.path.splitext(f)[1].lower() in IMAGE_SUFFIXES)
        if n > SCAN_LIMIT or i > SCAN_LIMIT:
            return None
    return n
