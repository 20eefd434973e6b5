"""Image datasets: the shipped emoji, a folder of pictures, IDX files, sklearn's digits."""
import gzip
import struct

import numpy as np
import pytest
from PIL import Image

from aegui.core.schema.experiment import ConfigError, DataConfig
from aegui.core.data.datasets import from_config
from aegui.core.data.image_data import (digits_dataset, emoji_dataset, emoji_dir, emoji_index, emoji_subcategories, folder_dataset, guess_labels_path, idx_dataset, rgba_to_array)


def config_error(fn, *args, **kw) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        fn(*args, **kw)
    return info.value


# ---------------------------------------------------------------- emoji

def test_emoji_subcategories_count_all_287():
    subs = dict(emoji_subcategories())
    assert sum(subs.values()) == 287 == len(emoji_index())
    assert subs["face-smiling"] == 14 and subs["animal-mammal"] == 66
    assert all(row["file"].endswith(".png") for row in emoji_index())


@pytest.mark.parametrize("size", [16, 32, 64])
@pytest.mark.parametrize("color, extra", [("gray", ()), ("rgb", (3,)), ("rgba", (4,))])
def test_emoji_shapes(size, color, extra):
    ds = emoji_dataset(size, color)
    assert len(ds) == 287 and len(ds.labels) == 287
    assert ds.shape == (size, size, *extra)
    assert ds.x.shape == (287, int(np.prod(ds.shape))) and ds.x.dtype == np.float32
    assert 0.0 <= ds.x.min() and ds.x.max() <= 1.0
    assert ds.images().shape == (287, *ds.shape)


def test_emoji_rgb_is_composed_on_white():
    row = emoji_index()[0]
    raw = np.asarray(Image.open(emoji_dir() / row["file"]).convert("RGBA"))
    ys, xs = np.nonzero(raw[..., 3] == 0)
    y, x = ys[0], xs[0]                                   # a fully transparent pixel
    rgb, gray, rgba = (emoji_dataset(64, c).images()[0] for c in ("rgb", "gray", "rgba"))
    assert np.all(rgb[y, x] == 1.0)                       # white
    assert gray[y, x] == 0.0                              # no ink
    assert rgba[y, x, 3] == 0.0
    opaque = np.nonzero(raw[..., 3] == 255)
    oy, ox = opaque[0][0], opaque[1][0]
    np.testing.assert_allclose(rgb[oy, ox], raw[oy, ox, :3] / 255, atol=1e-6)
    # Row-major flattening: x is the images flattened (H, W, C) in C order.
    ds = emoji_dataset(16, "rgb")
    assert np.array_equal(ds.x[3], ds.images()[3].reshape(-1))


def test_rgba_to_array_conventions():
    px = np.array([[[10, 20, 30, 0], [0, 0, 0, 255], [255, 255, 255, 255], [255, 0, 0, 128]]], np.uint8)
    rgb, gray, rgba = (rgba_to_array(px, c) for c in ("rgb", "gray", "rgba"))
    np.testing.assert_allclose(rgb[0, 0], [1, 1, 1])
    np.testing.assert_allclose(gray[0], [0, 1, 0, 0.5 * (0.587 + 0.114) * 255 / 255], atol=0.01)
    np.testing.assert_allclose(rgb[0, 3], [1, 127 / 255, 127 / 255], atol=0.01)
    np.testing.assert_allclose(rgba[0, 1], [0, 0, 0, 1])


def test_emoji_subcategory_filter_and_labels():
    ds = emoji_dataset(16, "gray", ("face-smiling", "animal-mammal"))
    assert len(ds) == 14 + 66
    assert "grinning" in ds.labels and "face-smiling" in ds.name
    via_config = from_config(DataConfig(source="emoji", size=16, subcategories=("face-smiling",)))
    assert len(via_config) == 14 and via_config.shape == (16, 16)


def test_emoji_bad_values_name_the_field():
    assert config_error(emoji_dataset, 16, "gray", ("face-grumpy",)).field == "data.subcategories"
    err = config_error(emoji_dataset, 48, "gray")
    assert err.field == "data.size" and "16, 32 or 64" in str(err)
    assert config_error(emoji_dataset, 16, "cmyk").field == "data.color"


def test_emoji_max_samples_keeps_every_subcategory():
    ds = from_config(DataConfig(source="emoji", size=16, max_samples=40))
    assert len(ds) == 40
    rows = {r["short_name"]: r["subcategory"] for r in emoji_index()}
    assert len({rows[label] for label in ds.labels}) >= 15


# ---------------------------------------------------------------- a folder of pictures

def _picture_folder(tmp_path):
    root = tmp_path / "pics"
    (root / "cats").mkdir(parents=True)
    (root / "dogs").mkdir()
    (root / ".hidden").mkdir()
    wide = Image.new("RGB", (40, 20), (0, 0, 0))                        # black, 2:1
    wide.save(root / "cats" / "wide.png")
    Image.new("RGB", (30, 30), (255, 0, 0)).save(root / "cats" / "red.jpg", quality=95)
    Image.new("L", (8, 12), 0).save(root / "dogs" / "tall.bmp")
    frames = [Image.new("P", (10, 10), 0), Image.new("P", (10, 10), 1)]
    for f in frames:
        f.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    frames[0].save(root / "dogs" / "anim.gif", save_all=True, append_images=frames[1:], duration=50)
    Image.new("RGBA", (16, 16), (0, 0, 255, 0)).save(root / "clear.png")   # top level, transparent
    (root / "dogs" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not a picture")
    (root / "notes.txt").write_text("not an image")
    Image.new("RGB", (4, 4)).save(root / ".hidden" / "skip.png")
    return root


def test_folder_import_skips_the_corrupt_file_and_reports_it(tmp_path):
    root = _picture_folder(tmp_path)
    calls = []
    ds = folder_dataset(root, 16, "gray", progress=lambda done, total: calls.append((done, total)))
    assert len(ds) == 5 and ds.shape == (16, 16) and ds.x.shape == (5, 256)
    assert calls == [(i, 6) for i in range(1, 7)]
    assert len(ds.warnings) == 1
    assert "broken.png" in ds.warnings[0] and "1 of 6" in ds.warnings[0]
    assert sorted(ds.labels) == ["cats", "cats", "clear", "dogs", "dogs"]
    imgs = dict(zip(ds.labels, ds.images()))
    wide = ds.images()[1]              # sorted order: cats/red.jpg, cats/wide.png, clear.png, dogs/...
    assert wide[0].max() < 0.05 and wide[8].min() > 0.95   # padded with white above, black in the middle
    assert imgs["clear"].max() == 0.0                      # transparent -> no ink
    anim = ds.images()[ds.labels.index("dogs")]            # dogs/anim.gif sorts first: first frame black
    assert anim.min() > 0.95


def test_folder_colours_labels_and_padding(tmp_path):
    root = _picture_folder(tmp_path)
    rgba = folder_dataset(root, 8, "rgba", labels_from_subfolders=False)
    assert rgba.shape == (8, 8, 4) and "wide" in rgba.labels and "cats" not in rgba.labels
    wide = rgba.images()[rgba.labels.index("wide")]
    assert wide[0, :, 3].max() < 0.05 and wide[4, :, 3].min() > 0.95   # transparent padding
    rgb = from_config(DataConfig(source="folder", path=str(root), size=8, color="rgb"))
    red = rgb.images()[rgb.labels.index("cats")]
    assert rgb.shape == (8, 8, 3) and rgb.warnings
    np.testing.assert_allclose(red[4, 4], [1, 0, 0], atol=0.03)
    assert len(folder_dataset(root, 8, "gray", max_samples=2)) == 2


def test_folder_errors_name_the_field(tmp_path):
    assert config_error(folder_dataset, tmp_path / "nope").field == "data.path"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no pictures" in str(config_error(folder_dataset, empty))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.png").write_bytes(b"garbage")
    (bad / "b.jpg").write_bytes(b"")
    err = config_error(folder_dataset, bad)
    assert err.field == "data.path" and "a.png" in str(err) and "b.jpg" in str(err)
    assert config_error(folder_dataset, empty, 300).field == "data.size"


# ---------------------------------------------------------------- IDX files

def _write_idx(path, magic, array, gz=False):
    array = np.asarray(array, dtype=np.uint8)
    data = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _idx_pair(tmp_path, n=12, gz=False, prefix="train"):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 5, 4), dtype=np.uint8)
    labels = np.arange(n) % 3
    suffix = ".gz" if gz else ""
    ip = _write_idx(tmp_path / f"{prefix}-images-idx3-ubyte{suffix}", 2051, images, gz)
    lp = _write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte{suffix}", 2049, labels, gz)
    return ip, lp, images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_idx_reads_images_and_labels(tmp_path, gz):
    ip, lp, images, labels = _idx_pair(tmp_path, gz=gz)
    ds = idx_dataset(ip, lp)
    assert len(ds) == 12 and ds.shape == (5, 4) and ds.x.dtype == np.float32
    np.testing.assert_allclose(ds.x, images.reshape(12, -1) / 255.0, rtol=1e-6)
    assert ds.labels == [str(v) for v in labels]
    assert guess_labels_path(ip) == lp
    assert idx_dataset(ip).labels == ds.labels            # the labels file beside it is found


def test_idx_classes_and_max_samples(tmp_path):
    ip, lp, images, labels = _idx_pair(tmp_path, n=30)
    ds = idx_dataset(ip, lp, classes=(0, 2))
    assert len(ds) == 20 and set(ds.labels) == {"0", "2"}
    small = idx_dataset(ip, lp, classes=(0, 2), max_samples=4)
    assert len(small) == 4 and set(small.labels) == {"0", "2"}
    cfg = from_config(DataConfig(source="idx", path=str(ip), labels_path=str(lp), classes=(1,), max_samples=3))
    assert cfg.labels == ["1", "1", "1"]
    assert config_error(idx_dataset, ip, lp, classes=(7,)).field == "data.classes"


def test_idx_errors_name_the_file_and_the_problem(tmp_path):
    ip, lp, images, labels = _idx_pair(tmp_path)
    wrong = _write_idx(tmp_path / "wrong-images", 2052, images)
    err = config_error(idx_dataset, wrong)
    assert err.field == "data.path" and "wrong-images" in str(err) and "2051" in str(err)
    err = config_error(idx_dataset, lp, ip)                 # swapped
    assert str(lp) in str(err) and "swapped" in str(err)
    short = _write_idx(tmp_path / "few-labels-idx1-ubyte", 2049, labels[:7])
    err = config_error(idx_dataset, ip, short)
    assert err.field == "data.labels_path" and "7 labels" in str(err) and "12 images" in str(err)
    cut = tmp_path / "cut-images-idx3-ubyte"
    cut.write_bytes(ip.read_bytes()[:-5])
    err = config_error(idx_dataset, cut, lp)
    assert "cut-images" in str(err) and "truncated" in str(err)
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"\x1f\x8b not really gzip")
    assert "junk.gz" in str(config_error(idx_dataset, junk))
    assert config_error(idx_dataset, tmp_path / "missing").field == "data.path"
    alone = _write_idx(tmp_path / "alone.idx", 2051, images)
    assert idx_dataset(alone).labels[0] == "#0"
    assert config_error(idx_dataset, alone, classes=(1,)).field == "data.classes"


# ---------------------------------------------------------------- sklearn digits

def test_digits():
    ds = digits_dataset()
    assert len(ds) == 1797 and ds.shape == (8, 8) and ds.x.shape == (1797, 64)
    assert ds.x.max() == 1.0 and ds.x.min() == 0.0
    assert sorted(set(ds.labels)) == [str(i) for i in range(10)]
    some = from_config(DataConfig(source="digits", classes=(3, 8), max_samples=50))
    assert len(some) == 50 and set(some.labels) == {"3", "8"}
    assert config_error(digits_dataset, (12,)).field == "data.classes"
