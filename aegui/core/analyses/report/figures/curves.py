"""The report's loss curves (training solid, test dashed, one colour a run) drawn so each can be
read: runs whose losses are in other units (a VAE's reconstruction + KL per image beside per-pixel
losses) in their own panel with their own axis, curves that lie on each other or cross back and
forth as small multiples on shared axes, the spread over the seeds as a band, and a cross where a
run (or one of its seeds) ended early. Each function returns a PIL image."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from aegui.core.analyses import charts
from aegui.core.analyses.figures import font
from aegui.core.analyses.report.figures.figures import TITLE_LINE, WIDTH, color, fitted_title, stack, title_bar

SMALL_MULTIPLE_H = 250


def loss_curves(runs: Sequence[dict], *, title: str, ylabel: str = "loss", log: bool = True,
                width: int = WIDTH, height: int = 420, test_name: str = "test", from_zero: bool = True) -> Image.Image:
    """runs: {"label", "epochs", "train", "test" (optional), "train_std" (optional: a band),
    "color" (optional), "panel" (optional: runs of another panel get their own chart, with
    their own y axis, under the panel's name), "stopped" (optional: why the run ended early,
    e.g. "diverged at epoch 5", marked where its curve stops), "stops" (optional: seeds that
    ended early, [{"epoch", "loss" (None: not finite), "why"}], each marked with a cross where
    it stopped)}. `test_name` ("test", "validation") names the dashed curves. `log`: a log axis
    (losses span decades), its ticks at powers of ten; else a linear axis from 0, or (not
    `from_zero`: accuracies of 0.92 to 1, whose train / test gap would be a few pixels from 0)
    spanning the values. Runs whose curves coincide or tangle would hide each other: they are
    drawn as small multiples on shared axes."""
    runs = [{**r, "color": r.get("color", color(i))} for i, r in enumerate(runs)]
    panels = list(dict.fromkeys(r.get("panel", "") for r in runs))
    if len(panels) > 1:
        parts = [loss_curves([r for r in runs if r.get("panel", "") == p], title=p, ylabel=ylabel, log=log,
                             width=width, height=max(300, height - 60), test_name=test_name, from_zero=from_zero)
                 for p in panels]
        return title_bar(stack(parts, gap=14), title)
    per_run = [(r, _series(r, log, test_name)) for r in runs]
    series = [s for _, g in per_run for s in g]
    ylabel = f"{ylabel} (log scale)" if log else ylabel
    trains = [g[0] for _, g in per_run]
    if len(runs) > 1 and (_coincide(trains) or _tangled(trains)):
        return _small_multiples(per_run, title, ylabel, log, width, test_name, from_zero)
    few = _few_checks(trains)
    legend_h = 17 * (len(series) + bool(few)) + 10
    img = charts.canvas(width, height + legend_h)
    area, sx, sy = charts.line_panel(img, (0, 0, width, height), series, title=title, xlabel="epoch", whole_x=True,
                                     ylabel=ylabel, legend=False, xtick_text=_whole, ylog=log,
                                     yr=_y_range(series, log, from_zero))
    curves = img.info["curve_pixels"] = [_pixels(s, sx, sy) for s in series]
    for finite in (True, False):        # the crosses on a point first: those on the top edge keep clear of them
        for r, group in per_run:
            _mark_stops(img, r, group[0], sx, sy, area, log, finite, curves)
    _legend_below(img, series, height)
    if few:
        charts.text_at(img, ImageDraw.Draw(img), (70, height + 4 + 17 * len(series)), few, font(12), "la", "note")
    return img


def _few_checks(trains: Sequence[dict]) -> str:
    """What to say under curves measured at three epochs or fewer (001's scipy runs: checked every
    10 of 20 iterations): the straight lines between the points were not measured."""
    epochs = sorted({float(x) for s in trains for x, y in zip(s["x"], s["y"]) if np.isfinite(y)})
    if not epochs or len(epochs) > 3:
        return ""
    said = " and ".join(_whole(e) for e in epochs)
    return f"measured at epoch{'s' if len(epochs) > 1 else ''} {said} only: the lines between are not measurements"


def _whole(v) -> str:
    return f"{v:g}"      # epochs are whole numbers: 5, not 5.0


def _to_axis(v, log: bool) -> np.ndarray:
    v = np.asarray(v, float)
    if not log:
        return v
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v > 0, np.log10(np.where(v > 0, v, 1.0)), np.nan)


def _series(r: dict, log: bool, test_name: str) -> list[dict]:
    """A run's training line (with its band) and its dashed test line, in axis units."""
    y = _to_axis(r["train"], log)
    end = f" ({r['stopped']})" if r.get("stopped") else ""
    s = {"label": (f"{r['label']} (train)" if r.get("test") is not None else r["label"]) + end,
         "x": np.asarray(r["epochs"], float), "y": y, "color": r["color"], "dash": bool(r.get("dash"))}
    if r.get("train_std") is not None:
        mean, sd = np.asarray(r["train"], float), np.nan_to_num(np.asarray(r["train_std"], float))
        if log:
            # The band of a log axis: from mean - std (where still positive) to mean + std.
            with np.errstate(divide="ignore", invalid="ignore"):
                s["std"] = np.nan_to_num(np.abs(_to_axis(mean + sd, True) - y))
        else:
            s["std"] = sd
    group = [s]
    if r.get("test") is not None:
        group.append({"label": f"{r['label']} ({test_name})", "x": s["x"], "y": _to_axis(r["test"], log),
                      "color": r["color"], "dash": True})
    return group


def _y_range(series: Sequence[dict], log: bool, from_zero: bool = True) -> tuple[float, float]:
    """The y axis' range: every value and band, from 0 on a linear axis unless not `from_zero`,
    and with a little room under the lowest curve where it does not start at 0 (its last point
    would otherwise sit on the frame)."""
    tops = [s["y"] + np.nan_to_num(np.asarray(s.get("std", 0.0), float)) for s in series]
    zero = from_zero and not log
    # A band under a linear axis from 0 is cut at 0 (a count of wrong pixels is never below it).
    lows = [s["y"] - np.nan_to_num(np.asarray(s.get("std", 0.0), float)) for s in series] if not log and not zero \
        else [s["y"] for s in series]
    lo, hi = charts.axis_range(tops + lows, zero=zero)
    if not zero:
        lo -= 0.04 * (hi - lo)
    return lo, hi


def _pairs_finite(a: dict, b: dict):
    shared, ia, ib = np.intersect1d(a["x"], b["x"], return_indices=True)
    ya, yb = a["y"][ia], b["y"][ib]
    ok = np.isfinite(ya) & np.isfinite(yb)
    return ya[ok], yb[ok]


def _coincide(series: Sequence[dict]) -> bool:
    """Whether two training curves lie on each other over the epochs they share (the same seed
    trained for 6000 and for 12000 epochs): drawn together, only one would be seen."""
    for i, a in enumerate(series):
        for b in series[i + 1:]:
            ya, yb = _pairs_finite(a, b)
            if len(ya) < 2:
                continue
            scale = np.max(np.abs(np.concatenate([ya, yb])))
            if np.max(np.abs(ya - yb)) <= 1e-3 * (scale or 1.0):
                return True
    return False


def crossings(a: dict, b: dict) -> int:
    """How often two curves change places over the epochs they share (differences under a
    thousandth of their scale are ties, not crossings)."""
    ya, yb = _pairs_finite(a, b)
    if len(ya) < 2:
        return 0
    d = ya - yb
    scale = np.max(np.abs(np.concatenate([ya, yb]))) or 1.0
    d = d[np.abs(d) > 1e-3 * scale]
    return int((np.sign(d[1:]) != np.sign(d[:-1])).sum())


def _tangled(series: Sequence[dict]) -> bool:
    """Three curves or more that cross each other at least once a pair on average (000's
    denoisers at three noise levels: 22 crossings among 15 pairs; its VAEs: 26 among 10): on one
    chart no curve can be followed from start to end."""
    pairs = [(a, b) for i, a in enumerate(series) for b in series[i + 1:]]
    return len(series) >= 3 and sum(crossings(a, b) for a, b in pairs) >= len(pairs)


def _small_multiples(per_run, title: str, ylabel: str, log: bool, width: int, test_name: str,
                     from_zero: bool = True) -> Image.Image:
    """One small panel a run, all on the same axes, under the figure's title, the other runs'
    training curves faint grey behind each (so a panel still reads against the rest). Each
    panel's title is fitted to its panel (smaller, or on as many lines as it takes, every panel
    keeping room for the most): a grid search's "SGD momentum 0.2, batch_size=1000,
    learning_rate=0.001" is wider than a third of the figure."""
    cols = min(len(per_run), 3 if width >= 700 else 2)
    rows = math.ceil(len(per_run) / cols)
    cell_w = width // cols
    names = [r["label"] + (f" ({r['stopped']})" if r.get("stopped") else "") for r, _ in per_run]
    titles = [fitted_title(n, cell_w - 16) for n in names]
    shift = TITLE_LINE * (max(len(lines) for _, lines in titles) - 1)   # line_panel keeps one line's room
    cell_h = SMALL_MULTIPLE_H + shift
    allx = [s["x"] for _, g in per_run for s in g]
    xr = charts.axis_range(allx, pad=0.0, zero=False)
    yr = _y_range([s for _, g in per_run for s in g], log, from_zero)
    has_test = any(len(g) > 1 for _, g in per_run)
    key = ("solid: train, dashed: " + test_name if has_test else "") + \
        ("; grey: the other runs" if len(per_run) > 1 else "")
    key_h = 22 if key else 0
    img = charts.canvas(cols * cell_w, rows * cell_h + key_h)
    for k, (r, group) in enumerate(per_run):
        x0, y0 = (k % cols) * cell_w, (k // cols) * cell_h
        context = [{**{key: v for key, v in g[0].items() if key != "std"}, "color": (205, 205, 205), "context": True}
                   for j, (_, g) in enumerate(per_run) if j != k]
        area, sx, sy = charts.line_panel(img, (x0, y0 + shift, x0 + cell_w - 6, y0 + cell_h - 4), context + group,
                                         xlabel="epoch", ylabel=ylabel, legend=False, xtick_text=_whole,
                                         xr=xr, yr=yr, ylog=log, whole_x=True)
        size, lines = titles[k]
        for n, line in enumerate(lines):
            charts.text_at(img, ImageDraw.Draw(img), (x0 + (cell_w - 6) / 2, y0 + 2 + n * TITLE_LINE), line,
                           font(size), "ma", "title")
        for finite in (True, False):
            _mark_stops(img, r, group[0], sx, sy, area, log, finite)
    if key:
        charts.text_at(img, ImageDraw.Draw(img), (70, rows * cell_h + 4), key.lstrip("; "), font(12), "la", "key")
    return title_bar(img, title)


def _stop_marks(run: dict, s: dict, log: bool) -> list[tuple[float, float | None, str]]:
    """(epoch, y in axis units or None when not finite, note) of each cross a run gets."""
    if run.get("stops"):
        out = []
        for st in run["stops"]:
            loss = st.get("loss")
            y = None if loss is None or not np.isfinite(loss) else float(_to_axis([loss], log)[0])
            out.append((float(st["epoch"]), None if y is None or not np.isfinite(y) else y, st["why"]))
        return out
    if not run.get("stopped") or not len(s["x"]):
        return []
    ok = np.flatnonzero(np.isfinite(s["y"]))
    if len(ok):
        return [(float(s["x"][ok[-1]]), float(s["y"][ok[-1]]), run["stopped"])]
    return [(float(s["x"][-1]), None, run["stopped"])]


def _pixels(s: dict, sx, sy) -> list[tuple[float, float]]:
    """A series' finite points where the chart draws them."""
    return [(sx(x), sy(y)) for x, y in zip(s["x"], s["y"]) if np.isfinite(y)]


def _crosses_a_line(box, curves) -> bool:
    """Whether a curve (a polyline in pixels) passes through the box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    for pts in curves:
        for (ax, ay), (bx, by) in zip(pts, pts[1:]):
            if max(ax, bx) < x0 or min(ax, bx) > x1 or max(ay, by) < y0 or min(ay, by) > y1:
                continue
            steps = int(max(abs(bx - ax), abs(by - ay)) // 2) + 1
            for t in np.linspace(0.0, 1.0, steps + 1):
                px, py = ax + t * (bx - ax), ay + t * (by - ay)
                if x0 <= px <= x1 and y0 <= py <= y1:
                    return True
    return False


def _mark_stops(img, run: dict, s: dict, sx, sy, area, log: bool, finite: bool | None = None,
                curves=()) -> None:
    """A cross where the run, or one of its seeds, stopped (on the plot's top edge at that epoch
    when its loss was not finite), and why beside it: below and right of the cross, or on
    whichever side keeps it inside the plot `area` (off it, it would lie on the tick labels or
    the next panel), on as many lines as that side's room takes, and clear of the other notes
    and, where the plot has room, of the `curves` (polylines in pixels). `finite`: only
    the crosses on a point (True) or only those on the top edge (False); None: both."""
    left, top, right, bottom = area
    draw = ImageDraw.Draw(img)
    f = font(12)
    taken = img.info.setdefault("top_crosses", [])
    for epoch, y, note in _stop_marks(run, s, log):
        if finite is not None and finite != (y is not None):
            continue
        if y is not None:
            px, py = sx(epoch), min(max(sy(y), top), bottom)
            taken += [(px, py), (px, py + 16)]        # its cross and its note's first line
        else:       # its loss became inf or NaN: no point to put the cross on, so it goes on the top edge
            px, py = min(max(sx(epoch), left + 6), right - 6), top + 8
            note += " (loss not finite)"
            # Runs that blew up at the same check (two variants' seeds at epoch 5) would share that
            # spot and hide each other's cross and note: each further one goes under the last.
            while any(abs(px - x) < 14 and abs(py - y) < 18 for x, y in taken):
                py += 18
            taken.append((px, py))
        draw.line([(px - 6, py - 6), (px + 6, py + 6)], fill=s["color"], width=3)
        draw.line([(px - 6, py + 6), (px + 6, py - 6)], fill=s["color"], width=3)
        img.info.setdefault("labels", []).append({"kind": "cross", "text": note, "box": (px - 6, py - 6, px + 6, py + 6)})
        # Seeds of one setting that ended alike at one spot (001's three dead Adam seeds at epoch
        # 20): their crosses share the one note, which the legend's "seed N (dead)" spells out.
        said = img.info.setdefault("said", [])
        if any(t == note and c == s["color"] and abs(px - x) < 14 and abs(py - y) < 30 for t, c, x, y in said):
            continue
        said.append((note, s["color"], px, py))
        room_r, room_l = right - (px + 10) - 2, (px - 10) - left - 2
        right_side = room_r >= draw.textlength(note, font=f) or room_r >= room_l
        lines = _wrap(draw, note, f, max(room_r if right_side else room_l, 40))
        height = 15 * len(lines)
        below = py + 8 + height <= bottom or py - 8 - height < top
        y0 = py + 8 if below else py - 8 - height
        # Runs that stopped at one epoch near one loss would write their notes over each other:
        # each further note moves on, away from its cross, until it is clear of the others.
        x0 = px + 10 if right_side else px - 10 - max(draw.textlength(line, font=f) for line in lines)
        x1 = x0 + max(draw.textlength(line, font=f) for line in lines)
        notes = [lab["box"] for lab in img.info.get("labels", []) if lab["kind"] == "note"]

        def clear(y: float) -> bool:
            return not any(x0 < b[2] and b[0] < x1 and y < b[3] and b[1] < y + height for b in notes)
        # A note written over a curve hides the curve where it matters (001's dead seeds beside
        # BFGS' mean): the first place clear of the other notes, or up to three lines further
        # from the cross where that one is clear of the curves too (further, a note would no
        # longer read as its cross').
        tries = [y0 + (15 if below else -15) * k for k in range(43)]
        first = next((k for k, y in enumerate(tries[:40]) if clear(y)), 39)
        roomy = [y for y in tries[first:first + 4] if top <= y and y + height <= bottom and clear(y)
                 and not _crosses_a_line((x0 - 2, y, x1 + 2, y + height), curves)]
        y0 = roomy[0] if roomy else tries[first]
        for k, line in enumerate(lines):
            charts.text_at(img, draw, (px + 10 if right_side else px - 10, y0 + 15 * k), line, f,
                           ("l" if right_side else "r") + "a", "note", fill=s["color"])


def _wrap(draw, text: str, f, width: float) -> list[str]:
    """`text` in lines of at most `width` pixels, broken at spaces (a word wider keeps its line)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and draw.textlength(lines[-1] + " " + word, font=f) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _legend_below(img, series: Sequence[dict], top: int) -> None:
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


# ---------------------------------------------------------------- a compare preset's curves

KL_PANEL = "with a KL term: reconstruction summed per sample + KL (VAE)"
PLAIN_PANEL = "without a KL term: reconstruction per pixel"


def stop_reason(last: int, planned: int, target: bool) -> str:
    """Why a run's curve ends at epoch `last` before its `planned` epochs ("" when it ran them
    all): a compare run ends early only when it diverged, or when it reached its target of wrong
    pixels (`target`: it had one)."""
    if last >= planned:
        return ""
    return f"reached its target at epoch {last}" if target else f"diverged at epoch {last}"


def seed_stops(row: dict, planned: int, target: bool) -> list[dict]:
    """The seeds of a compare row (report_render's measured["runs"] entry) that ended before
    their planned epochs, or that a health verdict says failed (optional "seed_failed": per seed
    None or {"epoch", "why"}, e.g. {"epoch": 40, "why": "collapsed"}: a run that ran its epochs
    but failed all the same): where each is marked, its loss there (None: not finite) and why."""
    lasts = row.get("seed_last_epochs") or ([int(max(row["epochs"]))] if row.get("epochs") else [])
    curves = row.get("seed_train_curves") or [row["train_curve"]]
    failed = row.get("seed_failed") or [None] * len(lasts)
    n = len(lasts)
    out = []
    for last, curve, bad in zip(lasts, curves, failed):
        why, at, loss = stop_reason(int(last), planned, target), int(last), (curve[-1] if curve else None)
        if not why and bad:
            at = int(bad["epoch"])
            why = f"{bad['why']} at epoch {at}"
            loss = next((v for e, v in zip(row.get("epochs", []), curve) if int(e) == at), None)
        if why:
            out.append({"epoch": at, "loss": loss, "why": f"1 of {n} seeds {why}" if n > 1 else why})
    return out


def compare_line(row: dict, fact: dict) -> dict:
    """One label's line of a compare preset's curves from its row (a measured row, or the same
    keys over the runs that count): the training loss' mean with its ± std band over the seeds,
    the test loss, a cross where each seed that ended early stopped (seed_stops) and, when every
    seed did, why in its name. fact: {"epochs": planned, "target": bool, "kl": bool}."""
    stops = seed_stops(row, fact["epochs"], bool(fact.get("target")))
    arr = lambda v: None if v is None else np.asarray([np.nan if x is None else x for x in v], float)  # noqa: E731
    c = {"label": row["label"], "epochs": np.asarray(row["epochs"]), "train": arr(row["train_curve"]),
         "test": arr(row.get("test_curve")), "stops": stops, "stopped": "", "kl": bool(fact.get("kl"))}
    if row.get("runs", 1) > 1 and row.get("train_curve_std") is not None:
        c["train_std"] = arr(row["train_curve_std"])
    if stops and len(stops) == len(row.get("seed_last_epochs") or [0]):
        c["stopped"] = stops[0]["why"] if len(stops) == 1 else f"all {len(stops)} seeds ended early"
    return c


def compare_figure(curves: Sequence[dict], *, test: str, log: bool = True, over: str = "") -> Image.Image:
    """A compare preset's curves figure from its lines (compare_line's, and any run drawn alone:
    {"label", "epochs", "train", "test", "stopped", "kl"}): the lines with a KL term in their own
    panel when others have none. `test`: the preset's "official", "validation" or "none"; `over`:
    what the bands are the spread of ("3 seeds"), said in the title."""
    mixed = len({bool(c.get("kl")) for c in curves}) > 1
    if mixed:
        curves = [{**c, "panel": KL_PANEL if c.get("kl") else PLAIN_PANEL} for c in curves]
    what = {"official": "train (solid) and official test set (dashed)", "validation":
            "train (solid) and validation part (dashed)", "none": "training loss"}[test]
    band = f", mean ± std over {over}" if over else ""
    return loss_curves(curves, title=f"loss vs epoch: {what}{band}", log=log,
                       test_name="validation" if test == "validation" else "test")


def compare_curves(rows: Sequence[dict], facts: dict[str, dict], *, test: str, log: bool = True) -> Image.Image:
    """A compare preset's curves figure from its measured rows (what done.json keeps): per label
    the training loss' mean over the seeds with its ± std band, the test loss dashed, and a cross
    where each seed that ended early stopped. facts: label -> {"epochs": planned, "target": bool
    (a wrong-pixel target that ends runs early on purpose), "kl": bool (a VAE's loss, in its own
    panel when other runs have none)}. `test`: the preset's "official", "validation" or "none"."""
    seeds = max((r.get("runs", 1) for r in rows), default=1)
    return compare_figure([compare_line(r, facts[r["label"]]) for r in rows], test=test, log=log,
                          over=f"{seeds} seeds" if seeds > 1 else "")
