"""Report figures (aegui.core.analyses.figures): sizes, orientation, colours, labelled axes, GIF frames."""
import numpy as np
import pytest
from PIL import Image, ImageSequence

from aegui.core.analyses import figures as F
from aegui.core.data.display import block_mean, mosaic, to_rgba8, to_uint8


def colour_decoder(shape=(8, 6, 3)):
    """A decoder whose picture encodes z: red = sigmoid(z0), blue = sigmoid(z1), and a black
    top-left pixel so flips and transposes show."""
    def decode(z):
        z = np.asarray(z, np.float32)
        out = np.zeros((len(z),) + shape, np.float32)
        out[..., 0] = 1 / (1 + np.exp(-z[:, 0]))[:, None, None]
        out[..., 2] = 1 / (1 + np.exp(-z[:, 1]))[:, None, None]
        out[:, 0, 0] = 0.0
        return out
    return decode


def non_white(img: Image.Image, box) -> int:
    a = np.asarray(img.crop(box).convert("L"))
    return int((a < 200).sum())


def test_display_conventions():
    grey = np.array([[0.0, 1.0]], np.float32)
    np.testing.assert_array_equal(to_uint8(grey), [[255, 0]])          # 1 = ink = black
    rgba = np.array([[[1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 1.0]]], np.float32)
    np.testing.assert_array_equal(to_uint8(rgba), [[[255, 255, 255], [255, 0, 0]]])   # onto white
    assert to_rgba8(rgba)[0, 0, 3] == 0 and to_rgba8(grey)[0, 1].tolist() == [0, 0, 0, 255]
    tiles = np.zeros((2, 3, 4, 5), np.uint8)
    assert mosaic(tiles, 1).shape == (2 * 5 - 1, 3 * 6 - 1)
    big = np.arange(2 * 8 * 8 * 3, dtype=np.uint8).reshape(2, 8, 8, 3)
    assert block_mean(big, 4, gray=False).shape == (2, 2, 2, 3)
    assert block_mean(big[..., 0], 3, gray=True).shape == (2, 2, 2)


def test_reconstruction_grid_rows_and_labels(tmp_path):
    rng = np.random.default_rng(0)
    orig = rng.random((5, 7, 5)).astype(np.float32)
    orig[:, 0, 0] = 1.0                        # ink: black in the figure
    recon = np.zeros_like(orig)                # empty: white in the figure
    path = tmp_path / "grid.png"
    img = F.reconstruction_grid(orig, recon, list("abcde"), columns=3, scale=6, path=path)
    back = Image.open(path)
    assert back.size == img.size and back.mode == "RGB"
    # Two row pairs (3 + 2 samples), each 7*6 px pictures; the titles sit left of the tiles.
    assert img.height > 2 * 2 * 7 * 6
    left = F.PAD + max(F._text_size(F._scratch(), t, F.font())[0] for t in ("original", "reconstruction")) + F.PAD
    a = np.asarray(img)
    assert (a[F.PAD + 1, left + 1] < 60).all()                     # first original's ink pixel
    assert (a[F.PAD + 7 * 6 + 3 + 1, left + 1] > 240).all()        # its reconstruction below: blank
    assert non_white(img, (0, 0, left - F.PAD, img.height)) > 50   # row titles written
    with pytest.raises(ValueError):
        F.reconstruction_grid(orig[:0], recon[:0])


def test_latent_traversal_layout_orientation_and_axis_labels(tmp_path):
    shape = (8, 6, 3)
    path = tmp_path / "trav.png"
    xs, ys = np.linspace(-2, 2, 5), np.linspace(-3, 3, 4)
    img = F.latent_traversal(colour_decoder(shape), xs, ys, shape=shape, scale=6, path=path)
    assert Image.open(path).size == img.size
    a = np.asarray(img).astype(int)
    th, tw, gap = 8 * 6, 6 * 6, 3
    grid_w, grid_h = 5 * (tw + gap) - gap, 4 * (th + gap) - gap
    left = img.width - F.PAD - grid_w
    top = F.PAD
    assert left > F.PAD and img.height - top - grid_h > 2 * F.font().size

    def tile(r, c):   # the centre pixel of tile (row, col)
        return a[top + r * (th + gap) + th // 2, left + c * (tw + gap) + tw // 2]
    # x grows to the right (more red), y grows upwards (more blue at the top row).
    assert tile(0, 4)[0] > tile(0, 0)[0] + 100
    assert tile(0, 2)[2] > tile(3, 2)[2] + 100
    # Not transposed or flipped: each tile's top-left pixel is the black one.
    assert (a[top + 1, left + 1] < 30).all() and (a[top + th - 2, left + tw - 2] > 30).any()
    # Tick values and axis names are drawn in the margins.
    assert non_white(img, (left, top + grid_h + 1, img.width, img.height)) > 100    # bottom: x ticks + "z0"
    assert non_white(img, (0, top, left - 1, top + grid_h)) > 100                  # left: y ticks + "z1"
    assert F.tick_labels([-0.0, 4])[0] == "0" and F.tick_labels([1.25, 5.25])[0] == "1.2"
    assert F.tick_labels([150, 450])[0] == "150"


def test_traversal_points_and_other_dims():
    z = F.traversal_points([0.0, 1.0], [5.0, 6.0], dims=(1, 3), latent_dim=4, base=[9, 9, 9, 9])
    assert z.tolist() == [[9, 0, 9, 5], [9, 1, 9, 5], [9, 0, 9, 6], [9, 1, 9, 6]]
    seen = []

    def decode(points):
        seen.append(points.copy())
        return np.zeros((len(points), 7, 5), np.float32)
    img = F.latent_traversal(decode, [0.0, 1.0, 2.0], None, shape=(7, 5), latent_dim=1, dims=(0,))
    assert seen[0].shape == (3, 1) and img.width > img.height   # one row, no y axis


def test_interpolation_strip_png_and_gif_round_trip(tmp_path):
    shape = (8, 6, 3)
    z = np.column_stack([np.linspace(-3, 3, 6), np.zeros(6)]).astype(np.float32)
    frames = colour_decoder(shape)(z)
    png = tmp_path / "strip.png"
    img = F.interpolation_strip(frames, ("start", "end"), scale=4, path=png)
    assert img.width == 6 * 6 * 4 + 5 * 4 and img.height > 8 * 4
    assert non_white(img, (0, 8 * 4, img.width, img.height)) > 20      # end labels
    plain = F.interpolation_strip(frames, scale=4)
    assert plain.size == (img.width, 8 * 4)

    gif = tmp_path / "strip.gif"
    n = F.interpolation_gif(frames, gif, scale=4, frame_ms=50)
    assert n == 2 * 6 - 2                                             # there and back
    back = Image.open(gif)
    assert back.format == "GIF" and back.size == (6 * 4, 8 * 4) and back.info.get("loop") == 0
    got = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(back)]
    assert len(got) == n
    reds = [int(g[16, 12, 0]) for g in got]
    assert reds[0] < reds[5] and reds[5] > reds[-1]                   # red rises, then falls back
    assert F.interpolation_gif(frames, tmp_path / "once.gif", bounce=False) == 6
    with pytest.raises(ValueError):
        F.interpolation_gif(frames[:1], tmp_path / "x.gif")


def test_grey_and_rgba_samples():
    grey = np.zeros((7, 5), np.float32)
    grey[0, 0] = 1.0
    img = F.sample_image(grey, 3)
    assert img.size == (15, 21) and img.getpixel((0, 0)) == (0, 0, 0) and img.getpixel((14, 20)) == (255,) * 3
    rgba = np.zeros((4, 4, 4), np.float32)
    rgba[0, 0] = (0, 0, 1, 1)
    img = F.sample_image(rgba)
    assert img.getpixel((0, 0)) == (0, 0, 255) and img.getpixel((3, 3)) == (255, 255, 255)
    assert F.auto_scale((7, 5)) == 7 and F.auto_scale((64, 64, 3)) == 1
