"""Image datasets: the shipped emoji, a folder of pictures, MNIST-style IDX files, sklearn's
8x8 digits. No Qt, no torch: each loader returns a `Dataset` whose `x` is [N, D] float32 in
[0, 1], flattened row-major from (H, W) or (H, W, C), with `shape` (H, W), (H, W, 3) or (H, W, 4).

Colour conventions (the same as `images.to_pil`):
- "gray": 1 = ink. The picture is composed onto white and inverted, so a white or transparent
  background is 0 and black is 1 (like the 5x7 glyphs, MNIST and the sklearn digits).
- "rgb": the picture composed onto white; 1 = full intensity, so a transparent pixel is white.
- "rgba": straight (not premultiplied) colour plus alpha, as stored.

Bad input raises `ConfigError` naming the config field (data.path, data.size, ...) and the
file; a folder with some unreadable files loads the rest and says which in one message in
`Dataset.warnings`.
"""
from __future__ import annotations

import csv
import gzip
import io
import math
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import numpy as np

if TYPE_CHECKING:
    from PIL import Image   # imported where a picture is read: training on glyphs or IDX never loads Pillow

from aegui.core.schema.experiment import COLORS, ConfigError, EMOJI_SIZES, IMAGE_SIZE_RANGE, shown
from aegui.core.data.dataset import Dataset, spread_indices
from aegui.core.files.paths import resources_dir
from aegui.core.files.sysmem import ram_available

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
IDX_IMAGES_MAGIC = 2051     # 0x00000803: unsigned bytes, 3 dimensions (count, rows, columns)
IDX_LABELS_MAGIC = 2049     # 0x00000801: unsigned bytes, 1 dimension (count)
_LISTED_FAILURES = 8        # unreadable files named in the warning; the rest are counted
_DEFLATE_MAX = 1032         # the most bytes one packed byte unpacks to (zlib's own figure)

Progress = Callable[[int, int], object]


# ---------------------------------------------------------------- pixels

def channels(color: str) -> int:
    """The channels of a colour mode: gray 1, rgb 3, rgba 4."""
    return {"gray": 1, "rgb": 3, "rgba": 4}[color]


def image_shape(size: int, color: str) -> tuple[int, ...]:
    """One picture's shape at this size and colour: (size, size) in grey, else (size, size, channels)."""
    return (size, size) if color == "gray" else (size, size, channels(color))


def rgba_to_array(rgba: np.ndarray, color: str) -> np.ndarray:
    """uint8 RGBA [..., H, W, 4] -> float32 in [0, 1]: [..., H, W] for gray (1 = ink),
    [..., H, W, 3] composed onto white for rgb, [..., H, W, 4] for rgba."""
    if color not in COLORS:
        raise ConfigError("data.color", f"{shown(color)} is not one of {', '.join(COLORS)}")
    f = np.asarray(rgba, dtype=np.float32) / 255.0
    if color == "rgba":
        return f
    alpha = f[..., 3:4]
    rgb = f[..., :3] * alpha + (1.0 - alpha)           # onto white
    if color == "rgb":
        return np.clip(rgb, 0.0, 1.0)
    lum = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)   # ITU-R 601, as Pillow's "L"
    return np.clip(1.0 - lum, 0.0, 1.0)


def _as_rgba(im: Image.Image) -> Image.Image:
    """Any Pillow mode as RGBA; 16-bit and float greys are scaled to 8 bits first."""
    from PIL import Image
    if im.mode in ("I", "F") or im.mode.startswith("I;"):
        arr = np.asarray(im, dtype=np.float64)
        if im.mode.startswith("I;16") or (arr.size and arr.max() > 255):
            arr = arr / 257.0
        im = Image.fromarray(np.clip(arr, 0, 255).round().astype(np.uint8), "L")
    return im.convert("RGBA") if im.mode != "RGBA" else im


def square_resize(im: Image.Image, size: int) -> Image.Image:
    """RGBA padded to a centred square with transparent white, then resized (LANCZOS) to
    size x size. Pillow resizes RGBA premultiplied, so the padding does not bleed colour."""
    from PIL import Image
    w, h = im.size
    side = max(w, h)
    if w != h:
        canvas = Image.new("RGBA", (side, side), (255, 255, 255, 0))
        canvas.paste(im, ((side - w) // 2, (side - h) // 2))
        im = canvas
    if side != size:
        im = im.resize((size, size), Image.LANCZOS)
    return im


# A picture is decoded whole, made RGBA and padded to a square before it is shrunk: a few
# copies of side x side x 4 bytes. A damaged PNG header claiming 13000 x 13000 (under Pillow's
# own bomb limit) took 4.3 GB and a minute (tests/core/test_fuzz_readers.py).
MAX_PICTURE_SIDE = 8192
_PICTURE_COPIES = 4


def load_image_rgba(path, size: int) -> np.ndarray:
    """One picture file (the first frame of an animation) as uint8 RGBA [size, size, 4]."""
    from PIL import Image, ImageOps

    from aegui.core.files.userfile import open_file
    with open_file(path, "picture") as fh, Image.open(fh) as im:
        im.seek(0)
        if im.format == "JPEG":
            im.draft("RGB", (size, size))   # decode big JPEGs at a reduced scale, still >= size
        side = max(im.size)
        free = ram_available()
        if side > MAX_PICTURE_SIDE or free is not None and side * side * 4 * _PICTURE_COPIES > free:
            raise ValueError(f"{im.size[0]} x {im.size[1]} pixels is too big; aegui reads pictures up "
                             f"to {MAX_PICTURE_SIDE} pixels a side")
        im = ImageOps.exif_transpose(im)
        im = _as_rgba(im)
        return np.asarray(square_resize(im, size), dtype=np.uint8)


# ---------------------------------------------------------------- emoji

def emoji_dir() -> Path:
    """The shipped emoji pictures' folder, resources/emoji."""
    return resources_dir() / "emoji"


@lru_cache(maxsize=1)
def emoji_index() -> tuple[dict, ...]:
    """The rows of resources/emoji/index.csv (file, short_name, name, category, subcategory,
    unified), in file order."""
    path = emoji_dir() / "index.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        return tuple(dict(row) for row in csv.DictReader(fh))


def emoji_subcategories() -> list[tuple[str, int]]:
    """(subcategory, how many emoji) in index order, e.g. [("face-smiling", 14), ...]."""
    counts: dict[str, int] = {}
    for row in emoji_index():
        counts[row["subcategory"]] = counts.get(row["subcategory"], 0) + 1
    return list(counts.items())


@lru_cache(maxsize=len(EMOJI_SIZES))
def _emoji_pixels(size: int) -> np.ndarray:
    """All shipped emoji as read-only uint8 RGBA [287, size, size, 4]."""
    folder = emoji_dir()
    out = np.stack([load_image_rgba(folder / row["file"], size) for row in emoji_index()])
    out.setflags(write=False)
    return out


def emoji_dataset(size: int = 32, color: str = "gray", subcategories: Iterable[str] = ()) -> Dataset:
    """The shipped Noto emoji at 16, 32 or 64 px; `subcategories` () = all of them. Labels are
    the emoji short names (e.g. "grinning")."""
    if size not in EMOJI_SIZES:
        raise ConfigError("data.size", f"emoji come at {', '.join(map(str, EMOJI_SIZES[:-1]))} or "
                          f"{EMOJI_SIZES[-1]} px, got {shown(size)}; pick one of those")
    if color not in COLORS:
        raise ConfigError("data.color", f"{shown(color)} is not one of {', '.join(COLORS)}")
    wanted = tuple(subcategories)
    known = [name for name, _ in emoji_subcategories()]
    for sub in wanted:
        if sub not in known:
            raise ConfigError("data.subcategories", f"{shown(sub)} is not an emoji subcategory; "
                              f"choose from {', '.join(known)}")
    rows = emoji_index()
    keep = [i for i, row in enumerate(rows) if not wanted or row["subcategory"] in wanted]
    pixels = _emoji_pixels(size)[keep]
    x = rgba_to_array(pixels, color).reshape(len(keep), -1)
    what = "+".join(wanted) if wanted else "all"
    return Dataset(f"emoji {what} ({size}px {color})", np.ascontiguousarray(x, dtype=np.float32),
                   [rows[i]["short_name"] for i in keep], image_shape(size, color))


# ---------------------------------------------------------------- a folder of pictures

def _image_files(root: Path) -> list[Path]:
    files = []
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue   # hidden files and folders (.git, macOS "._x.png" forks)
        if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file():
            files.append(p)
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def folder_dataset(path, size: int = 32, color: str = "gray", labels_from_subfolders: bool = True,
                   progress: Progress | None = None, max_samples: int = 0) -> Dataset:
    """Every PNG/JPEG/BMP/GIF (also WebP/TIFF) under `path`, each padded to a square and
    resized to size x size. Labels: the first-level subfolder a file is in (files at the top
    take their own name), or the file name when `labels_from_subfolders` is False.
    Unreadable files are skipped and listed in one message in `Dataset.warnings`; if none can
    be read, ConfigError. `progress(done, total)` is called after each file. `max_samples`
    keeps that many files spread evenly through the sorted list (so every subfolder keeps
    some)."""
    lo, hi = IMAGE_SIZE_RANGE
    if not (isinstance(size, int) and lo <= size <= hi):
        raise ConfigError("data.size", f"must be a whole number of pixels from {lo} to {hi}, got {shown(size)}")
    if color not in COLORS:
        raise ConfigError("data.color", f"{shown(color)} is not one of {', '.join(COLORS)}")
    root = Path(path).expanduser()
    if not root.exists():
        raise ConfigError("data.path", f"{root}: folder not found; check the path")
    if not root.is_dir():
        raise ConfigError("data.path", f"{root}: is a file, not a folder; pick the folder that "
                          "holds the pictures")
    files = _image_files(root)
    if not files:
        raise ConfigError("data.path", f"{root}: no pictures found (looked for "
                          f"{', '.join(s.lstrip('.') for s in IMAGE_SUFFIXES)}, subfolders included)")
    if max_samples and len(files) > max_samples:
        files = [files[i] for i in spread_indices(len(files), max_samples)]
    total = len(files)
    x = np.empty((total, int(np.prod(image_shape(size, color)))), dtype=np.float32)
    labels: list[str] = []
    failed: list[str] = []
    for i, f in enumerate(files):
        rel = f.relative_to(root)
        try:
            rgba = load_image_rgba(f, size)
        except Exception as e:   # Pillow raises OSError, SyntaxError, ValueError, ... on bad files
            failed.append(f"{rel.as_posix()} ({_reason(e)})")
        else:
            x[len(labels)] = rgba_to_array(rgba, color).reshape(-1)
            labels.append(rel.parts[0] if labels_from_subfolders and len(rel.parts) > 1 else f.stem)
        if progress is not None:
            progress(i + 1, total)
    listed = "; ".join(failed[:_LISTED_FAILURES])
    more = f"; and {len(failed) - _LISTED_FAILURES} more" if len(failed) > _LISTED_FAILURES else ""
    if not labels:
        raise ConfigError("data.path", f"{root}: none of the {total} pictures could be read: {listed}{more}")
    warnings = []
    if failed:
        warnings.append(f"{len(failed)} of {total} pictures in {root} could not be read and were "
                        f"skipped: {listed}{more}")
    return Dataset(f"{root.name} ({size}px {color})", x[: len(labels)].copy(), labels,
                   image_shape(size, color), warnings=warnings)


# ---------------------------------------------------------------- IDX (MNIST-style) files

def _read_bytes(path: Path, field: str, what: str, magic: int) -> bytes:
    """The file's bytes, a .gz file's unpacked; its IDX header is read first and bounds how
    much is unpacked (1 MB of zeros unpacks to 1 GB): no more than it promises, and that no
    more than the memory free."""
    from aegui.core.files.errors import os_problem
    from aegui.core.files.userfile import read_at_most, read_file
    header = 4 + 4 * (magic & 0xFF)
    try:
        raw = read_file(path, "idx")
    except FileNotFoundError:
        raise ConfigError(field, f"{path}: {what} not found; check the path") from None
    except IsADirectoryError:
        raise ConfigError(field, f"{path}: is a folder; pick the {what} itself") from None
    except OSError as e:
        raise ConfigError(field, f"{path}: {os_problem(e)}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
                head = gz.read(header)
                ok = len(head) == header and int.from_bytes(head[:4], "big") == magic
                # A byte past the promise shows the file is longer than its header says. Read in
                # steps, each no bigger than what the packed bytes can hold (deflate packs at most
                # 1032:1): a header that lies about its size must not reserve that much memory.
                raw = head + read_at_most(gz, _idx_bytes(head, header, path, field),
                                          len(raw) * _DEFLATE_MAX) if ok else head
        except (OSError, EOFError, zlib.error) as e:
            raise ConfigError(field, f"{path}: a damaged .gz file ({_reason(e)}); download it again") from None
    return raw


def _idx_bytes(head: bytes, header: int, path: Path, field: str) -> int:
    """Data bytes an IDX header promises, refused when more than the memory free."""
    ndim = (header - 4) // 4
    count = math.prod(int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    free = ram_available()
    if free is not None and count > free:
        raise ConfigError(field, f"{path}: the header promises {count:,} bytes of pictures, more than the "
                          f"{free:,} bytes of memory free; is it an IDX file? (use data.max_samples on a "
                          "smaller copy)")
    return count


def read_idx(path, magic: int, field: str = "data.path") -> np.ndarray:
    """An IDX file of unsigned bytes (.gz or not) with the given magic number (2051 images,
    2049 labels), as a uint8 array of the shape its header gives."""
    path = Path(path).expanduser()
    what = {IDX_IMAGES_MAGIC: "IDX images file", IDX_LABELS_MAGIC: "IDX labels file"}.get(magic, "IDX file")
    raw = _read_bytes(path, field, what, magic)
    if len(raw) < 4:
        raise ConfigError(field, f"{path}: only {len(raw)} bytes, too short to be an {what}")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        if found in (IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC):
            other = "images" if found == IDX_IMAGES_MAGIC else "labels"
            hint = (f"it is an IDX {other} file (magic number {found}); are data.path and "
                    "data.labels_path swapped?")
        elif raw[:2] == b"\x00\x00":
            hint = (f"magic number {found} (0x{found:08x}) is an IDX file of another type or "
                    "shape; aegui reads unsigned-byte images (2051) and labels (2049)")
        else:
            hint = f"not an IDX file (it starts with bytes {raw[:4].hex(' ')})"
        raise ConfigError(field, f"{path}: expected an {what} (magic number {magic}); {hint}")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ConfigError(field, f"{path}: the header is cut short ({len(raw)} bytes; it needs {header})")
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    count = int(np.prod(dims, dtype=np.int64))
    if len(raw) - header != count:
        shape = " x ".join(map(str, dims))
        cause = "the file is truncated" if len(raw) - header < count else "extra bytes follow the data"
        raise ConfigError(field, f"{path}: the header promises {shape} = {count} bytes of data but the "
                          f"file holds {len(raw) - header}; {cause}")
    return np.frombuffer(raw, dtype=np.uint8, count=count, offset=header).reshape(dims)


def guess_labels_path(images_path) -> Path | None:
    """The labels file beside an images file: train-images-idx3-ubyte[.gz] ->
    train-labels-idx1-ubyte[.gz] (either compressed or not); None if there is none."""
    p = Path(images_path).expanduser()
    name = p.name.replace("images", "labels").replace("idx3", "idx1")
    if name == p.name:
        return None
    base = name[:-3] if name.endswith(".gz") else name
    for candidate in (name, base, base + ".gz"):
        q = p.with_name(candidate)
        if q.is_file():
            return q
    return None


def _class_filter(targets: np.ndarray, classes: Sequence[int], source: str) -> np.ndarray:
    """Indices of the samples whose class is in `classes` (all when empty)."""
    if not classes:
        return np.arange(len(targets))
    present = sorted(int(c) for c in np.unique(targets))
    missing = [c for c in classes if c not in present]
    if missing:
        raise ConfigError("data.classes", f"{', '.join(map(str, missing))} "
                          f"{'is not a class' if len(missing) == 1 else 'are not classes'} of "
                          f"{source}; it has {', '.join(map(str, present))}")
    return np.flatnonzero(np.isin(targets, np.asarray(classes)))


def _classed_dataset(name: str, images: np.ndarray, targets: np.ndarray | None, scale: float,
                     classes: Sequence[int], max_samples: int, source: str) -> Dataset:
    classes = tuple(int(c) for c in classes)
    if targets is None:
        if classes:
            raise ConfigError("data.classes", f"keeping classes needs labels, and no labels file "
                              f"was found for {source}; set data.labels_path")
        keep = np.arange(len(images))
    else:
        keep = _class_filter(targets, classes, source)
    if max_samples and len(keep) > max_samples:
        keep = keep[spread_indices(len(keep), max_samples)]
    x = images[keep].reshape(len(keep), -1).astype(np.float32) / np.float32(scale)
    labels = [str(int(t)) for t in targets[keep]] if targets is not None else [f"#{i}" for i in keep]
    if classes:
        name += f" [classes {','.join(map(str, classes))}]"
    if max_samples:
        name += f" [{len(keep)}]"
    return Dataset(name, np.ascontiguousarray(x), labels, tuple(images.shape[1:]))


def idx_dataset(images_path, labels_path=None, classes: Sequence[int] = (), max_samples: int = 0) -> Dataset:
    """MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST...; .gz or not), pixels / 255.
    Without `labels_path`, a labels file beside the images is used when there is one
    (train-images-idx3-ubyte -> train-labels-idx1-ubyte); labels are the class numbers as
    text, or "#index" with no labels file. `classes` keeps those classes; `max_samples`
    keeps that many spread evenly through the file."""
    images_path = Path(images_path).expanduser()
    images = read_idx(images_path, IDX_IMAGES_MAGIC, "data.path")
    if images.shape[0] == 0 or images.shape[1] == 0 or images.shape[2] == 0:
        raise ConfigError("data.path", f"{images_path}: holds no images (its header says "
                          f"{' x '.join(map(str, images.shape))})")
    lp = Path(labels_path).expanduser() if labels_path else guess_labels_path(images_path)
    targets = None
    if lp is not None:
        targets = read_idx(lp, IDX_LABELS_MAGIC, "data.labels_path")
        if len(targets) != len(images):
            raise ConfigError("data.labels_path", f"{lp}: has {len(targets)} labels but "
                              f"{images_path.name} has {len(images)} images; use the labels file of "
                              "the same set (e.g. train-images with train-labels)")
    name = images_path.name[:-3] if images_path.name.endswith(".gz") else images_path.name
    return _classed_dataset(name, images, targets, 255.0, classes, max_samples, images_path.name)


def digits_dataset(classes: Sequence[int] = (), max_samples: int = 0) -> Dataset:
    """scikit-learn's 1797 handwritten digits, 8x8, values 0-16 scaled to [0, 1] (1 = ink);
    labels "0"-"9"."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:   # pragma: no cover - scikit-learn is a dependency
        raise ConfigError("data.source", "the digits need scikit-learn; install it "
                          "(pip install scikit-learn) or pick another source") from None
    d = load_digits()
    return _classed_dataset("digits 8x8", np.asarray(d.images), np.asarray(d.target), 16.0,
                            classes, max_samples, "the digits")
