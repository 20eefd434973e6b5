"""Report figures that measure what a course document shows in a picture and no other figure
checked: a latent traversal over the document's own range (000: y from -63 to 27.2), one filter
of a convolutional code drawn as the document drew it (004: one of 64 filters of 1x2), and how
many code units a sample uses (002: "the sparse autoencoder keeps few units active"). Each is a
figure of models.draw (`dr`: its _Drawing) that stores its numbers, over every seed's model, in
out["measured"]["models"][label] for the checks."""
from __future__ import annotations

import numpy as np

from aegui.core.analyses.report.figures import figures as RF

# A unit counts as active on a sample when its value is at least this share of the sample's
# largest unit (in absolute value): scale-free, since a plain code is unbounded and a KL-sparse
# code lies in (0, 1).
ACTIVE_SHARE = 0.1
# Two frames of a traversal differ when their pixels differ by this much on average (of 0..1).
FRAME_CHANGE = 0.01


def knn_accuracy(xy: np.ndarray, labels, k: int = 5) -> float | None:
    """Leave-one-out k-nearest-neighbour accuracy of the labels in a space of any dimension: near
    1 when the classes form separate clusters, chance when they overlap."""
    labels = np.asarray(labels)
    if len(labels) <= k or len(set(labels.tolist())) < 2:
        return None
    from sklearn.neighbors import NearestNeighbors
    nn = NearestNeighbors(n_neighbors=k + 1).fit(xy)
    _, idx = nn.kneighbors(xy)
    votes = labels[idx[:, 1:]]
    pred = []
    for row in votes:
        values, counts = np.unique(row, return_counts=True)
        pred.append(values[np.argmax(counts)])
    return float((np.asarray(pred) == labels).mean())


def _cut(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _did_not_train(dr, label: str) -> str:
    """What a picture's title adds for a model none of whose runs counts (report/health.py)."""
    return " (did not train)" if label in dr.failed else ""


# ---------------------------------------------------------------- a traversal over a given range

def traversal(dr) -> None:
    """options.traversal {"dim", "from", "to", "steps", "at"}: each 2-D model's decodes of `steps`
    points from `from` to `to` along code dimension `dim` (the other at `at`, default 0), captioned
    with their coordinate, as the document drew its traversal. Measured over the seeds: the range
    the codes of the data shown take along `dim`, how many of the points lie inside it, and how
    many steps change the picture (mean |pixel difference| over FRAME_CHANGE)."""
    from aegui.core.analyses.figures import captioned_tiles
    from aegui.core.models.latent import decode_points, encode
    opts = dict(dr.opts.get("traversal", {}))
    dim, at = int(opts.get("dim", 1)), float(opts.get("at", 0.0))
    ys = np.linspace(float(opts.get("from", -3.0)), float(opts.get("to", 3.0)), int(opts.get("steps", 9)))
    imgs, titles = [], []
    for label, run in dr.models:
        if run.model.latent_dim != 2:
            continue
        d = dr.data_of(run)
        pts = np.full((len(ys), 2), at, np.float32)
        pts[:, dim] = ys

        def measure(model, x=d.x, pts=pts):
            z = encode(model, x)[:, dim]
            frames = decode_points(model, pts)
            steps = np.abs(np.diff(frames, axis=0)).mean(1)
            return {"code_lo": float(z.min()), "code_hi": float(z.max()), "code_span": float(z.max() - z.min()),
                    "traversal_inside": int(((ys >= z.min()) & (ys <= z.max())).sum()),
                    "traversal_changes": int((steps > FRAME_CHANGE).sum())}
        each = dr.over_seeds(label, run, measure)
        m = dr.measures(label)
        # A model none of whose runs trained measures nothing; its picture shows the run drawn, said so.
        span = each[0] if label in dr.failed else m
        m["traversal"] = {"dim": dim, "at": at, "from": float(ys[0]), "to": float(ys[-1]), "steps": len(ys),
                          "frame_change": FRAME_CHANGE}
        frames = decode_points(run.model, pts).reshape(len(ys), *d.shape)
        other = f"z{1 - dim} = {at:g}"
        imgs.append(captioned_tiles(frames, [f"z{dim}: {y:.1f}" for y in ys], columns=min(len(ys), 9)))
        titles.append(f"{_cut(label)}{_did_not_train(dr, label)}: decodes along z{dim} from {ys[0]:g} to "
                      f"{ys[-1]:g} ({other}); its codes span z{dim} {span['code_lo']:.2g} to {span['code_hi']:.2g}")
    if imgs:
        dr.save(imgs, titles, "traversal.png")


# ---------------------------------------------------------------- one filter of a convolutional code

def one_filter(dr) -> None:
    """options.filters {"count", "size", "show"}: for each model whose code is `count` filters of
    `size` values (a convolutional bottleneck flattened filter by filter, layer_plan's order),
    filter `show` (1-based, default 1) drawn on its own as a 2-D latent space coloured by class,
    as the document drew "one of its 64 filters of 1x2". Measured over the seeds: the 5-NN
    accuracy of the classes in every filter's 2-D space (filter `show`'s, the median and the best
    over all) and in the whole code."""
    opts = dict(dr.opts.get("filters", {}))
    count, size, show = int(opts.get("count", 64)), int(opts.get("size", 2)), int(opts.get("show", 1))
    panels = []
    for label, run in dr.models:
        if run.model.latent_dim != count * size or size != 2:
            continue
        d, rows = dr.spread(run, "max_points", 2000)
        x, labels = d.x[rows], [d.labels[i] for i in rows]
        dr.over_seeds(label, run, lambda model, x=x, labels=labels: _filter_numbers(model, x, labels, count, show))
        from aegui.core.models.latent import encode
        z = encode(run.model, x)[:, (show - 1) * size: show * size]
        panels.append({"title": f"{_cut(label, 40)}{_did_not_train(dr, label)}: filter {show} of {count} on its own",
                       "xy": z, "labels": labels,
                       "axes": (f"filter {show}, value 1", f"filter {show}, value 2")})
    if panels:
        dr.save([RF.latent_scatter(panels[i:i + 2], cell=520) for i in range(0, len(panels), 2)], None, "filter.png")


def _filter_numbers(model, x, labels, count: int, show: int) -> dict:
    from aegui.core.models.latent import encode
    z = encode(model, x)
    each = [knn_accuracy(z[:, 2 * k: 2 * k + 2], labels) for k in range(count)]
    known = [v for v in each if v is not None]
    return {"filter_knn5": each[show - 1], "filter_knn5_median": float(np.median(known)) if known else None,
            "filter_knn5_best": max(known) if known else None, "code_knn5": knn_accuracy(z, labels)}


# ---------------------------------------------------------------- active units per sample

def active_units(dr) -> None:
    """Each model's code units active on each sample shown (|value| at least
    options.active_share, default ACTIVE_SHARE, of the sample's largest), as the share of its
    code's units: its mean over the samples, over the seeds, and a bar per model."""
    share = float(dr.opts.get("active_share", ACTIVE_SHARE))
    names, values, stds = [], [], []
    for label, run in dr.models:
        d, rows = dr.spread(run, "max_points", 1000)
        x = d.x[rows]
        each = dr.over_seeds(label, run, lambda model, x=x: _active(model, x, share))
        m = dr.measures(label)
        m["active_share_threshold"] = share
        failed = label in dr.failed      # it measures nothing: its bar is the run shown, named so
        names.append(f"{_cut(label, 36)} ({run.model.latent_dim} units){_did_not_train(dr, label)}")
        values.append(each[0]["active_fraction"] if failed else m["active_fraction"])
        stds.append(0.0 if failed else m.get("active_fraction_std", 0.0))
    if names:
        img = RF.bars(names, [{"label": "active units", "values": values, "std": stds}],
                      title=f"share of the code's units active per sample (|value| >= {share:g} x the sample's "
                            "largest)", ylabel="share of the units")
        dr.save([img], None, "active_units.png")


def _active(model, x, share: float) -> dict:
    from aegui.core.models.latent import encode
    z = np.abs(encode(model, x))
    top = z.max(1, keepdims=True)
    on = (z >= share * top) & (top > 0)
    return {"active_fraction": float(on.mean()), "active_units": float(on.sum(1).mean())}
