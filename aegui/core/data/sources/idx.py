"""source "idx": MNIST-style data (IDX files, .gz or not, a folder of them, torchvision's MNIST/raw
folder, Keras' .npz) or a dataset of the catalogue (data.catalogue), with its official test files
kept apart."""
from __future__ import annotations

from pathlib import Path

from aegui.core.data.data_shape import IDX_LABELS_MAGIC, idx_header
from aegui.core.data.sources.base import Count, DataSource, FormProblem, form_problem
from aegui.core.schema.experiment import ConfigError, DataConfig, check

# The revision of the numbers this source gives: raised by a change that makes its samples differ
# (read by the report's key, so rows trained on them are made again).
NUMERICS = 1


class Idx(DataSource):
    """MNIST-style IDX files (or a folder of them, or Keras' mnist.npz), or a catalogue dataset, with their
    official test files."""
    name = "idx"
    label = "MNIST-style IDX files"
    fields = ("data.images", "data.labels_path", "data.classes", "data.max_samples")
    path_field = "data.images"
    official_test = True
    catalogue = True

    def validate(self, data: DataConfig) -> None:
        """An images file must be named unless a catalogue dataset is."""
        super().validate(data)
        if not data.catalogue.strip():
            self.require_path(data, "an IDX images file (e.g. train-images-idx3-ubyte), or a data.catalogue dataset")

    def sample_shape(self, data: DataConfig) -> tuple[int, ...]:
        """From the IDX header (or the catalogue's or folder's layout), without reading the images."""
        if data.catalogue or data.path.strip() and (Path(data.path).expanduser().is_dir()
                                                    or data.path.endswith(".npz")):
            from aegui.core.data.mnist_files import sample_shape as mnist_shape
            return mnist_shape(data, idx_header)
        check(bool(data.path.strip()), "data.path", "the idx source needs an IDX images file "
              "(e.g. train-images-idx3-ubyte); set data.path")
        count, rows, cols = idx_header(data.path)
        if not (count and rows and cols):
            raise ConfigError("data.path", f"{data.path}: holds no images (its header says "
                              f"{count} x {rows} x {cols})")
        return (rows, cols)

    def likely_samples(self, data: DataConfig) -> int | None:
        """The image count in the IDX header; None while no file is named."""
        return idx_header(data.path)[0] if data.path.strip() else None

    def load(self, data: DataConfig, progress=None):
        """The training images (the official test files kept apart)."""
        from aegui.core.data.mnist_sets import train_test
        return train_test(data, want_test=False)[0]

    def test_set(self, data: DataConfig):
        """The official test images."""
        from aegui.core.data.mnist_sets import train_test
        return train_test(data)[1]

    def report_files(self, strings) -> list[Path | None]:
        """The images and labels files the preset names."""
        return [Path(p) for f in ("path", "labels_path") for p in strings(f) if p]

    def given_path(self, path: str) -> dict:
        """The file given is read instead of any catalogue dataset."""
        return {"path": path, "catalogue": ""}      # the file given wins over a catalogue dataset

    def default_name(self, path: str) -> str:
        """The images file's name before "-idx" ("train-images")."""
        return Path(path).name.split("-idx")[0]

    def form_checks(self, data: DataConfig) -> list[FormProblem]:
        """Header-only checks (a few bytes read): the labels file and the class filter."""
        try:
            count = idx_header(data.path)[0] if data.path else None
        except ConfigError:
            count = None          # reported by sample_shape at data.path
        labels = labels_file(data)
        if labels is None:
            return [form_problem("data.classes", "keeping classes needs labels, and no labels file was found "
                                 "beside the images; choose one in Labels file")] if data.classes else []
        try:
            n = idx_header(labels, IDX_LABELS_MAGIC, "data.labels_path")[0]
        except ConfigError as e:
            return [FormProblem(e.field, e.problem)] if data.labels_path else []
        if count is not None and n != count:
            return [form_problem("data.labels_path", "{path}: has {labels} but the images file has {images}; use "
                                 "the labels of the same set", path=labels.name,
                                 labels=Count(n, "1 label", "{n} labels"), images=Count(count, "1 image", "{n} images"))]
        return []


def labels_file(data: DataConfig) -> Path | None:
    """The labels file an idx config will use: the one given, else the one beside the images."""
    if data.labels_path:
        return Path(data.labels_path).expanduser()
    if not data.path:
        return None
    from aegui.core.data.image_data import guess_labels_path
    return guess_labels_path(data.path)
