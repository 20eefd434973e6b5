"""Shape augmentation for 5x7 glyphs and mixed noise, so a denoiser learns letters in general
rather than the 32 (or 96) it is shown. numpy only; the training loop calls Augmenter.pairs().

Every change keeps a glyph plausible: 5x7, binary, no ink pushed off the grid.
- shift: the whole glyph moves 1 px (up/down and/or left/right) where its ink fits;
- thicken: bold, every stroke one pixel wider to the right (to the left where that does not fit),
  the classic way bitmap fonts are emboldened;
- thin: the right column of a two-pixel-wide vertical stroke goes (horizontal bars stay);
- distort: one small change: an italic shear of the top rows, a stroke end shortened by one
  pixel, or a stroke end extended by one pixel.
With mixed noise, each glyph of each model draws its noise kind from `noise_kinds` and its
level uniformly from `noise_levels` (a range), every epoch.
"""
from __future__ import annotations

import numpy as np

from aegui.core.schema.kinds import kind_of
from aegui.core.data.noise import KINDS
from aegui.core.schema.experiment import shown

# The numerics revision of the glyph augmentation: bump it with any change to the numbers computed
# here (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

ROWS, COLS = 7, 5


def _bool(x: np.ndarray) -> np.ndarray:
    return np.asarray(x).reshape(-1, ROWS, COLS) >= 0.5


def _pick(mask: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One random True cell per glyph of mask [N, 7, 5]: (glyphs that have one, flat index)."""
    score = rng.random(mask.shape) * mask
    flat = score.reshape(len(mask), -1)
    return mask.reshape(len(mask), -1).any(1), flat.argmax(1)


def _neighbours(img: np.ndarray) -> np.ndarray:
    """Ink among the 8 neighbours of every cell, [N, 7, 5] ints."""
    p = np.pad(img, ((0, 0), (1, 1), (1, 1))).astype(np.int8)
    total = np.zeros(img.shape, np.int8)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                total += p[:, 1 + dy:1 + dy + ROWS, 1 + dx:1 + dx + COLS]
    return total


def shift(img: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move the chosen glyphs by -1, 0 or +1 row and column, only where no ink leaves the grid."""
    out = img.copy()
    room = {(0, -1): ~img[:, 0, :].any(1), (0, 1): ~img[:, -1, :].any(1),
            (1, -1): ~img[:, :, 0].any(1), (1, 1): ~img[:, :, -1].any(1)}
    steps = np.zeros((len(img), 2), int)
    for axis in (0, 1):
        want = rng.integers(-1, 2, len(img))
        ok = np.where(want == -1, room[(axis, -1)], np.where(want == 1, room[(axis, 1)], True))
        steps[:, axis] = np.where(ok & which, want, 0)
    for (dy, dx) in {tuple(s) for s in steps if s.any()}:
        sel = (steps[:, 0] == dy) & (steps[:, 1] == dx)
        # The row / column that wraps around is empty (checked above), so roll is a shift.
        out[sel] = np.roll(img[sel], (dy, dx), axis=(1, 2))
    return out


def thicken(img: np.ndarray, which: np.ndarray) -> np.ndarray:
    """The glyphs picked by `which` in bold: each one ORed with itself moved one pixel right, or left where its
    right column is inked, or left as is where both edges are."""
    right = ~img[:, :, -1].any(1)
    left = ~img[:, :, 0].any(1)
    out = img.copy()
    r = which & right
    out[r] |= np.roll(img[r], 1, axis=2)
    lf = which & ~right & left
    out[lf] |= np.roll(img[lf], -1, axis=2)
    return out


def thin(img: np.ndarray, which: np.ndarray) -> np.ndarray:
    """The glyphs picked by `which` with the right column of each two-pixel-wide vertical stroke taken off
    (horizontal bars stay)."""
    p = np.pad(img, ((0, 0), (1, 1), (1, 1)))
    c = p[:, 1:-1, 1:-1]
    left, right = p[:, 1:-1, :-2], p[:, 1:-1, 2:]
    up, down = p[:, :-2, 1:-1], p[:, 2:, 1:-1]
    up_left, down_left = p[:, :-2, :-2], p[:, 2:, :-2]
    # A pixel with ink to its left, none to its right, on a vertical run that its left
    # neighbour's run matches: the right half of a two-pixel-wide vertical stroke.
    drop = c & left & ~right & (up | down) & (up == up_left) & (down == down_left)
    out = img.copy()
    out[which] &= ~drop[which]
    return out


def distort(img: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One small change to each glyph picked by `which`: an italic shear of its top rows, or a stroke end
    shortened or extended by a pixel, where it fits."""
    out = img.copy()
    how = rng.integers(0, 3, len(img))
    # 0: italic: the top 2-4 rows move one pixel right (left where the right edge is inked).
    splits = rng.integers(2, 5, len(img))
    for split in (2, 3, 4):
        sel = which & (how == 0) & (splits == split)
        top = img[:, :split]
        right = sel & ~top[:, :, -1].any(1)
        left = sel & ~right & ~top[:, :, 0].any(1)
        out[right, :split] = np.roll(top[right], 1, axis=2)
        out[left, :split] = np.roll(top[left], -1, axis=2)
    near = _neighbours(img)
    ends = img & (near == 1)
    # 1: a stroke end loses its last pixel (only if the glyph keeps at least 3 pixels).
    sel = which & (how == 1) & (img.reshape(len(img), -1).sum(1) > 3)
    has, idx = _pick(ends, rng)
    sel &= has
    flat = out.reshape(len(out), -1)
    flat[sel, idx[sel]] = False
    # 2: a stroke end grows by one pixel: an empty cell beside an end that touches nothing else.
    end_near = np.pad(ends, ((0, 0), (1, 1), (1, 1)))
    beside_end = np.zeros(img.shape, bool)
    for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        beside_end |= end_near[:, 1 + dy:1 + dy + ROWS, 1 + dx:1 + dx + COLS]
    grow = ~img & beside_end & (near == 1)
    sel = which & (how == 2)
    has, idx = _pick(grow, rng)
    sel &= has
    flat[sel, idx[sel]] = True
    return out


def splice(img: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A new letter-like shape: the top rows of one glyph over the bottom rows of another (or the
    left columns of one beside the right columns of another), cut at a random row / column."""
    out = img.copy()
    n = len(img)
    other = img[rng.integers(0, n, n)]
    vertical = rng.random(n) < 0.5
    rows = rng.integers(2, 6, n)[:, None, None]
    cols = rng.integers(2, 4, n)[:, None, None]
    top = np.arange(ROWS)[None, :, None] < rows
    left = np.arange(COLS)[None, None, :] < cols
    keep = np.where(vertical[:, None, None], top, left)
    mixed = np.where(keep, img, other)
    out[which] = mixed[which]
    return out


def _line(a, b) -> list[tuple[int, int]]:
    n = max(abs(b[0] - a[0]), abs(b[1] - a[1]), 1)
    return [(round(a[0] + (b[0] - a[0]) * t / n), round(a[1] + (b[1] - a[1]) * t / n)) for t in range(n + 1)]


def strokes(img: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Replace the chosen glyphs by 2-4 connected pen strokes (straight lines between points of
    the grid, each starting where the last ended or on it): letter-like shapes no font has."""
    out = img.copy()
    for i in np.flatnonzero(which):
        g = np.zeros((ROWS, COLS), bool)
        p = (int(rng.integers(0, ROWS)), int(rng.integers(0, COLS)))
        for _ in range(int(rng.integers(2, 5))):
            if g.any() and rng.random() < 0.5:
                ys, xs = np.nonzero(g)
                j = int(rng.integers(0, len(ys)))
                p = (int(ys[j]), int(xs[j]))
            q = (int(rng.integers(0, ROWS)), int(rng.integers(0, COLS)))
            for r, c in _line(p, q):
                g[r, c] = True
            p = q
        out[i] = g
    return out


def augment(x: np.ndarray, rng: np.random.Generator, shift_p: float = 0.5, thicken_p: float = 0.15,
            thin_p: float = 0.15, distort_p: float = 0.3, splice_p: float = 0.0,
            strokes_p: float = 0.0, keep_p: float = 0.0) -> np.ndarray:
    """Augmented copies [N, 35] float32 (0 / 1) of glyphs x [N, 35]; each change is applied to
    each glyph with its probability, in the order splice, strokes, thicken, thin, distort, shift,
    except for a share `keep_p` of the glyphs, left as they are."""
    img = _bool(x)
    n = len(img)
    free = rng.random(n) >= keep_p if keep_p else np.ones(n, bool)
    if splice_p:
        img = splice(img, free & (rng.random(n) < splice_p), rng)
    if strokes_p:
        img = strokes(img, free & (rng.random(n) < strokes_p), rng)
    if thicken_p:
        img = thicken(img, free & (rng.random(n) < thicken_p))
    if thin_p:
        img = thin(img, free & (rng.random(n) < thin_p))
    if distort_p:
        img = distort(img, free & (rng.random(n) < distort_p), rng)
    if shift_p:
        img = shift(img, free & (rng.random(n) < shift_p), rng)
    return img.reshape(n, ROWS * COLS).astype(np.float32)


def mixed_noise(x: np.ndarray, kinds, levels, rng: np.random.Generator) -> np.ndarray:
    """Noisy copy of x [..., N, D]: every sample gets one kind of `kinds` and a level drawn
    uniformly from levels = (low, high); the kinds act as noise.apply_noise's."""
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise ValueError(f"unknown noise type {shown(bad[0])}" if bad else "name at least one noise type")
    lo, hi = levels
    x = np.asarray(x, dtype=np.float32)
    rows = x.shape[:-1]
    kind = rng.integers(0, len(kinds), rows)[..., None]
    level = rng.uniform(lo, hi, rows).astype(np.float32)[..., None]
    out = x.copy()
    for i, name in enumerate(kinds):
        sel = np.broadcast_to(kind == i, x.shape)
        if name == "gaussian":
            val = np.clip(x + rng.normal(0.0, 1.0, x.shape).astype(np.float32) * level, 0.0, 1.0)
        else:
            hit = rng.random(x.shape) < level
            other = 1.0 - x if name == "bit_flip" else (rng.random(x.shape) < 0.5).astype(np.float32)
            val = np.where(hit, other, x)
        out = np.where(sel, val, out)
    return out.astype(np.float32)


class Augmenter:
    """Fresh training pairs every epoch: (inputs [K, N, D] or [N, D], targets [N, D]).

    The targets are augmented copies of the clean glyphs (shared by the K models); a denoising
    model's inputs are those copies with (mixed) noise, drawn apart for each model."""

    def __init__(self, x: np.ndarray, aug, noise, denoise: bool):
        self.x = np.asarray(x, np.float32)
        self.aug, self.denoise = aug, denoise
        self.kinds = tuple(aug.noise_kinds) or (noise.kind,)
        self.levels = tuple(aug.noise_levels) or (noise.level, noise.level)

    @classmethod
    def for_session(cls, exp, data) -> "Augmenter | None":
        """The augmenter an experiment trains with, or None when augmentation is off; ConfigError when the data
        are not 5x7 glyphs."""
        if not exp.augment.enabled:
            return None
        if tuple(data.shape) != (ROWS, COLS):
            from aegui.core.schema.experiment import ConfigError
            shape = "x".join(str(s) for s in data.shape)
            raise ConfigError("augment.enabled", f"shape augmentation reshapes 5x7 glyphs, but "
                              f"{data.name} holds {shape} samples; set augment.enabled to false")
        return cls(data.x, exp.augment, exp.noise, kind_of(exp).corrupts_inputs)


    @property
    def rows(self) -> int:
        """Training rows per epoch."""
        return len(self.x) * self.aug.copies

    def pairs(self, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
        """One epoch's (input, target) rows: the glyphs (times the copies) freshly augmented, and for a denoiser
        each of the k models' own mixed-noise inputs against the clean targets."""
        a = self.aug
        x = np.repeat(self.x, a.copies, axis=0) if a.copies > 1 else self.x
        clean = augment(x, rng, a.shift, a.thicken, a.thin, a.distort, a.splice, a.strokes, a.keep)
        if not self.denoise:
            return clean, clean
        noisy = mixed_noise(np.broadcast_to(clean, (k, *clean.shape)), self.kinds, self.levels, rng)
        return noisy, clean
