"""Charts for the analyses' PNG exports, drawn with Pillow (no Qt, no matplotlib): lines with
mean ± std bands, bars with error bars, and labelled scatter panels. Each `*_panel` draws into
a box of an existing picture, so a figure can hold several side by side; `canvas()` makes one.

Panels draw onto a PIL image (`img`) inside `box` = (x0, y0, x1, y1). Series are plain dicts (numpy arrays in, nothing kept):
- line: {"label", "x", "y", "std" (optional band), "color", "dash" (bool, optional)}
- bars: {"label", "values", "std" (optional error bars), "color"}
The text helpers (fonts) come from aegui.core.analyses.figures.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from aegui.core.analyses.figures import decade_text, font, log_ticks, nice_ticks, sample_image, tick_labels

PALETTE = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127)]
# Ten distinguishable colours (matplotlib's tab10) for class-coloured scatter plots.
CLASS_COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
TEXT = (40, 40, 40)
GRID = (225, 225, 225)
MINOR = (242, 242, 242)    # a log axis' 2x..9x lines, fainter than the labelled ones
AXIS = (120, 120, 120)


def canvas(width: int, height: int) -> Image.Image:
    """A white RGB picture of that size, what every chart is drawn on."""
    return Image.new("RGB", (width, height), "white")


def _draw(img: Image.Image) -> ImageDraw.ImageDraw:
    return ImageDraw.Draw(img, "RGBA")   # RGBA mode blends translucent fills (the bands)


def _text_w(draw, text: str, f) -> int:
    x0, _, x1, _ = draw.textbbox((0, 0), text, font=f)
    return int(x1 - x0)


def text_at(img, draw, xy, text: str, f, anchor: str, kind: str, fill=TEXT) -> tuple:
    """Draw `text` anchored at `xy`, moved sideways or up just enough to lie inside the picture,
    and record its box in img.info["labels"] ({"kind", "text", "box"}; figures' tests read it)."""
    x, y = xy
    x0, y0, x1, y1 = draw.textbbox((x, y), text, font=f, anchor=anchor)
    dx = -x0 if x0 < 0 else min(0, img.width - 1 - x1)
    dy = -y0 if y0 < 0 else min(0, img.height - 1 - y1)
    draw.text((x + dx, y + dy), text, fill=fill, font=f, anchor=anchor)
    box = (x0 + dx, y0 + dy, x1 + dx, y1 + dy)
    img.info.setdefault("labels", []).append({"kind": kind, "text": text, "box": box})
    return box


def carry_labels(src: Image.Image, dst: Image.Image, dx: int, dy: int) -> None:
    """Keep the label boxes of a picture pasted into another at (dx, dy)."""
    for lab in src.info.get("labels", []):
        x0, y0, x1, y1 = lab["box"]
        dst.info.setdefault("labels", []).append({**lab, "box": (x0 + dx, y0 + dy, x1 + dx, y1 + dy)})


def _frame(img, draw, box, title: str, xlabel: str, ylabel: str, xr, yr, xticks=None, yticks=None,
           xtick_text=None, ytick_text=None, ylog: bool = False):
    """Title, axes, grid and tick labels; returns the plot area and value -> pixel maps. Tick
    labels say the values in the axis' own precision (tick_labels) and stay inside the picture;
    the plot starts right of the widest y tick label, so the axis name beside them never touches
    one. `ylog`: y values are log10 of the quantity, with faint lines at 2x..9x each decade."""
    x0, y0, x1, y1 = box
    ft, fs = font(15), font(12)
    draw.text(((x0 + x1) / 2, y0 + 2), title, fill=TEXT, font=ft, anchor="ma")
    top, right, bottom = y0 + 28, x1 - 12, y1 - 44
    (xa, xb), (ya, yb) = xr, yr
    ys = list(yticks if yticks is not None else nice_ticks(ya, yb, max(2, min(5, int((bottom - top) / 40)))))
    ylabels = ytick_text(ys) if ytick_text else tick_labels(ys)
    widest = max((_text_w(draw, t, fs) for t in ylabels), default=0)
    name_w = 18 + 6 if ylabel else 0            # the rotated axis name's height, and a gap
    left = x0 + 4 + name_w + widest + 8
    sx = lambda v: left + (v - xa) / ((xb - xa) or 1) * (right - left)     # noqa: E731
    sy = lambda v: bottom - (v - ya) / ((yb - ya) or 1) * (bottom - top)   # noqa: E731
    if ylog:
        for d in range(math.floor(ya), math.ceil(yb) + 1):
            for m in range(2, 10):
                if ya <= d + math.log10(m) <= yb and yb - ya <= 6:    # beyond 6 decades they would be a grey wash
                    draw.line([(left, sy(d + math.log10(m))), (right, sy(d + math.log10(m)))], fill=MINOR)
    for v, label in zip(ys, ylabels):
        y = sy(v)
        draw.line([(left, y), (right, y)], fill=GRID)
        text_at(img, draw, (left - 5, y), label, fs, "rm", "ytick")
    # About one x tick per 90 px, so wide numbers ("10000") never touch.
    xs = list(xticks if xticks is not None else nice_ticks(xa, xb, max(3, min(6, int((right - left) / 90)))))
    labels = [xtick_text(v) for v in xs] if xtick_text else tick_labels(xs)
    for v, label in zip(xs, labels):
        x = sx(v)
        draw.line([(x, top), (x, bottom)], fill=GRID)
        text_at(img, draw, (x, bottom + 4), label, fs, "ma", "xtick")
    draw.rectangle([left, top, right, bottom], outline=AXIS)
    if xlabel:
        text_at(img, draw, ((left + right) / 2, y1 - 4), xlabel, fs, "md", "xlabel")
    if ylabel:
        w = _text_w(draw, ylabel, fs) + 4
        label = Image.new("RGBA", (w, 18), (255, 255, 255, 0))
        ImageDraw.Draw(label).text((w / 2, 9), ylabel, fill=TEXT, font=fs, anchor="mm")
        label = label.rotate(90, expand=True)
        at = (int(x0 + 4), int((top + bottom - label.height) / 2))
        img.paste(label, at, label)
        img.info.setdefault("labels", []).append({"kind": "ylabel", "text": ylabel, "box": (
            at[0], at[1], at[0] + label.width, at[1] + label.height)})
    return (left, top, right, bottom), sx, sy


def _dashed(draw, points, color, width=2, dash=7):
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        length = math.hypot(bx - ax, by - ay)
        n = max(1, int(length / dash))
        for i in range(0, n, 2):
            t0, t1 = i / n, min(1.0, (i + 1) / n)
            draw.line([(ax + (bx - ax) * t0, ay + (by - ay) * t0), (ax + (bx - ax) * t1, ay + (by - ay) * t1)],
                      fill=color, width=width)


def axis_range(values: Sequence[np.ndarray], pad: float = 0.05, zero: bool = True) -> tuple[float, float]:
    """(low, high) of an axis over the finite values of every series, padded at the top; from 0 unless `zero` is
    false, and a range around a single value instead of none."""
    finite = [np.asarray(v, float)[np.isfinite(v)] for v in values]
    finite = [v for v in finite if v.size]
    if not finite:
        return 0.0, 1.0
    lo = min(float(v.min()) for v in finite)
    hi = max(float(v.max()) for v in finite)
    if zero:
        lo = min(lo, 0.0)
    if hi - lo <= 1e-9 * max(abs(hi), abs(lo)):     # one value: a range around it, at its scale
        hi = lo + (abs(lo) or 1.0)
    return lo, hi + (hi - lo) * pad


def _legend(draw, area, series, f):
    left, top, right, _ = area
    x, y = left + 8, top + 6
    for s in series:
        color = s["color"]
        if s.get("dash"):
            _dashed(draw, [(x, y + 7), (x + 22, y + 7)], color)
        else:
            draw.line([(x, y + 7), (x + 22, y + 7)], fill=color, width=3)
        draw.text((x + 28, y), s["label"], fill=TEXT, font=f)
        y += 17


def line_panel(img, box, series: list[dict], *, title: str = "", xlabel: str = "", ylabel: str = "",
               xticks=None, xtick_text=None, legend: bool = True, xr=None, yr=None, ylog: bool = False,
               whole_x: bool = False):
    """Lines (solid or dashed) with translucent mean ± std bands, axes from 0. `xr`, `yr`: fixed
    axis ranges (small multiples share them). `ylog`: the y values are log10 of the quantity;
    the ticks sit at powers of ten of it (log_ticks) and say them. `whole_x`: x ticks at whole
    numbers only (epochs). A series marked "context" is
    a thin line without points. Returns (plot area, x map, y map) so callers can mark points."""
    draw = _draw(img)
    xs = [np.asarray(s["x"], float) for s in series]
    ys = [np.asarray(s["y"], float) + np.nan_to_num(np.asarray(s.get("std", 0.0), float)) for s in series]
    xr = xr or axis_range(xs, pad=0.0, zero=False)
    yr = yr or axis_range(ys, zero=not ylog)
    if whole_x and xticks is None:
        # An axis of epochs: ticks at whole numbers only (no "epoch 2.5"), as many as the width takes.
        whole = [t for t in nice_ticks(*xr, max(3, min(6, int((box[2] - box[0] - 80) / 90)))) if float(t).is_integer()]
        xticks = whole if len(whole) >= 2 else None
    yticks = log_ticks(*yr, max(2, min(8, int((box[3] - box[1] - 72) / 30)))) if ylog else None
    ytext = (lambda ts: [decade_text(10 ** t) for t in ts]) if ylog else None
    area, sx, sy = _frame(img, draw, box, title, xlabel, ylabel, xr, yr, xticks, yticks, xtick_text, ytext, ylog)
    for s in series:
        x, y = np.asarray(s["x"], float), np.asarray(s["y"], float)
        if s.get("std") is not None:
            sd = np.nan_to_num(np.asarray(s["std"], float))
            # Kept inside the plot: a band reaching under an axis from 0 would cover the tick labels.
            clip = lambda py: min(max(py, area[1]), area[3])     # noqa: E731
            poly = [(sx(a), clip(sy(b + e))) for a, b, e in zip(x, y, sd) if math.isfinite(b)] + \
                   [(sx(a), clip(sy(b - e))) for a, b, e in zip(x[::-1], y[::-1], sd[::-1]) if math.isfinite(b)]
            if len(poly) >= 3:
                draw.polygon(poly, fill=(*s["color"], 50))
    for s in series:
        pts = [(sx(a), sy(b)) for a, b in zip(np.asarray(s["x"], float), np.asarray(s["y"], float))
               if math.isfinite(b)]
        if s.get("context"):        # other runs behind a small multiple: a thin line, no points
            if len(pts) > 1:
                draw.line(pts, fill=s["color"], width=1)
            continue
        if s.get("dash"):
            _dashed(draw, pts, s["color"])
        elif len(pts) > 1:
            draw.line(pts, fill=s["color"], width=2)
        # A dot at each evaluation, smaller where they crowd (a hundred checks would be a bead chain).
        r = 3 if len(pts) <= 30 else 2 if len(pts) <= 80 else 0
        for px, py in ([] if s.get("dash") or not r else pts):
            draw.ellipse([px - r, py - r, px + r, py + r], fill=s["color"])
    if legend:
        _legend(draw, area, series, font(12))
    return area, sx, sy


def bar_panel(img, box, categories: Sequence[str], groups: list[dict], *, title: str = "",
              xlabel: str = "", ylabel: str = "", legend: bool = True, dots: bool = False) -> None:
    """Grouped bars per category, each with an optional ± std error bar. `dots`: a dot for each
    value instead of a bar, on an axis that spans the values and not 0 (accuracies of 0.90 to
    0.99: from 0, their differences would be a few pixels; a bar must start at 0, a dot need not)."""
    draw = _draw(img)
    n, g = len(categories), len(groups)
    sds = [np.nan_to_num(np.asarray(b.get("std", 0.0), float)) for b in groups]
    tops = [np.asarray(b["values"], float) + sd for b, sd in zip(groups, sds)]
    if dots:
        lo, hi = axis_range(tops + [np.asarray(b["values"], float) - sd for b, sd in zip(groups, sds)], zero=False)
        yr = (lo - 0.05 * (hi - lo), hi)
    else:
        yr = axis_range(tops)
    ticks = list(range(n))
    labels = list(categories)
    area, sx, sy = _frame(img, draw, box, title, xlabel, ylabel, (-0.5, n - 0.5), yr, xticks=[],
                          xtick_text=None)
    left, top, right, bottom = area
    fs = font(11 if n > 40 else 12)
    slot = (right - left) / max(1, n)
    width = slot * 0.8 / max(1, g)
    for j, b in enumerate(groups):
        values = np.asarray(b["values"], float)
        std = None if b.get("std") is None else np.asarray(b["std"], float)
        for i in range(n):
            if not math.isfinite(values[i]):
                continue
            cx = sx(i) - slot * 0.4 + width * (j + 0.5)
            if dots:
                draw.ellipse([cx - 5, sy(values[i]) - 5, cx + 5, sy(values[i]) + 5], fill=b["color"])
            else:
                draw.rectangle([cx - width / 2, sy(values[i]), cx + width / 2, sy(0)], fill=b["color"])
            if std is not None and std[i] > 0:
                # A spread wider than the mean stops at the axis instead of crossing the labels.
                ya, yb = min(bottom, sy(values[i] - std[i])), max(top, sy(values[i] + std[i]))
                draw.line([(cx, ya), (cx, yb)], fill=TEXT, width=1)
                draw.line([(cx - 2, ya), (cx + 2, ya)], fill=TEXT)
                draw.line([(cx - 2, yb), (cx + 2, yb)], fill=TEXT)
    for i in ticks:
        text_at(img, draw, (sx(i), bottom + 4), labels[i], fs, "ma", "category")
    if legend:
        _legend(draw, area, [{"label": b["label"], "color": b["color"]} for b in groups], font(12))


def scatter_panel(img, box, xy: np.ndarray, labels: Sequence[str], *, title: str = "",
                  images: np.ndarray | None = None, colors: Sequence[tuple] | None = None,
                  dots: bool = False, axes: tuple[str, str] | None = None) -> None:
    """Points as dots (`dots`: thousands of them, coloured by class), as their small pictures
    (`images`), or as a dot with its label beside it where the label has room: labels are placed
    the most isolated point first, each beside its dot (right, left, above, below) where it
    touches no label placed before, and left out (the dot stays) where none is free. `axes`:
    the two coordinates' names, drawn with their ticks (the values a latent space's codes take);
    None: no axes (t-SNE, whose coordinates mean nothing)."""
    draw = _draw(img)
    x0, y0, x1, y1 = box
    draw.text(((x0 + x1) / 2, y0 + 2), title, fill=TEXT, font=font(15), anchor="ma")
    xy = np.asarray(xy, float)
    if axes is None:
        left, top, right, bottom = x0 + 22, y0 + 38, x1 - 22, y1 - 22
        frame = (left - 16, top - 14, right + 16, bottom + 16)
        draw.rectangle(frame, outline=GRID)
        (xa, xb), (ya, yb) = _scatter_range(xy)
        sx = lambda v: left + (v - xa) / (xb - xa) * (right - left)     # noqa: E731
        sy = lambda v: bottom - (v - ya) / (yb - ya) * (bottom - top)   # noqa: E731
    else:
        frame, sx, sy = _frame(img, draw, (x0, y0 + 4, x1, y1), "", axes[0], axes[1], *_scatter_range(xy))
    if not len(xy):
        return
    pts = [(sx(px), sy(py)) for px, py in xy]
    cols = [colors[i] if colors is not None else PALETTE[0] for i in range(len(xy))]
    if images is not None:
        for i, (cx, cy) in enumerate(pts):
            tile = sample_image(images[i], max(1, int(round(20 / max(images[i].shape[:2])))))
            img.paste(tile, (int(cx - tile.width / 2), int(cy - tile.height / 2)))
            draw.rectangle([cx - tile.width / 2 - 1, cy - tile.height / 2 - 1, cx + tile.width / 2,
                            cy + tile.height / 2], outline=(*cols[i], 160))
        return
    r = 1.5 if dots else 2.5
    for (cx, cy), c in zip(pts, cols):
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=c)
    if not dots:        # thousands of points (MNIST's test set): text would be one blot
        _label_points(img, draw, pts, labels, cols, (frame[0] + 1, frame[1] + 1, frame[2] - 1, frame[3] - 1))


def _scatter_range(xy: np.ndarray) -> tuple[tuple[float, float], tuple[float, float]]:
    """Each coordinate's range with a little room around the points (a range around a lone value)."""
    if not len(xy):
        return (0.0, 1.0), (0.0, 1.0)
    lo, hi = xy.min(0), xy.max(0)
    span = np.where(hi - lo > 1e-12, hi - lo, np.maximum(np.abs(lo), 1.0))
    lo, hi = lo - 0.04 * span, hi + 0.04 * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def _label_points(img, draw, pts, labels, colors, bounds) -> None:
    """Each point's label beside its dot where it overlaps no label placed before (the most
    isolated points first, so outliers are always named and a crowd gets what fits); recorded
    as kind "point" (the tests read that none overlap). img.info["unlabelled"] counts the rest."""
    f = font(13)
    xy = np.asarray(pts, float)
    if len(xy) > 1:
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
        np.fill_diagonal(d, np.inf)
        order = np.argsort(-d.min(1), kind="stable")
    else:
        order = np.arange(len(xy))
    placed: list[tuple] = []
    bx0, by0, bx1, by1 = bounds
    missed = 0
    for i in order:
        cx, cy = xy[i]
        for dx, dy, anchor in ((5, 0, "lm"), (-5, 0, "rm"), (0, -4, "md"), (0, 4, "ma")):
            b = draw.textbbox((cx + dx, cy + dy), labels[i], font=f, anchor=anchor)
            if b[0] < bx0 or b[1] < by0 or b[2] > bx1 or b[3] > by1:
                continue
            if any(b[0] < q[2] and q[0] < b[2] and b[1] < q[3] and q[1] < b[3] for q in placed):
                continue
            # Nor over another point's dot: a name must not hide a point it does not name.
            near = (np.abs(xy[:, 0] - (b[0] + b[2]) / 2) < (b[2] - b[0]) / 2 + 2) & \
                   (np.abs(xy[:, 1] - (b[1] + b[3]) / 2) < (b[3] - b[1]) / 2 + 2)
            near[i] = False
            if near.any():
                continue
            placed.append(b)
            draw.text((cx + dx, cy + dy), labels[i], fill=colors[i], font=f, anchor=anchor)
            img.info.setdefault("labels", []).append({"kind": "point", "text": labels[i], "box": b})
            break
        else:
            missed += 1
    img.info["unlabelled"] = img.info.get("unlabelled", 0) + missed
