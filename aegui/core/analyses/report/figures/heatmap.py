"""A grid search as a heatmap (`aegui report`'s 004 grid): one cell per grid point, rows the
runs (Adam, SGD with each momentum), columns every combination of the grid's fields (batch x
learning rate, the first field over the second), the test loss written in each cell and shown
by its colour on a log scale shared by every panel (after 8 epochs, after 16), the lowest of
each panel outlined. Replaces 45 small loss-curve panels (4,068 px tall) that could not be
compared at a glance."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from aegui.core.analyses import charts
from aegui.core.analyses.figures import decade_text, font, log_ticks
from aegui.core.analyses.report.figures.figures import WIDTH, fmt, stack, title_bar

# viridis at 0, 0.25, 0.5, 0.75 and 1 (matplotlib's): even steps of lightness, readable in grey.
VIRIDIS = np.array([(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)], float)
MISSING = (225, 225, 225)
CELL_H = 30


def shade(t: float) -> tuple[int, int, int]:
    """The colour of t in [0, 1] on the viridis scale."""
    t = min(1.0, max(0.0, t)) * (len(VIRIDIS) - 1)
    i = min(int(t), len(VIRIDIS) - 2)
    c = VIRIDIS[i] + (VIRIDIS[i + 1] - VIRIDIS[i]) * (t - i)
    return tuple(int(round(v)) for v in c)


def heatmaps(panels: Sequence[tuple[str, np.ndarray]], rows: Sequence[str], cols: Sequence[Sequence[str]],
             col_names: Sequence[str], *, title: str, value_name: str, width: int = WIDTH,
             failed: np.ndarray | None = None) -> Image.Image:
    """panels: (subtitle, values [len(rows), len(cols)], NaN where a run has no value); cols: each
    column's value of every grid field, outermost first (("128", "0.1"), ("128", "0.01"), ...);
    col_names: the fields' names; failed: [len(rows), len(cols)], True where no run of the cell
    trained (report/health.py), written "failed" in it rather than "n/a". One colour scale (log10
    of the values) for every panel, its key under them."""
    finite = np.concatenate([np.asarray(v, float)[np.isfinite(v) & (np.asarray(v, float) > 0)].ravel()
                             for _, v in panels] or [np.zeros(0)])
    lo, hi = (math.log10(finite.min()), math.log10(finite.max())) if finite.size else (0.0, 1.0)
    hi = hi if hi > lo else lo + 1.0
    failed = np.zeros((len(rows), len(cols)), bool) if failed is None else np.asarray(failed, bool)
    imgs = [_panel(sub, np.asarray(v, float), rows, cols, col_names, (lo, hi), width, failed) for sub, v in panels]
    imgs.append(_key((lo, hi), value_name, width))
    return title_bar(stack(imgs, gap=12), title)


def _panel(subtitle: str, values: np.ndarray, rows, cols, col_names, scale, width: int,
           failed: np.ndarray) -> Image.Image:
    measure = ImageDraw.Draw(charts.canvas(1, 1))
    fs, fb = font(12), font(13)
    left = 12 + max(int(measure.textlength(r, font=fs)) for r in rows) + 10
    name_w = max(int(measure.textlength(n, font=fs)) for n in col_names) + 10
    left = max(left, name_w)
    cell_w = max(40, (width - left - 12) // max(1, len(cols)))
    levels = len(col_names)
    top = 24 + 18 * levels
    img = charts.canvas(left + cell_w * len(cols) + 12, top + CELL_H * len(rows) + 8)
    draw = ImageDraw.Draw(img)
    charts.text_at(img, draw, (img.width / 2, 2), subtitle, fb, "ma", "title")
    for level, name in enumerate(col_names):        # each field's name, then its values over their columns
        y = 24 + 18 * level
        charts.text_at(img, draw, (left - 6, y), name, fs, "ra", "header")
        start = 0
        for c in range(1, len(cols) + 1):
            if c == len(cols) or cols[c][:level + 1] != cols[start][:level + 1]:
                x0, x1 = left + start * cell_w, left + c * cell_w
                charts.text_at(img, draw, ((x0 + x1) / 2, y), cols[start][level], fs, "ma", "header")
                if level < levels - 1:
                    draw.line([(x0 + 4, y + 16), (x1 - 4, y + 16)], fill=charts.AXIS)
                start = c
    (lo, hi), best = scale, _lowest(values)
    for i, row in enumerate(rows):
        y0 = top + i * CELL_H
        charts.text_at(img, draw, (left - 6, y0 + CELL_H / 2), row, fs, "rm", "row")
        for j in range(len(cols)):
            x0 = left + j * cell_w
            box = (x0, y0, x0 + cell_w - 1, y0 + CELL_H - 1)
            v = values[i, j]
            ok = math.isfinite(v) and v > 0
            t = (math.log10(v) - lo) / (hi - lo) if ok else 0.0
            fill = shade(t) if ok else MISSING
            draw.rectangle(box, fill=fill, outline=(255, 255, 255))
            img.info.setdefault("labels", []).append({"kind": "cell", "text": row, "box": box, "value": v,
                                                      "failed": bool(failed[i, j])})
            ink = (255, 255, 255) if ok and t < 0.6 else charts.TEXT
            said = fmt(v, 2) if ok else "failed" if failed[i, j] else "n/a"
            charts.text_at(img, draw, ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), said, font(11), "mm", "value",
                           fill=ink)
        if best is not None and best[0] == i:
            x0 = left + best[1] * cell_w
            draw.rectangle((x0, y0, x0 + cell_w - 1, y0 + CELL_H - 1), outline=(214, 39, 40), width=3)
    return img


def _lowest(values: np.ndarray) -> tuple[int, int] | None:
    ok = np.where(np.isfinite(values) & (values > 0), values, np.inf)
    if not np.isfinite(ok).any():
        return None
    return tuple(int(v) for v in np.unravel_index(np.argmin(ok), ok.shape))


def _key(scale, value_name: str, width: int) -> Image.Image:
    """The colour scale as a bar with its values at powers of ten (log scale), and what the red
    outline means."""
    lo, hi = scale
    img = charts.canvas(width, 64)
    draw = ImageDraw.Draw(img)
    x0, x1, y0 = 120, width - 40, 22
    for x in range(x0, x1 + 1):
        draw.line([(x, y0), (x, y0 + 12)], fill=shade((x - x0) / (x1 - x0)))
    draw.rectangle((x0, y0, x1, y0 + 12), outline=charts.AXIS)
    charts.text_at(img, draw, (x0 - 8, y0 + 6), value_name, font(12), "rm", "key")
    for t in log_ticks(lo, hi, 8):
        x = x0 + (t - lo) / (hi - lo) * (x1 - x0)
        draw.line([(x, y0 + 12), (x, y0 + 16)], fill=charts.AXIS)
        charts.text_at(img, draw, (x, y0 + 18), decade_text(10 ** t), font(12), "ma", "xtick")
    charts.text_at(img, draw, (x0, 2), "log scale; outlined in red: the lowest of the panel", font(12), "la", "key")
    return img


def grid_heatmap(spec, measured: Sequence[dict], read_epochs: Sequence[int]) -> Image.Image:
    """A compare preset's grid (spec: its CompareSpec) from its measured rows: the loss each run
    reached at each of `read_epochs` (measured "loss_at_<epoch>", the test set's where it has one),
    one panel an epoch count. A row's label is its run's label and the grid's values
    ("Adam, batch_size=128, learning_rate=0.1"); the columns are the value combinations in the
    order the runs were planned (the last field varying fastest)."""
    names = [k.split(".")[1] for k, _ in spec.grid]
    rows = [label for label, _ in spec.runs] or [""]
    cells: dict[tuple[str, tuple], dict] = {}
    combos: list[tuple] = []
    for m in measured:
        run = next((r for r in sorted(rows, key=len, reverse=True) if r and m["label"].startswith(r + ", ")), "")
        rest = m["label"][len(run) + 2:] if run else m["label"]
        values = dict(part.split("=", 1) for part in rest.split(", ") if "=" in part)
        combo = tuple(values.get(n, "?") for n in names)
        if combo not in combos:
            combos.append(combo)
        cells[(run, combo)] = m
    which = "test" if spec.test != "none" else "training"
    failed = np.array([[bool(cells.get((run, combo), {}).get("failed")) for combo in combos] for run in rows], bool)
    panels = []
    for e in read_epochs:
        values = np.full((len(rows), len(combos)), np.nan)
        for i, run in enumerate(rows):
            for j, combo in enumerate(combos):
                got = cells.get((run, combo), {}).get(f"loss_at_{e}")
                values[i, j] = np.nan if got is None else got
        panels.append((f"{which} loss after {e} epochs", values))
    seeds = max((m.get("seeds", m.get("runs", 1)) for m in measured), default=1)
    # A cell's mean covers the seeds that count (report/health.py); where some did not, it says so.
    short = any(m.get("runs", seeds) < m.get("seeds", m.get("runs", 1)) for m in measured)
    over = (f" (mean of the seeds that trained, of {seeds}; failed: no seed trained)" if short
            else f" (mean of {seeds} seeds)" if seeds > 1 else "")
    return heatmaps(panels, rows, combos, names, value_name=f"{which} loss", failed=failed,
                    title=f"the grid: {which} loss of each of the {len(rows) * len(combos)} configurations" + over)
