"""The layouts MNIST-style data comes in, each read into the official training and test sets:

- IDX files (.gz or plain): train-images-idx3-ubyte[.gz] with its labels beside it; the test
  files beside them (t10k-images..., or NAME-test-images... as EMNIST names them);
- a folder holding such files, torchvision's root (MNIST/raw, FashionMNIST/raw, KMNIST/raw,
  EMNIST/raw) or its raw/ folder itself;
- Keras' .npz (mnist.npz, fashion-mnist npz): arrays x_train, y_train, x_test, y_test.

`find_layout(path)` says what a path holds; `load(layout, ...)` gives (train, test or None).
No Qt, no torch, no Pillow: data_shape imports this on the GUI thread.
"""
from __future__ import annotations

import gzip
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aegui.core.schema.experiment import ConfigError, DataConfig

IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049
TORCHVISION_FOLDERS = ("MNIST", "FashionMNIST", "KMNIST", "EMNIST", "QMNIST")
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")


@dataclass(frozen=True)
class Layout:
    """Where an MNIST-style dataset's files are: IDX files (with or without labels and test files) or Keras'
    mnist.npz."""
    kind: str                                 # "idx" or "npz"
    train_images: Path
    train_labels: Path | None = None
    test_images: Path | None = None
    test_labels: Path | None = None

    @property
    def has_test(self) -> bool:
        """Whether it comes with test images."""
        return self.test_images is not None


def write_idx(path, array: np.ndarray) -> Path:
    """uint8 images [N, H, W] or labels [N] as an IDX file; gzip-compressed when the name ends
    in .gz (tests and benchmarks build MNIST-shaped files with it)."""
    a = np.ascontiguousarray(array, dtype=np.uint8)
    magic = IMAGES_MAGIC if a.ndim == 3 else LABELS_MAGIC
    head = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in a.shape)
    raw = head + a.tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(raw, compresslevel=1, mtime=0) if path.suffix == ".gz" else raw)
    return path


def _first(folder: Path, stems) -> Path | None:
    for stem in stems:
        for name in (stem, stem + ".gz"):
            if (folder / name).is_file():
                return folder / name
    return None


def _partner(images: Path, old: str, new: str) -> Path | None:
    """The file named like `images` with `old` swapped for `new` (.gz or not)."""
    name = images.name[:-3] if images.name.endswith(".gz") else images.name
    if old not in name:
        return None
    return _first(images.parent, [name.replace(old, new)])


def _labels_for(images: Path) -> Path | None:
    name = images.name[:-3] if images.name.endswith(".gz") else images.name
    if "images" not in name:
        return None
    return _first(images.parent, [name.replace("images", "labels").replace("idx3", "idx1")])


def _idx_layout(train_images: Path, labels: Path | None = None) -> Layout:
    test = _partner(train_images, "train", "t10k") or _partner(train_images, "train", "test")
    return Layout("idx", train_images, labels or _labels_for(train_images), test,
                  _labels_for(test) if test else None)


def _folder_idx(folder: Path) -> Path | None:
    """The training images file in a folder: train-images-idx3-ubyte, or NAME-train-images-...
    (EMNIST), .gz or not; None if there is none or more than one kind."""
    found = sorted(p for p in folder.iterdir() if p.is_file() and "train-images" in p.name and "idx3" in p.name)
    plain = [p for p in found if not p.name.endswith(".gz")]
    return (plain or found)[0] if found else None


def find_layout(path, labels_path: str = "") -> Layout:
    """What `path` holds; ConfigError naming data.path when it is none of the layouts."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ConfigError("data.path", f"{p}: not found; check the path (an IDX images file, a "
                          "folder of IDX files, torchvision's MNIST/raw folder or Keras' mnist.npz)")
    if p.is_file():
        if p.suffix == ".npz":
            return Layout("npz", p)
        return _idx_layout(p, Path(labels_path).expanduser() if labels_path else None)
    candidates = [p, p / "raw"] + [p / name / "raw" for name in TORCHVISION_FOLDERS]
    for folder in candidates:
        if folder.is_dir():
            images = _folder_idx(folder)
            if images is not None:
                return _idx_layout(images, Path(labels_path).expanduser() if labels_path else None)
    npz = sorted(p.glob("*.npz"))
    if len(npz) == 1:
        return Layout("npz", npz[0])
    raise ConfigError("data.path", f"{p}: no MNIST-style files in this folder (looked for "
                      "train-images-idx3-ubyte[.gz] here, in raw/ and in torchvision's MNIST/raw, and "
                      "for one Keras .npz); pick the images file itself")


def _refuse_special(path: Path) -> None:
    """np.load and zipfile open by name: a FIFO would block them, /dev/zero fill memory."""
    from aegui.core.files.errors import os_problem
    from aegui.core.files.userfile import check_file
    try:
        check_file(path, "npz")
    except OSError as e:
        raise ConfigError("data.path", f"{path}: {os_problem(e)}") from None


def _npz_arrays(path: Path) -> dict[str, np.ndarray]:
    _refuse_special(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in NPZ_KEYS if k not in z.files]
            if missing:
                raise ConfigError("data.path", f"{path}: a Keras-style .npz needs arrays "
                                  f"{', '.join(NPZ_KEYS)}; it lacks {', '.join(missing)} (it has "
                                  f"{', '.join(z.files) or 'none'})")
            return {k: np.asarray(z[k]) for k in NPZ_KEYS}
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise ConfigError("data.path", f"{path}: not a readable .npz file ({e}); download it again") from None


def npz_shape(path: Path) -> tuple[int, ...]:
    """(rows, columns) of x_train in a Keras .npz, from the array's header only."""
    _refuse_special(path)
    try:
        with zipfile.ZipFile(path) as z, z.open("x_train.npy") as fh:
            version = np.lib.format.read_magic(fh)
            fmt = np.lib.format
            if version == (1, 0):
                shape = fmt.read_array_header_1_0(fh)[0]
            elif version == (2, 0):
                shape = fmt.read_array_header_2_0(fh)[0]
            else:
                shape = np.load(path)["x_train"].shape
    except KeyError:
        raise ConfigError("data.path", f"{path}: a Keras-style .npz needs an x_train array") from None
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise ConfigError("data.path", f"{path}: not a readable .npz file ({e})") from None
    if len(shape) != 3:
        raise ConfigError("data.path", f"{path}: x_train has shape {shape}; expected [N, rows, columns]")
    return tuple(int(s) for s in shape[1:])


def _images(a: np.ndarray, path: Path, key: str) -> np.ndarray:
    if a.ndim != 3 or a.dtype.kind not in "uif":
        raise ConfigError("data.path", f"{path}: {key} has shape {a.shape} ({a.dtype}); expected "
                          "[N, rows, columns] of pixel values 0-255")
    return a


def arrays(layout: Layout, read_idx) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """(train images, train labels, test images, test labels) as stored (uint8 for IDX);
    `read_idx(path, magic, field)` is image_data.read_idx (passed in: it imports Pillow)."""
    if layout.kind == "npz":
        z = _npz_arrays(layout.train_images)
        return (_images(z["x_train"], layout.train_images, "x_train"), z["y_train"].reshape(-1),
                _images(z["x_test"], layout.train_images, "x_test"), z["y_test"].reshape(-1))
    out = [read_idx(layout.train_images, IMAGES_MAGIC, "data.path"),
           read_idx(layout.train_labels, LABELS_MAGIC, "data.labels_path") if layout.train_labels else None,
           read_idx(layout.test_images, IMAGES_MAGIC, "data.path") if layout.test_images else None,
           read_idx(layout.test_labels, LABELS_MAGIC, "data.labels_path") if layout.test_labels else None]
    return tuple(out)


def layout(data: DataConfig) -> tuple[Layout, object]:
    """(the files' layout, the catalogue entry or None) of an idx-source DataConfig."""
    if data.catalogue:
        from aegui.core.data.catalogue import entry
        from aegui.core.data.fetch import FetchError
        from aegui.core.data.local_files import dataset_files
        try:
            e = entry(data.catalogue)
            files = dataset_files(e.name)      # the download cache, or a folder added by the user
        except (KeyError, FetchError) as err:
            raise ConfigError("data.catalogue", str(err).strip('"')) from None
        return Layout("idx", files["train_images"], files["train_labels"], files["test_images"],
                        files["test_labels"]), e
    if not data.path.strip():
        raise ConfigError("data.path", "the idx source needs an IDX images file, a folder of them, "
                          "torchvision's MNIST/raw folder, a Keras .npz, or a data.catalogue name")
    return find_layout(data.path, data.labels_path), None


def sample_shape(data: DataConfig, idx_header) -> tuple[int, int]:
    """(rows, columns) of one image, from headers only; `idx_header` is data_shape's. A
    catalogue dataset's shape is known before it is fetched (the builder sizes the model)."""
    if data.catalogue:
        from aegui.core.data.catalogue import entry
        try:
            return tuple(entry(data.catalogue).shape)
        except KeyError as err:
            raise ConfigError("data.catalogue", str(err).strip('"')) from None
    lay, e = layout(data)
    if lay.kind == "npz":
        return npz_shape(lay.train_images)
    _, rows, cols = idx_header(lay.train_images)
    return (cols, rows) if e is not None and e.transposed else (rows, cols)
