"""What the shape of one sample is read from without loading the data: the model builder sizes the
input layer and the conv input from it as the user types, on the GUI thread and before torch is
imported, so it must not read a folder of pictures or a 50 MB IDX file. IDX files give their shape
in a 16-byte header; a picture's follows from its size and colours. Each data source's
`sample_shape` (aegui/core/data/sources/) uses these; `sources.sample_shape` asks the right one.
"""
from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

from aegui.core.schema.experiment import ConfigError, shown

GLYPH_SHAPE = (7, 5)
IDX_IMAGES_MAGIC = 2051     # the same numbers as image_data's, which imports Pillow
IDX_LABELS_MAGIC = 2049
_CHANNELS = {"gray": 1, "rgb": 3, "rgba": 4}


def image_shape(size: int, color: str) -> tuple[int, ...]:
    """(size, size) for grey, (size, size, 3 or 4) for colour: image_data's sample shapes."""
    c = _CHANNELS.get(color)
    if c is None:
        raise ConfigError("data.color", f"{shown(color)} is not one of {', '.join(_CHANNELS)}")
    return (size, size) if c == 1 else (size, size, c)


def idx_header(path, magic: int = IDX_IMAGES_MAGIC, field: str = "data.path") -> tuple[int, ...]:
    """The dimensions an IDX file's header promises (count, rows, columns for images; count for
    labels), reading only the header (.gz files are decompressed that far only). Raises
    ConfigError naming `field` when the file is missing, not an IDX file of that kind, or
    (uncompressed) shorter or longer than its header says."""
    path = Path(path).expanduser()
    what = "IDX images file" if magic == IDX_IMAGES_MAGIC else "IDX labels file"
    ndim = magic & 0xFF
    size = 4 + 4 * ndim
    from aegui.core.files.errors import os_problem
    from aegui.core.files.userfile import open_file
    try:
        with open_file(path, "idx") as fh:
            head = fh.read(size)
            packed = head[:2] == b"\x1f\x8b"
            if packed:
                fh.seek(0)
                with gzip.GzipFile(fileobj=fh) as gz:
                    head = gz.read(size)
    except FileNotFoundError:
        raise ConfigError(field, f"{path}: {what} not found; check the path") from None
    except IsADirectoryError:
        raise ConfigError(field, f"{path}: is a folder; pick the {what} itself") from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise ConfigError(field, f"{path}: a damaged .gz file ({e}); download it again") from None
    except OSError as e:
        raise ConfigError(field, f"{path}: {os_problem(e)}") from None
    found = int.from_bytes(head[:4], "big") if len(head) >= 4 else None
    if found != magic:
        if found in (IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC):
            other = "images" if found == IDX_IMAGES_MAGIC else "labels"
            hint = f"it is an IDX {other} file; are the images and labels files swapped?"
        else:
            hint = "it is not one (MNIST-style files are named like train-images-idx3-ubyte)"
        raise ConfigError(field, f"{path}: expected an {what}; {hint}")
    if len(head) < size:
        raise ConfigError(field, f"{path}: the header is cut short ({len(head)} bytes; it needs {size})")
    dims = tuple(int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if not packed:
        have = path.stat().st_size - size
        if have != math.prod(dims):
            cause = "the file is truncated" if have < math.prod(dims) else "extra bytes follow the data"
            raise ConfigError(field, f"{path}: the header promises {' x '.join(map(str, dims))} values "
                              f"but the file holds {have}; {cause}")
    return dims

