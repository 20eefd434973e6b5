"""data_shape: a sample's shape from the config alone must be the shape loading gives."""
import gzip
import struct

import numpy as np
import pytest
from PIL import Image

from aegui.core.schema.experiment import ConfigError, DataConfig
from aegui.core.data.data_shape import IDX_LABELS_MAGIC, idx_header
from aegui.core.data.sources import sample_shape
from aegui.core.data.datasets import from_config


def _write_idx(path, magic, array, gz=False):
    array = np.asarray(array, dtype=np.uint8)
    data = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("data", [
    DataConfig(),
    DataConfig(source="digits", classes=(1, 7)),
    DataConfig(source="emoji", size=16, color="rgba", subcategories=("food-fruit",)),
    DataConfig(source="emoji", size=16, color="gray", subcategories=("food-fruit",)),
], ids=["font", "digits", "emoji-rgba", "emoji-gray"])
def test_shape_matches_the_loaded_data(data):
    assert sample_shape(data) == tuple(from_config(data).shape)


def test_folder_and_idx_shapes_match_the_loaded_data(tmp_path):
    Image.new("RGB", (30, 20), "red").save(tmp_path / "a.png")
    folder = DataConfig(source="folder", path=str(tmp_path), size=12, color="rgb")
    assert sample_shape(folder) == tuple(from_config(folder).shape) == (12, 12, 3)
    for gz in (False, True):
        images = _write_idx(tmp_path / f"t-images-idx3-ubyte{'.gz' if gz else ''}", 2051,
                            np.zeros((3, 6, 4)), gz)
        idx = DataConfig(source="idx", path=str(images))
        assert sample_shape(idx) == tuple(from_config(idx).shape) == (6, 4)


def test_idx_header_reads_the_dims_and_names_the_problem(tmp_path):
    labels = _write_idx(tmp_path / "t-labels-idx1-ubyte", 2049, np.arange(5))
    assert idx_header(labels, IDX_LABELS_MAGIC) == (5,)
    with pytest.raises(ConfigError) as err:
        idx_header(labels)                               # a labels file where images belong
    assert err.value.field == "data.path" and "swapped" in err.value.problem
    images = _write_idx(tmp_path / "t-images-idx3-ubyte", 2051, np.zeros((4, 3, 3)))
    images.write_bytes(images.read_bytes()[:-5])
    with pytest.raises(ConfigError, match="truncated"):
        idx_header(images)
    with pytest.raises(ConfigError, match="not found"):
        idx_header(tmp_path / "missing", IDX_LABELS_MAGIC, "data.labels_path")
    (tmp_path / "text.gz").write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(ConfigError, match="damaged"):
        idx_header(tmp_path / "text.gz")
    with pytest.raises(ConfigError) as err:
        sample_shape(DataConfig(source="idx", path=""))
    assert err.value.field == "data.path"
