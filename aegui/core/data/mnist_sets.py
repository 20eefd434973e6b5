"""MNIST-style data as Datasets with the official split honoured: training (and validation) from
the training files, the test files kept apart for the reported accuracy / reconstruction error.
Reads every layout of mnist_files (IDX .gz or plain, a folder, torchvision's raw/, Keras' .npz)
and catalogue datasets fetched into the cache (data.catalogue)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from aegui.core.schema.experiment import ConfigError, DataConfig
from aegui.core.data import mnist_files as M
from aegui.core.data.dataset import Dataset
from aegui.core.data.image_data import _classed_dataset, idx_dataset, read_idx


def _dataset(name, images, targets, data: DataConfig, max_samples: int, e, source: str) -> Dataset:
    if e is not None and e.transposed:
        images = images.transpose(0, 2, 1)
    scale = 255.0 if images.dtype == np.uint8 or images.max(initial=0) > 1 else 1.0
    ds = _classed_dataset(name, images, targets, scale, data.classes, max_samples, source)
    if e is not None and e.class_names and targets is not None:
        names = e.class_names
        ds.labels = [names[int(lab) - e.label_offset] if 0 <= int(lab) - e.label_offset < len(names) else lab
                     for lab in ds.labels]
    return ds


def train_test(data: DataConfig, want_test: bool = True) -> tuple[Dataset, Dataset | None]:
    """(the training set, the official test set or None when the layout has none)."""
    plain = not data.catalogue and data.path.strip() and not data.path.endswith(".npz") \
        and not Path(data.path).expanduser().is_dir()
    if plain:
        # An IDX images file: read as always; the test files beside it, if any, apart.
        train = idx_dataset(data.path, data.labels_path or None, data.classes, data.max_samples)
        if not want_test:
            return train, None
        lay = M.find_layout(data.path, data.labels_path)
        if lay.test_images is None:
            return train, None
        x_te = read_idx(lay.test_images, M.IMAGES_MAGIC, "data.path")
        y_te = read_idx(lay.test_labels, M.LABELS_MAGIC, "data.labels_path") if lay.test_labels else None
        if y_te is not None and len(y_te) != len(x_te):
            y_te = None
        # Named after its own file: "train-images-idx3-ubyte (test)" read as the training file.
        return train, _dataset(_plain(lay.test_images), x_te, y_te, data, 0, None, lay.test_images.name)
    lay, e = M.layout(data)
    x_tr, y_tr, x_te, y_te = M.arrays(lay, read_idx)
    if y_tr is not None and len(y_tr) != len(x_tr):
        raise ConfigError("data.labels_path", f"{lay.train_labels or lay.train_images}: has {len(y_tr)} labels "
                          f"for {len(x_tr)} images; use the labels of the same set")
    base = e.name if e is not None else _stem(lay.train_images)
    train = _dataset(base if e is not None or lay.kind == "npz" else _plain(lay.train_images), x_tr, y_tr,
                     data, data.max_samples, e, lay.train_images.name)
    test = None
    if want_test and x_te is not None:
        if y_te is not None and len(y_te) != len(x_te):
            y_te = None
        name = f"{base} (test)" if e is not None or lay.kind == "npz" else _plain(lay.test_images)
        test = _dataset(name, x_te, y_te, data, 0, e, (lay.test_images or lay.train_images).name)
    return train, test


def _plain(p: Path) -> str:
    return p.name[:-3] if p.name.endswith(".gz") else p.name


def _stem(p: Path) -> str:
    return p.stem if p.suffix == ".npz" else _plain(p)
