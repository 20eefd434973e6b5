"""The pictures of the course report (`aegui report`), drawn with Pillow on the chart panels of
charts.py: grouped bars, a confusion matrix, latent scatter plots coloured by class, and a stack
of titled pictures (the loss curves are in curves.py). Each function returns a PIL image;
nothing here trains or reads files."""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from aegui.core.analyses import charts
from aegui.core.analyses.figures import font

WIDTH = 760
PANEL_H = 380


def save(img: Image.Image, folder, name: str, out: dict) -> None:
    """Write a figure into an experiment's folder and list it (the first one is its main picture),
    whole or not at all (a full disk left half a PNG)."""
    import io
    from pathlib import Path
    from aegui.core.analyses.report.files import write_bytes
    data = io.BytesIO()
    img.save(data, format="PNG", optimize=True)
    write_bytes(Path(folder) / name, data.getvalue())
    out["files"].append(name)
    out.setdefault("figure", name)


def color(i: int) -> tuple:
    """The i-th colour of the charts' palette, wrapping round."""
    return charts.PALETTE[i % len(charts.PALETTE)]


def title_bar(img: Image.Image, text: str, height: int = 26) -> Image.Image:
    """`img` under a one-line title (the picture widened to the title when it is longer)."""
    need = int(ImageDraw.Draw(charts.canvas(1, 1)).textlength(text, font=font(15))) + 20
    out = charts.canvas(max(img.width, need, 200), img.height + height)
    ImageDraw.Draw(out).text((out.width / 2, 5), text, fill=charts.TEXT, font=font(15), anchor="ma")
    out.paste(img, ((out.width - img.width) // 2, height))
    charts.carry_labels(img, out, (out.width - img.width) // 2, height)
    return out


def stack(images: Sequence[Image.Image], titles: Sequence[str] | None = None, gap: int = 10) -> Image.Image:
    """Pictures one under the other (each under its title, if given), centred."""
    parts = [title_bar(im, t) if titles else im for im, t in zip(images, titles or [""] * len(images))]
    width = max(p.width for p in parts)
    out = charts.canvas(width, sum(p.height for p in parts) + gap * (len(parts) - 1))
    y = 0
    for p in parts:
        out.paste(p, ((width - p.width) // 2, y))
        charts.carry_labels(p, out, (width - p.width) // 2, y)
        y += p.height + gap
    return out


def side_by_side(images: Sequence[Image.Image], gap: int = 10) -> Image.Image:
    """Pictures in a row, `gap` pixels apart, top-aligned, their text labels carried along."""
    out = charts.canvas(sum(i.width for i in images) + gap * (len(images) - 1), max(i.height for i in images))
    x = 0
    for im in images:
        out.paste(im, (x, 0))
        charts.carry_labels(im, out, x, 0)
        x += im.width + gap
    return out


def bars(categories: Sequence[str], groups: Sequence[dict], *, title: str, ylabel: str,
         width: int = WIDTH, height: int = 380, dots: bool = False) -> Image.Image:
    """groups: {"label", "values", "std" (optional)}; categories along x, by name where every name
    fits under its bars, else numbered with the full names in rows under the chart. Two groups or
    more get their key in a row under the chart (inside it, it would cover the first bars). A
    chart whose bars are all 0 (every glyph right) says so in the plot, which would otherwise
    look empty. `dots`: a dot per value on an axis that spans the values (charts.bar_panel)."""
    measure = ImageDraw.Draw(charts.canvas(1, 1))
    slot = (width - 70) / max(1, len(categories)) - 3          # the plot's width a category has, less a gap
    size = 11 if len(categories) > 40 else 12                   # as bar_panel writes them
    long = any(measure.textlength(str(c), font=font(size)) > slot for c in categories)
    shown = [str(i + 1) for i in range(len(categories))] if long else list(categories)
    gs = [{**g, "color": g.get("color", color(i))} for i, g in enumerate(groups)]
    key_h = 22 if len(gs) > 1 else 0
    extra = key_h + (17 * len(categories) + 8 if long else 0)
    img = charts.canvas(width, height + extra)
    charts.bar_panel(img, (0, 0, width, height), shown, gs, title=title, ylabel=ylabel, legend=False, dots=dots)
    draw = ImageDraw.Draw(img)
    values = [v for g in groups for v in np.asarray(g["values"], float).ravel()]
    if values and all(v == 0 for v in values):
        note = f"all {len(values)} bars are 0"
        x0, y0, x1, y1 = draw.textbbox((width / 2, height / 2), note, font=font(15), anchor="mm")
        draw.rectangle([x0 - 8, y0 - 5, x1 + 8, y1 + 5], fill=(255, 255, 255))     # off the grid line behind it
        charts.text_at(img, draw, (width / 2, height / 2), note, font(15), "mm", "note")
    x = 70
    for g in gs if key_h else []:
        draw.rectangle([x, height + 6, x + 14, height + 18], fill=g["color"])
        box = charts.text_at(img, draw, (x + 20, height + 12), g["label"], font(12), "lm", "key")
        x = box[2] + 24
    if long:
        for i, c in enumerate(categories):
            draw.text((70, height + key_h + 4 + 17 * i), f"{i + 1}: {c}", fill=charts.TEXT, font=font(12))
    return img


def confusion(matrix: np.ndarray, classes: Sequence[str], *, title: str, cell: int = 40) -> Image.Image:
    """Counts on a white-to-blue scale, rows = true class, columns = predicted; the diagonal
    outlined."""
    m = np.asarray(matrix, dtype=float)
    n = len(classes)
    left, top = 110, 60
    img = charts.canvas(left + n * cell + 20, top + n * cell + 40)
    draw = ImageDraw.Draw(img)
    draw.text((img.width / 2, 6), title, fill=charts.TEXT, font=font(15), anchor="ma")
    draw.text((left + n * cell / 2, top - 32), "predicted", fill=charts.TEXT, font=font(12), anchor="ma")
    draw.text((8, top - 18), "true", fill=charts.TEXT, font=font(12))
    rows = m.sum(1, keepdims=True)
    share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    f = font(11 if cell < 44 else 12)
    for i in range(n):
        name = str(classes[i])[:14]
        draw.text((left - 6, top + i * cell + cell / 2), name, fill=charts.TEXT, font=f, anchor="rm")
        draw.text((left + i * cell + cell / 2, top - 4), str(classes[i])[:5], fill=charts.TEXT, font=f, anchor="md")
        for j in range(n):
            t = share[i, j]
            rgb = tuple(int(255 - t * (255 - c)) for c in (31, 119, 180))
            box = [left + j * cell, top + i * cell, left + (j + 1) * cell - 1, top + (i + 1) * cell - 1]
            draw.rectangle(box, fill=rgb, outline=(60, 60, 60) if i == j else (235, 235, 235))
            if m[i, j]:
                ink = (255, 255, 255) if t > 0.55 else charts.TEXT
                draw.text((box[0] + cell / 2, box[1] + cell / 2), f"{int(m[i, j])}", fill=ink, font=f, anchor="mm")
    return img


def class_colors(labels: Sequence[str]) -> dict[str, tuple] | None:
    """A colour per class when there are few classes (digits, clothes); None for glyphs."""
    names = sorted(set(labels), key=lambda t: (not t.isdigit(), int(t) if t.isdigit() else 0, t))
    if len(names) > len(charts.CLASS_COLORS):
        return None
    return {c: charts.CLASS_COLORS[i] for i, c in enumerate(names)}


TITLE_SIZES = (15, 14, 13)     # px: a title too long for its panel is drawn smaller, then on more lines
TITLE_LINE = 18                # px a title line takes


def fitted_title(text: str, width: int) -> tuple[int, list[str]]:
    """The font size and lines that write `text` within `width` pixels: one line at the largest
    size that fits, else (at the smallest size) the fewest lines that fit, split at spaces where
    the longest line is shortest (a lone word wider than `width` keeps a line of its own)."""
    draw = ImageDraw.Draw(charts.canvas(1, 1))
    for size in TITLE_SIZES:
        if draw.textlength(text, font=font(size)) <= width:
            return size, [text]
    size = TITLE_SIZES[-1]
    words = text.split(" ")
    measure = lru_cache(maxsize=None)(lambda i, j: draw.textlength(" ".join(words[i:j]), font=font(size)))

    @lru_cache(maxsize=None)
    def best(i: int, n: int) -> tuple[float, tuple[int, ...]]:
        """The shortest longest line writing words[i:] on n lines, and where the lines end."""
        if n == 1:
            return measure(i, len(words)), (len(words),)
        return min(((max(measure(i, j), best(j, n - 1)[0]), (j,) + best(j, n - 1)[1])
                    for j in range(i + 1, len(words) - n + 2)), default=(math.inf, ()))

    for n in range(2, len(words) + 1):
        longest, ends = best(0, n)
        if longest <= width or n == len(words):
            return size, [" ".join(words[a:b]) for a, b in zip((0,) + ends[:-1], ends)]
    return size, [text]


def latent_scatter(panels: Sequence[dict], *, cell: int = 380, legend: bool = True) -> Image.Image:
    """panels: {"title", "xy" [N, 2], "labels", "axes" (optional: the coordinates' names, default
    "z0", "z1")}; side by side on their axes, each under its title fitted to the panel (smaller,
    or on more lines: a long one would spill over its neighbour or off the picture). Few classes:
    dots coloured by class with one legend under the row; glyphs: a dot each, named where the
    name overlaps no other (how many are named is said under the panel)."""
    allowed = [p for p in panels if len(p["xy"])]
    labels = [lab for p in allowed for lab in p["labels"]]
    by_class = class_colors(labels) if len(labels) > 200 else None
    leg_h = 26 if by_class and legend else 0
    titles = [fitted_title(p["title"], cell - 16) for p in allowed]
    head = TITLE_LINE * max((len(lines) for _, lines in titles), default=1)
    shift = head - TITLE_LINE        # scatter_panel keeps one line's room above its frame
    img = charts.canvas(max(1, len(allowed)) * cell, cell + shift + leg_h + 8)
    draw = ImageDraw.Draw(img)
    for c, (p, (size, lines)) in enumerate(zip(allowed, titles)):
        box = (c * cell, shift, (c + 1) * cell - 8, cell + shift - 8)
        colors = [by_class[t] for t in p["labels"]] if by_class else [color(0)] * len(p["labels"])
        before = img.info.get("unlabelled", 0)
        charts.scatter_panel(img, box, np.asarray(p["xy"], float), [str(t) for t in p["labels"]],
                             colors=colors, dots=by_class is not None, axes=tuple(p.get("axes", ("z0", "z1"))))
        missed = img.info.get("unlabelled", 0) - before
        if missed:
            n = len(p["labels"])
            charts.text_at(img, draw, (box[2] - 4, box[3] + 2), f"{n - missed} of {n} named; the rest crowd: dots only",
                           font(11), "ra", "note")
        for k, line in enumerate(lines):
            charts.text_at(img, draw, ((box[0] + box[2]) / 2, 2 + k * TITLE_LINE), line, font(size), "ma", "title")
    if by_class and legend:
        x, y = 20, cell + shift
        for label, col in by_class.items():
            draw.ellipse([x, y + 4, x + 8, y + 12], fill=col)
            draw.text((x + 12, y + 8), label, fill=charts.TEXT, font=font(13), anchor="lm")
            x += 22 + int(draw.textlength(label, font=font(13)))
    return img


def table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int = 0) -> Image.Image:
    """A table as a picture: the first column left-aligned, the others right-aligned on their
    own right edges, each as wide as its widest cell (a proportional font cannot line up a
    text report's spaces). Empty rows leave a gap; cell boxes are recorded (kind "cell")."""
    f = font(13)
    measure = ImageDraw.Draw(charts.canvas(1, 1))
    cols = len(header)
    widths = [max(int(measure.textlength(str(r[c]), font=f)) for r in [header, *rows] if len(r) > c)
              for c in range(cols)]
    gap, pad, line = 22, 12, 19
    need = pad * 2 + sum(widths) + gap * (cols - 1)
    img = charts.canvas(max(width, need), line * (len(rows) + 1) + 2 * pad)
    draw = ImageDraw.Draw(img)
    for k, row in enumerate([header, *rows]):
        y = pad + line * k
        x = pad
        for c, cell in enumerate(row):
            if c == 0:
                charts.text_at(img, draw, (x, y), str(cell), f, "la", "cell")
            elif str(cell):
                charts.text_at(img, draw, (x + widths[c], y), str(cell), f, "ra", "cell")
            x += widths[c] + gap
    return img


def fmt(v, digits: int = 3) -> str:
    """A number for a summary: 0.00123 -> 0.00123, 12.345 -> 12.3, NaN -> n/a."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    v = float(v)
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.{digits}g}"
