"""The pictures of the course report (`aegui report`), drawn with Pillow on the chart panels of
charts.py: loss curves (training solid, test dashed), grouped bars, a confusion matrix, latent
scatter plots coloured by class, and a stack of titled pictures. Each function returns a PIL
image; nothing here trains or reads files."""
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
    out = charts.canvas(sum(i.width for i in images) + gap * (len(images) - 1), max(i.height for i in images))
    x = 0
    for im in images:
        out.paste(im, (x, 0))
        charts.carry_labels(im, out, x, 0)
        x += im.width + gap
    return out


def loss_curves(runs: Sequence[dict], *, title: str, ylabel: str = "loss", log: bool = True,
                width: int = WIDTH, height: int = 420, test_name: str = "test") -> Image.Image:
    """runs: {"label", "epochs", "train", "test" (optional), "train_std" (optional), "stopped"
    (optional: why the run ended early, e.g. "diverged at epoch 5", marked where it stopped)};
    one colour a run, training solid with its band, `test_name` ("test", "validation") dashed.
    `log`: a log axis (losses span decades), its ticks saying the losses themselves. Runs whose
    curves coincide would hide each other: they are drawn as small multiples on shared axes."""
    def tr(v):
        v = np.asarray(v, float)
        if not log:
            return v
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(v > 0, np.log10(np.where(v > 0, v, 1.0)), np.nan)

    per_run = []
    for i, r in enumerate(runs):
        y = tr(r["train"])
        end = f" ({r['stopped']})" if r.get("stopped") else ""
        s = {"label": (f"{r['label']} (train)" if r.get("test") is not None else r["label"]) + end,
             "x": np.asarray(r["epochs"], float), "y": y, "color": color(i)}
        if r.get("train_std") is not None:
            mean, sd = np.asarray(r["train"], float), np.asarray(r["train_std"], float)
            if log:
                with np.errstate(divide="ignore", invalid="ignore"):
                    s["std"] = np.nan_to_num(np.abs(tr(mean + sd) - y))
            else:
                s["std"] = sd
        group = [s]
        if r.get("test") is not None:
            group.append({"label": f"{r['label']} ({test_name})", "x": s["x"], "y": tr(r["test"]),
                          "color": color(i), "dash": True})
        per_run.append((r, group))
    series = [s for _, g in per_run for s in g]
    ylabel = f"{ylabel} (log scale)" if log else ylabel
    whole = lambda v: f"{v:g}"      # noqa: E731  epochs are whole numbers: 5, not 5.0
    if len(runs) > 1 and _coincide([g[0] for _, g in per_run]):
        return _small_multiples(per_run, title, ylabel, log, width, test_name, whole)
    legend_h = 17 * len(series) + 10
    img = charts.canvas(width, height + legend_h)
    area, sx, sy = charts.line_panel(img, (0, 0, width, height), series, title=title, xlabel="epoch",
                                     ylabel=ylabel, legend=False, xtick_text=whole, ylog=log)
    for r, group in per_run:
        _mark_stop(img, r, group[0], sx, sy, area)
    _legend_below(img, series, height)
    return img


def _coincide(series: Sequence[dict]) -> bool:
    """Whether two training curves lie on each other over the epochs they share (the same seed
    trained for 6000 and for 12000 epochs): drawn together, only one would be seen."""
    for i, a in enumerate(series):
        for b in series[i + 1:]:
            shared, ia, ib = np.intersect1d(a["x"], b["x"], return_indices=True)
            if len(shared) < 2:
                continue
            ya, yb = a["y"][ia], b["y"][ib]
            ok = np.isfinite(ya) & np.isfinite(yb)
            scale = np.nanmax(np.abs(np.concatenate([ya[ok], yb[ok]]))) if ok.any() else 0.0
            if ok.sum() >= 2 and np.max(np.abs(ya[ok] - yb[ok])) <= 1e-3 * (scale or 1.0):
                return True
    return False


def _small_multiples(per_run, title: str, ylabel: str, log: bool, width: int, test_name: str,
                     whole) -> Image.Image:
    """One small panel a run, all on the same axes, under the figure's title. Each panel's title
    is fitted to its panel (smaller, or on as many lines as it takes, every panel keeping room
    for the most): a grid search's "SGD momentum 0.2, batch_size=1000, learning_rate=0.001" is
    wider than a third of the figure and would run into its neighbours' titles."""
    cols = min(len(per_run), 3 if width >= 700 else 2)
    rows = math.ceil(len(per_run) / cols)
    cell_w = width // cols
    names = [r["label"] + (f" ({r['stopped']})" if r.get("stopped") else "") for r, _ in per_run]
    titles = [fitted_title(n, cell_w - 16) for n in names]
    shift = TITLE_LINE * (max(len(lines) for _, lines in titles) - 1)   # line_panel keeps one line's room
    cell_h = 250 + shift
    allx = [s["x"] for _, g in per_run for s in g]
    ally = [s["y"] + np.nan_to_num(np.asarray(s.get("std", 0.0), float)) for _, g in per_run for s in g]
    xr = charts.axis_range(allx, pad=0.0, zero=False)
    yr = charts.axis_range(ally, zero=not log)
    has_test = any(len(g) > 1 for _, g in per_run)
    key_h = 22 if has_test else 0
    img = charts.canvas(cols * cell_w, rows * cell_h + key_h)
    for k, (r, group) in enumerate(per_run):
        x0, y0 = (k % cols) * cell_w, (k // cols) * cell_h
        area, sx, sy = charts.line_panel(img, (x0, y0 + shift, x0 + cell_w - 6, y0 + cell_h - 4), group,
                                         xlabel="epoch", ylabel=ylabel, legend=False, xtick_text=whole,
                                         xr=xr, yr=yr, ylog=log)
        size, lines = titles[k]
        for n, line in enumerate(lines):
            charts.text_at(img, ImageDraw.Draw(img), (x0 + (cell_w - 6) / 2, y0 + 2 + n * TITLE_LINE), line,
                           font(size), "ma", "title")
        _mark_stop(img, r, group[0], sx, sy, area)
    if has_test:
        ImageDraw.Draw(img).text((70, rows * cell_h + 4), f"solid: train, dashed: {test_name}",
                                 fill=charts.TEXT, font=font(12))
    return title_bar(img, title)


def _mark_stop(img: Image.Image, run: dict, s: dict, sx, sy, area) -> None:
    """A cross on the last point of a run that ended early (on the plot's top edge at the epoch it
    stopped, when no loss of it is finite), and why beside it: below and right of the cross, or on
    whichever side keeps it inside the plot `area` (off it, it would lie on the tick labels or the
    next panel)."""
    if not run.get("stopped") or not len(s["x"]):
        return
    left, top, right, bottom = area
    ok = np.flatnonzero(np.isfinite(s["y"]))
    note = run["stopped"]
    if len(ok):
        px, py = sx(s["x"][ok[-1]]), sy(s["y"][ok[-1]])
    else:       # its loss became inf or NaN: no point to put the cross on, so it goes on the top edge
        px, py = min(max(sx(s["x"][-1]), left + 6), right - 6), top + 8
        note += " (loss not finite)"
    draw = ImageDraw.Draw(img)
    draw.line([(px - 6, py - 6), (px + 6, py + 6)], fill=s["color"], width=3)
    draw.line([(px - 6, py + 6), (px + 6, py - 6)], fill=s["color"], width=3)
    x0, y0, x1, y1 = draw.textbbox((px + 10, py + 8), note, font=font(12), anchor="la")
    right_side = x1 <= right or px - 10 - (x1 - x0) < left
    below = y1 <= bottom or py - 8 - (y1 - y0) < top
    charts.text_at(img, draw, (px + 10 if right_side else px - 10, py + 8 if below else py - 8), note,
                   font(12), ("l" if right_side else "r") + ("a" if below else "d"), "note", fill=s["color"])


def _legend_below(img: Image.Image, series: Sequence[dict], top: int) -> None:
    draw = ImageDraw.Draw(img)
    f = font(12)
    y = top + 4
    for s in series:
        x = 70
        if s.get("dash"):
            for a in range(x, x + 24, 8):
                draw.line([(a, y + 7), (a + 4, y + 7)], fill=s["color"], width=3)
        else:
            draw.line([(x, y + 7), (x + 24, y + 7)], fill=s["color"], width=3)
        draw.text((x + 32, y), s["label"], fill=charts.TEXT, font=f)
        y += 17


def bars(categories: Sequence[str], groups: Sequence[dict], *, title: str, ylabel: str,
         width: int = WIDTH, height: int = 380) -> Image.Image:
    """groups: {"label", "values", "std" (optional)}; categories along x, by name where every name
    fits under its bars, else numbered with the full names in rows under the chart. Two groups or
    more get their key in a row under the chart (inside it, it would cover the first bars). A
    chart whose bars are all 0 (every glyph right) says so in the plot, which would otherwise
    look empty."""
    measure = ImageDraw.Draw(charts.canvas(1, 1))
    slot = (width - 70) / max(1, len(categories)) - 3          # the plot's width a category has, less a gap
    size = 11 if len(categories) > 40 else 12                   # as bar_panel writes them
    long = any(measure.textlength(str(c), font=font(size)) > slot for c in categories)
    shown = [str(i + 1) for i in range(len(categories))] if long else list(categories)
    gs = [{**g, "color": g.get("color", color(i))} for i, g in enumerate(groups)]
    key_h = 22 if len(gs) > 1 else 0
    extra = key_h + (17 * len(categories) + 8 if long else 0)
    img = charts.canvas(width, height + extra)
    charts.bar_panel(img, (0, 0, width, height), shown, gs, title=title, ylabel=ylabel, legend=False)
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
    """panels: {"title", "xy" [N, 2], "labels"}; side by side, each under its title fitted to the
    panel (smaller, or on more lines: a long one would spill over its neighbour or off the picture).
    Few classes: dots coloured by class with one legend under the row; glyphs: their labels as text."""
    allowed = [p for p in panels if len(p["xy"])]
    labels = [lab for p in allowed for lab in p["labels"]]
    by_class = class_colors(labels) if len(labels) > 200 else None
    leg_h = 26 if by_class and legend else 0
    titles = [fitted_title(p["title"], cell - 16) for p in allowed]
    head = TITLE_LINE * max((len(lines) for _, lines in titles), default=1)
    shift = head - TITLE_LINE        # scatter_panel keeps one line's room above its frame
    img = charts.canvas(max(1, len(allowed)) * cell, cell + shift + leg_h)
    draw = ImageDraw.Draw(img)
    for c, (p, (size, lines)) in enumerate(zip(allowed, titles)):
        box = (c * cell, shift, (c + 1) * cell - 8, cell + shift - 8)
        colors = [by_class[t] for t in p["labels"]] if by_class else [color(0)] * len(p["labels"])
        charts.scatter_panel(img, box, np.asarray(p["xy"], float), [str(t) for t in p["labels"]],
                             colors=colors, dots=by_class is not None)
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
