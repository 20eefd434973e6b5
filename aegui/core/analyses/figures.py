"""Figures students put in their reports, drawn with Pillow (no Qt, no matplotlib): a
reconstruction grid, a latent traversal with labelled axes, an interpolation strip (PNG) and
its animation (GIF). Each returns a PIL image (RGB) and writes a file when given a path.

Samples are arrays in [0, 1] shaped (H, W), (H, W, 3) or (H, W, 4), shown as on screen (see
display: grey is ink on white, RGBA on white). Small pictures are enlarged with crisp pixels
to about TILE_PX so a 5x7 glyph and a 64 px emoji make figures of a similar size.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from aegui.core.data.display import BACKGROUND, is_gray, mosaic, to_uint8

TILE_PX = 48                 # the longer side of one enlarged sample, at least
TEXT = (40, 40, 40)
FONT_PX = 13
PAD = 6


def auto_scale(shape, target: int = TILE_PX) -> int:
    """Whole-pixel enlargement that brings a sample's longer side to about `target` px."""
    return max(1, int(round(target / max(shape[0], shape[1]))))


def font(size: int = FONT_PX) -> ImageFont.ImageFont:
    """Pillow's built-in font at `size` pixels (the figures need no font file)."""
    return ImageFont.load_default(size=size)


def sample_image(img, scale: int = 1) -> Image.Image:
    """One sample as an RGB picture, each pixel enlarged to scale x scale."""
    px = to_uint8(img)
    pil = Image.fromarray(px, "L" if px.ndim == 2 else "RGB").convert("RGB")
    if scale > 1:
        pil = pil.resize((pil.width * scale, pil.height * scale), Image.NEAREST)
    return pil


def save_image(img, path, scale: int | None = None) -> Image.Image:
    """Saves one sample as a PNG, each pixel enlarged (by `scale`, or a size that suits the sample), and returns
    the picture."""
    pil = sample_image(img, scale or auto_scale(np.shape(img)))
    _save(pil, path)
    return pil


def _save(pil: Image.Image, path, **kw) -> None:
    from aegui.core.files.png import save_picture
    save_picture(pil, path, **kw)


def _tiles(images: np.ndarray, scale: int) -> np.ndarray:
    """Display pixels of a batch [N, H, W(, C)] as RGB uint8 [N, H*scale, W*scale, 3]."""
    images = np.asarray(images, dtype=np.float32)
    px = to_uint8(images, gray=is_gray(images.shape[1:]))
    if px.ndim == 3:
        px = np.repeat(px[..., None], 3, axis=3)
    if scale > 1:
        px = np.repeat(np.repeat(px, scale, axis=1), scale, axis=2)
    return px


def _text_size(draw: ImageDraw.ImageDraw, text: str, f) -> tuple[int, int]:
    if not text:
        return 0, 0
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=f)
    return int(math.ceil(x1 - min(0, x0))), int(math.ceil(y1 - min(0, y0)))


def _fit_text(draw, text: str, f, width: int) -> str:
    """`text`, cut with an ellipsis so it is at most `width` px wide ("" if nothing fits)."""
    if _text_size(draw, text, f)[0] <= width:
        return text
    for n in range(len(text) - 1, 0, -1):
        cut = text[:n] + "…"
        if _text_size(draw, cut, f)[0] <= width:
            return cut
    return ""


def _scratch() -> ImageDraw.ImageDraw:
    return ImageDraw.Draw(Image.new("RGB", (1, 1)))


def tick_labels(values: Sequence[float]) -> list[str]:
    """Labels for a set of tick values, in the values' own precision: the fewest decimals that
    tell every tick apart (0.0001, 0.0002, not "0" twice), scientific (2e-4, 1.5e6) when the
    largest value is under 0.001 or from 100,000 up; 0 is always "0"."""
    vals = [float(v) for v in values]
    finite = [abs(v) for v in vals if math.isfinite(v) and v != 0]
    if not finite:
        return ["0" if v == 0 else f"{v:g}" for v in vals]
    steps = [b - a for a, b in zip(sorted(vals), sorted(vals)[1:]) if b > a]
    close = min(steps) / 20 if steps else max(finite) * 1e-3    # how near a label must come to its value
    top = max(finite)
    scientific = top < 1e-3 or top >= 1e5
    for digits in range(0, 7):
        labels = [_number(v, digits, scientific) for v in vals]
        if len(set(labels)) == len(set(vals)) and all(abs(float(t) - v) <= close for t, v in zip(labels, vals)):
            return labels
    return [_number(v, 6, scientific) for v in vals]


def _number(v: float, digits: int, scientific: bool) -> str:
    if not math.isfinite(v):
        return f"{v}"
    if scientific:
        text = f"{v:.{digits}e}"
        mantissa, exp = text.split("e")
        text = f"{mantissa}e{int(exp)}"                # 2e-4, not 2e-04
    else:
        text = f"{v:.{digits}f}"
    return "0" if float(text) == 0 else text          # no "-0.0", no "0e0"


def decade_text(value: float) -> str:
    """A log axis' tick label, as people write powers of ten: '1000', '1', '0.01', '1e-3', '1e6'
    (and 2x or 5x one, '0.2', '5e-4', where fewer than two decades show). Never '0': a log axis
    has no zero."""
    if value <= 0 or not math.isfinite(value):
        return ""
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = value / 10 ** exponent
    if -2 <= exponent <= 3:
        return f"{value:.{max(0, -exponent)}f}" if round(mantissa, 6) == 1 else f"{value:g}"
    m = f"{mantissa:.3g}"
    return f"1e{exponent}" if m == "1" else f"{m}e{exponent}"


def log_ticks(lo: float, hi: float, room: int) -> list[float]:
    """Tick positions (log10 values) between lo and hi, at most `room` of them: powers of ten
    (every second, fifth... decade when they do not all fit); where fewer than two decades show,
    1x, 2x and 5x them, or every whole multiple (0.3, 0.4, 0.5), whichever gives three labels,
    and under a factor of about 2 round values of the quantity: a short axis still has values
    to read."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return []
    room = max(2, room)
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    decades = list(range(first, last + 1))
    if len(decades) >= 2:
        for step in (1, 2, 3, 5, 10, 20, 50, 100):
            # Steps count from 10^0 = 1, so 1 stays among the labels when it is shown.
            picked = [float(d) for d in decades if d % step == 0]
            if 2 <= len(picked) <= room:
                return picked
        return [float(decades[0]), float(decades[-1])]   # the ends, when nothing finer fits
    for marks, least in (((1, 2, 5), 3), (tuple(range(1, 10)), 3)):
        values = [d + math.log10(m) for d in range(first - 1, last + 1) for m in marks
                  if lo - 1e-9 <= d + math.log10(m) <= hi + 1e-9]
        if len(values) > room:
            return values[::math.ceil(len(values) / room)]
        if len(values) >= least:
            return values
    # Under a factor of about 2 on screen, where a log axis looks like a linear one: round values
    # of the quantity (0.25, 0.3, 0.35), at their places on the log axis.
    values = [math.log10(v) for v in nice_ticks(10 ** lo, 10 ** hi, min(room, 5)) if v > 0]
    return [v for v in values if lo - 1e-9 <= v <= hi + 1e-9]


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About n round tick values covering [lo, hi], three at least where the next finer round
    step gives them (a range of -6 to 5 asked for 3 got -5 and 0 only)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    for want in range(max(1, n), max(1, n) + 4):
        raw = (hi - lo) / want
        mag = 10 ** math.floor(math.log10(raw))
        step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
        first = math.ceil(lo / step - 1e-9) * step
        ticks = [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]
        if len(ticks) >= 3:
            break
    return ticks


# ---------------------------------------------------------------- reconstruction grid

def reconstruction_grid(originals, recons, labels: Sequence[str] | None = None, columns: int = 12,
                        scale: int | None = None, titles: tuple[str, str] = ("original", "reconstruction"),
                        path=None) -> Image.Image:
    """Originals in a row above their reconstructions, `columns` samples per row pair, row
    titles on the left and (if given) each sample's label under its pair."""
    originals = np.asarray(originals, dtype=np.float32)
    recons = np.asarray(recons, dtype=np.float32).reshape(originals.shape)
    n = len(originals)
    if n == 0:
        raise ValueError("no samples to draw")
    scale = scale or auto_scale(originals.shape[1:])
    top, bottom = _tiles(originals, scale), _tiles(recons, scale)
    th, tw = top.shape[1:3]
    cols = max(1, min(columns, n))
    blocks = math.ceil(n / cols)
    f = font()
    draw = _scratch()
    title_w = max(_text_size(draw, t, f)[0] for t in titles) + PAD if any(titles) else 0
    label_h = (_text_size(draw, "Ag", f)[1] + 4) if labels is not None else 0
    gap = max(1, scale // 2)
    pair_h = 2 * th + gap
    block_h = pair_h + label_h + 2 * PAD
    width = PAD + title_w + cols * (tw + gap) - gap + PAD
    height = blocks * block_h
    out = Image.new("RGB", (width, height), (BACKGROUND,) * 3)
    d = ImageDraw.Draw(out)
    for b in range(blocks):
        y0 = b * block_h + PAD
        for row, title in ((0, titles[0]), (1, titles[1])):
            if title:
                tw_, tht = _text_size(d, title, f)
                d.text((PAD + title_w - PAD - tw_, y0 + row * (th + gap) + (th - tht) // 2), title, fill=TEXT, font=f)
        for c in range(cols):
            i = b * cols + c
            if i >= n:
                break
            x = PAD + title_w + c * (tw + gap)
            out.paste(Image.fromarray(top[i]), (x, y0))
            out.paste(Image.fromarray(bottom[i]), (x, y0 + th + gap))
            if labels is not None:
                text = _fit_text(d, str(labels[i]), f, tw + gap - 1)
                lw = _text_size(d, text, f)[0]
                d.text((x + (tw - lw) // 2, y0 + pair_h + 2), text, fill=TEXT, font=f)
    if path is not None:
        _save(out, path)
    return out


# ---------------------------------------------------------------- latent traversal

def traversal_points(xs, ys, dims: tuple[int, int] = (0, 1), latent_dim: int = 2, base=None) -> np.ndarray:
    """Latent points [len(ys)*len(xs), L], row-major with row 0 at the FIRST y: x along dims[0],
    y along dims[1], every other dimension from `base` (default 0)."""
    xs = np.asarray(xs, np.float32)
    ys = np.asarray(ys if ys is not None else [0.0], np.float32)
    z = np.tile(np.zeros(latent_dim, np.float32) if base is None else np.asarray(base, np.float32),
                (len(xs) * len(ys), 1))
    gx, gy = np.meshgrid(xs, ys)
    z[:, dims[0]] = gx.ravel()
    if latent_dim > 1 and len(dims) > 1:
        z[:, dims[1]] = gy.ravel()
    return z


def latent_traversal(decode: Callable[[np.ndarray], np.ndarray], xs, ys=None, *, shape,
                     dims: tuple[int, int] = (0, 1), latent_dim: int = 2, base=None,
                     names: tuple[str, str] | None = None, scale: int | None = None, path=None) -> Image.Image:
    """Decoded samples on a grid: x values `xs` along the bottom (left to right), y values `ys`
    up the left side (largest at the top, as in a plot; None for a single row), each tick
    labelled with its value and each axis with its name (default "z<dim>").

    decode(z [M, L] float32) -> [M, *shape] or [M, D] in [0, 1]."""
    xs = np.asarray(xs, np.float32)
    ys_sorted = None if ys is None else np.sort(np.asarray(ys, np.float32))[::-1]
    z = traversal_points(xs, ys_sorted, dims, latent_dim, base)
    rows = 1 if ys_sorted is None else len(ys_sorted)
    images = np.asarray(decode(z), dtype=np.float32).reshape((rows * len(xs),) + tuple(shape))
    scale = scale or auto_scale(shape)
    tiles = _tiles(images, scale).reshape((rows, len(xs)) + (shape[0] * scale, shape[1] * scale, 3))
    th, tw = tiles.shape[2:4]
    gap = max(1, scale // 2)
    grid = mosaic(tiles, gap)
    names = names or (f"z{dims[0]}", f"z{dims[1]}" if len(dims) > 1 else "")
    f = font()
    draw = _scratch()
    line_h = _text_size(draw, "0", f)[1]
    x_ticks = tick_labels(xs)
    y_ticks = [] if ys_sorted is None else tick_labels(ys_sorted)
    y_tick_w = max((_text_size(draw, t, f)[0] for t in y_ticks), default=0)
    y_name_w = line_h + PAD if y_ticks else 0
    left = PAD + y_name_w + y_tick_w + (PAD if y_ticks else 0)
    bottom = PAD // 2 + line_h + PAD + line_h + PAD
    width = left + grid.shape[1] + PAD
    height = PAD + grid.shape[0] + bottom
    out = Image.new("RGB", (width, height), (BACKGROUND,) * 3)
    out.paste(Image.fromarray(grid), (left, PAD))
    d = ImageDraw.Draw(out)
    # x ticks: skip some when neighbours would touch.
    widest = max(_text_size(d, t, f)[0] for t in x_ticks)
    every = max(1, math.ceil((widest + 4) / (tw + gap)))
    y_text = PAD + grid.shape[0] + PAD // 2
    for c, t in enumerate(x_ticks):
        if c % every and c != len(x_ticks) - 1:
            continue
        w_ = _text_size(d, t, f)[0]
        d.text((left + c * (tw + gap) + (tw - w_) // 2, y_text), t, fill=TEXT, font=f)
    nw = _text_size(d, names[0], f)[0]
    d.text((left + (grid.shape[1] - nw) // 2, y_text + line_h + PAD), names[0], fill=TEXT, font=f)
    if y_ticks:
        every = max(1, math.ceil((line_h + 2) / (th + gap)))
        for r, t in enumerate(y_ticks):
            if r % every and r != len(y_ticks) - 1:
                continue
            w_ = _text_size(d, t, f)[0]
            d.text((left - PAD - w_, PAD + r * (th + gap) + (th - line_h) // 2), t, fill=TEXT, font=f)
        # The y axis name reads bottom to top, beside the ticks.
        nw, nh = _text_size(d, names[1], f)
        label = Image.new("RGB", (max(1, nw), max(1, nh + 2)), (BACKGROUND,) * 3)
        ImageDraw.Draw(label).text((0, 0), names[1], fill=TEXT, font=f)
        label = label.rotate(90, expand=True)
        out.paste(label, (PAD, PAD + (grid.shape[0] - label.height) // 2))
    if path is not None:
        _save(out, path)
    return out


def captioned_tiles(images, captions: Sequence[str], columns: int = 9, scale: int | None = None,
                    path=None) -> Image.Image:
    """Samples in rows of `columns`, each with its caption under it (a traversal's coordinate:
    "z1: -63.0"), cut with an ellipsis to its tile's width."""
    images = np.asarray(images, dtype=np.float32)
    if len(images) == 0:
        raise ValueError("no samples to draw")
    scale = scale or auto_scale(images.shape[1:])
    tiles = _tiles(images, scale)
    th, tw = tiles.shape[1:3]
    f = font()
    draw = _scratch()
    cap_h = _text_size(draw, "Ag", f)[1] + 4
    widest = max(_text_size(draw, str(c), f)[0] for c in captions)
    cell_w = max(tw, widest) + PAD
    cols = max(1, min(columns, len(images)))
    rows = math.ceil(len(images) / cols)
    out = Image.new("RGB", (cols * cell_w + PAD, rows * (th + cap_h + PAD) + PAD), (BACKGROUND,) * 3)
    d = ImageDraw.Draw(out)
    for i, tile in enumerate(tiles):
        x, y = PAD + (i % cols) * cell_w, PAD + (i // cols) * (th + cap_h + PAD)
        out.paste(Image.fromarray(tile), (x + (cell_w - PAD - tw) // 2, y))
        text = _fit_text(d, str(captions[i]), f, cell_w - 2)
        d.text((x + (cell_w - PAD - _text_size(d, text, f)[0]) // 2, y + th + 2), text, fill=TEXT, font=f)
    if path is not None:
        _save(out, path)
    return out


# ---------------------------------------------------------------- interpolation

def interpolation_strip(images, ends: tuple[str, str] = ("", ""), scale: int | None = None,
                        path=None) -> Image.Image:
    """Samples side by side with one enlarged pixel of gap; the end labels (if any) under the
    first and last tiles. Without labels the size is H*scale by N*W*scale + (N-1)*scale."""
    images = np.asarray(images, dtype=np.float32)
    if len(images) == 0:
        raise ValueError("no samples to draw")
    scale = scale or auto_scale(images.shape[1:])
    tiles = _tiles(images, scale)
    strip = mosaic(tiles[None], scale)
    f = font()
    draw = _scratch()
    band = _text_size(draw, "Ag", f)[1] + 4 if any(ends) else 0
    out = Image.new("RGB", (strip.shape[1], strip.shape[0] + band), (BACKGROUND,) * 3)
    out.paste(Image.fromarray(strip), (0, 0))
    if band:
        d = ImageDraw.Draw(out)
        half = max(1, strip.shape[1] // 2 - 2)
        a, b = (_fit_text(d, str(t), f, half) for t in ends)
        d.text((0, strip.shape[0] + 2), a, fill=TEXT, font=f)
        d.text((strip.shape[1] - _text_size(d, b, f)[0], strip.shape[0] + 2), b, fill=TEXT, font=f)
    if path is not None:
        _save(out, path)
    return out


def interpolation_gif(images, path, scale: int | None = None, frame_ms: int = 120, bounce: bool = True,
                      hold: int = 4) -> int:
    """An animated GIF that plays the strip (there and back when `bounce`), looping forever;
    the end frames stay `hold` times longer. Returns the number of frames."""
    images = np.asarray(images, dtype=np.float32)
    if len(images) < 2:
        raise ValueError("an animation needs at least two samples")
    scale = scale or max(2, auto_scale(images.shape[1:], 2 * TILE_PX))
    order = list(range(len(images)))
    if bounce:
        order += order[-2:0:-1]
    frames = [Image.fromarray(t) for t in _tiles(images, scale)]
    seq = [frames[i] for i in order]
    last = len(images) - 1
    durations = [frame_ms * (hold if i in (0, last) else 1) for i in order]
    # One shared palette keeps colours from flickering between frames.
    palette = _palette_for(seq)
    seq = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in seq]
    _save(seq[0], path, format="GIF", save_all=True, append_images=seq[1:], duration=durations,
          loop=0, disposal=1, optimize=False)
    return len(seq)


def _palette_for(frames: list[Image.Image]) -> Image.Image:
    sheet = Image.new("RGB", (frames[0].width, frames[0].height * len(frames)))
    for k, im in enumerate(frames):
        sheet.paste(im, (0, k * frames[0].height))
    return sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT)

