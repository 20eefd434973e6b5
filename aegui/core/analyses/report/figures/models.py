"""The report's pictures of trained models (a compare preset's runs): latent spaces coloured by
class, reconstructions, decoded grids, interpolations, random decodes, denoising per sample and
AE vs PCA vs t-SNE. Called by report_render for the figures an entry lists; the numbers they
measure go to out["measured"] for the checks (5-nearest-neighbour accuracy in a 2-D space: how
well classes separate there; the codes' spread; wrong pixels before and after denoising)."""
from __future__ import annotations

import numpy as np

from aegui.core.analyses.report.figures import figures as RF
from aegui.core.analyses.report.figures import measures
from aegui.core.analyses.report.figures.measures import knn_accuracy
from aegui.core.schema.kinds import kind_of


def _data(result, run, from_training: bool = False):
    """The samples a run is shown on: the official test set, the held-out part, or (no test, or
    `from_training`: options.samples_from "train") the training data itself."""
    from aegui.core.data.datasets import from_config, load_split, official_test_set
    exp = run.experiment
    if from_training:
        return load_split(exp.data)[0]
    if result.spec.test == "official":
        return official_test_set(exp.data)
    if result.spec.test == "validation":
        return load_split(exp.data)[1]
    return from_config(exp.data)


def _spread(n: int, keep: int) -> np.ndarray:
    from aegui.core.data.dataset import spread_indices
    return spread_indices(n, keep) if keep and n > keep else np.arange(n)


def separation(z: np.ndarray) -> float | None:
    """How far apart the samples sit in their latent space, whatever its scale: the median
    distance to the nearest other code over the codes' RMS distance from their mean (small when
    codes bunch in clumps, larger when they spread over the space)."""
    z = np.asarray(z, float)
    if len(z) < 3 or len(z) > 5000:
        return None
    d = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    radius = np.sqrt(((z - z.mean(0)) ** 2).sum(1).mean())
    return float(np.median(d.min(1)) / radius) if radius > 0 else None


def _codes_2d(model, x) -> tuple[np.ndarray, str]:
    return _codes_2d_axes(model, x)[:2]


def _codes_2d_axes(model, x) -> tuple[np.ndarray, str, tuple[str, str]]:
    """Codes in 2-D (the code itself, or its first two principal components), what the title
    adds, and the names of the two axes."""
    from aegui.core.models.latent import encode
    z = encode(model, x)
    if z.shape[1] == 2:
        return z, "", ("z0", "z1")
    if z.shape[1] == 1:
        return np.stack([z[:, 0], np.zeros(len(z))], 1), " (1-D code)", ("z0", "")
    from sklearn.decomposition import PCA
    return (PCA(n_components=2, random_state=0).fit_transform(z), f" (PCA of the {z.shape[1]}-D code)",
            ("first principal component", "second principal component"))


class _Drawing:
    """What every model figure of one report entry reads and writes: the entry's options, its runs
    (label, run), the folder and `out`, the measured numbers per run label, and each run's data
    loaded once (runs on the same data share it)."""

    def __init__(self, exp, result, models, folder, out, seeds=None, failed=None):
        self.result, self.models, self.folder, self.out = result, models, folder, out
        # Every seed's run that counts, by label (report/health.py: the healthy ones, and the
        # failed ones whose failure the document expects).
        self.seeds = seeds if seeds is not None else {label: [run] for label, run in models}
        self.failed = failed or {}      # label -> why none of its runs counts: it measures nothing
        self.opts = exp.options
        self.measured = out["measured"].setdefault("models", {})
        self._data: dict = {}

    def data_of(self, run):
        key = run.experiment.data
        if key not in self._data:
            self._data[key] = _data(self.result, run, self.opts.get("samples_from") == "train")
        return self._data[key]

    def spread(self, run, option: str, default: int):
        """The run's data and the rows of it a figure shows: at most options[option] of them, spread."""
        d = self.data_of(run)
        return d, _spread(len(d), self.opts.get(option, default))

    def measures(self, label: str) -> dict:
        return self.measured.setdefault(label, {})

    def over_seeds(self, label: str, run, measure) -> list[dict]:
        """`measure(model)` (a dict) for every seed's model of `label`, the shown run's first; each
        number in it (None where not measured) is kept as its mean over the seeds, `<name>_std` and
        `runs` (how many seeds), as the checks read a spread. The list of each seed's dicts is
        returned (with what is not a number, e.g. per-sample arrays, for the caller). A label none of
        whose runs counts keeps None for every number, `runs` 0 and its `failed` sentence."""
        others = [r for r in self.seeds.get(label, [run]) if r is not run and r.model is not None]
        each = [measure(run.model)] + [measure(r.model) for r in others]
        m = self.measures(label)
        counted = each if label not in self.failed else []
        # Each counted seed's own numbers too, by seed, for the verdicts that pair runs of one seed.
        per_seed = m.setdefault("per_seed", {})
        per_seed["seed"] = [int(getattr(r, "seed", i)) for i, r in enumerate([run] + others)][:len(counted)]
        for key in each[0]:
            if not isinstance(each[0][key], (int, float, type(None))):
                continue
            per_seed[key] = [None if e.get(key) is None or not np.isfinite(e[key]) else float(e[key]) for e in counted]
            values = [e[key] for e in counted if e.get(key) is not None]
            if not values:
                m[key] = None
                continue
            m[key], m[f"{key}_std"] = float(np.mean(values)), float(np.std(values))
        m["runs"] = len(counted)
        if label in self.failed:
            m["failed"] = self.failed[label]
        return each

    def save(self, imgs, titles, name: str) -> None:
        """The figure's pictures one under the other (under their titles, unless None), saved and listed."""
        RF.save(RF.stack(imgs, titles), self.folder, name, self.out)


def draw(exp, result, models, folder, out, seeds=None, failed=None) -> None:
    """The model figures `exp.figures` names, in a fixed order (the first one saved is the entry's
    main picture). `seeds`: every run of each label that counts, where a figure measures all its
    seeds; `failed`: the labels none of whose runs counts, with why (their pictures say so)."""
    drawing = _Drawing(exp, result, models, folder, out, seeds, failed)
    for name, figure in _FIGURES:
        if name in exp.figures:
            figure(drawing)


def _latent(dr: _Drawing) -> None:
    panels = []
    for label, run in dr.models:
        d, rows = dr.spread(run, "max_points", 2000)
        xy, note, axes = _codes_2d_axes(run.model, d.x[rows])
        labels = [d.labels[i] for i in rows]
        panels.append({"title": _cut(label) + note + (" (did not train)" if label in dr.failed else ""), "xy": xy,
                       "labels": labels, "axes": axes})
        dr.over_seeds(label, run, lambda model, x=d.x[rows], labels=labels: _latent_numbers(model, x, labels))
    rows_img = [RF.latent_scatter(panels[i:i + 3]) for i in range(0, len(panels), 3)]
    dr.save(rows_img, None, "latent.png")


def _latent_numbers(model, x, labels) -> dict:
    """How one model's codes of `x` sit: classes apart (5-NN accuracy in 2-D), centred and spread
    as N(0, I) would be, samples apart (separation)."""
    from aegui.core.models.latent import encode
    z = encode(model, x)
    return {"knn5_accuracy": knn_accuracy(_codes_2d(model, x)[0], labels),
            "code_mean_norm": float(np.linalg.norm(z.mean(0))), "code_std": float(z.std(0).mean()),
            "separation": separation(z)}


def _output_spread(model, x) -> dict:
    """How different the outputs are from each other, next to how different the inputs are (near 0:
    every input gets the same picture back, a collapse)."""
    from aegui.core.models.latent import reconstruct
    y = reconstruct(model, x)
    # recon_mse: the reconstruction term alone (MSE per pixel of the shown samples), apart from a
    # VAE's KL term that its loss adds in.
    return {"output_spread": float(y.std(0).mean() / max(1e-12, x.std(0).mean())),
            "recon_mse": float(((y - x) ** 2).mean())}


def _reconstructions(dr: _Drawing) -> None:
    from aegui.core.analyses.figures import reconstruction_grid
    from aegui.core.models.latent import reconstruct
    imgs, titles = [], []
    for label, run in dr.models:
        d, rows = dr.spread(run, "samples", 12)
        x = d.x[rows]
        shape = tuple(d.shape)
        y = reconstruct(run.model, x)
        dr.over_seeds(label, run, lambda model, x=x: _output_spread(model, x))
        imgs.append(reconstruction_grid(x.reshape(len(x), *shape), y.reshape(len(x), *shape),
                                        labels=[d.labels[i] for i in rows], columns=dr.opts.get("columns", 12)))
        titles.append(reconstruction_title(label, run) + (" (did not train)" if label in dr.failed else ""))
    dr.save(imgs, titles, "reconstructions.png")


def why_stopped(run, epochs) -> str:
    """Why a run's curve ends before its planned epochs ("" when it ran them all): a compare run
    ends early only when it diverged, or when it reached its target of wrong pixels."""
    from aegui.core.analyses.report.figures.curves import stop_reason
    return stop_reason(int(max(epochs)) if len(epochs) else 0, run.experiment.train.epochs,
                       run.experiment.train.target_max_wrong is not None)


def reconstruction_title(label: str, run) -> str:
    """The run's label, and for a run that diverged, that its pictures show the weights of its
    last finite check (its first weights when it diverged at once), not what it learned."""
    why = why_stopped(run, run.epochs) if len(run.epochs) else ""
    kept = f" ({why}: the weights of its last check before that)" if why.startswith("diverged") else ""
    return _cut(label, 90) + kept


def _decode_grid(dr: _Drawing) -> None:
    """The decoder over a grid of 2-D codes (options.grid_values, else spanning the codes' 2nd to
    98th percentile); runs with another code size are left out."""
    from aegui.core.analyses.figures import latent_traversal
    from aegui.core.models.latent import decode_points, encode
    imgs, titles = [], []
    for label, run in dr.models:
        if run.model.latent_dim != 2:
            continue
        d = dr.data_of(run)
        values = dr.opts.get("grid_values")
        if values is None:
            z = encode(run.model, d.x[_spread(len(d), 2000)])
            lo, hi = np.percentile(z, 2, 0), np.percentile(z, 98, 0)
            n = dr.opts.get("grid_n", 10)
            xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
        else:
            xs = ys = np.asarray(values, float)
        imgs.append(latent_traversal(lambda z, m=run.model: decode_points(m, z), xs, ys, shape=tuple(d.shape),
                                     latent_dim=2))
        titles.append(_cut(label, 90))
    if imgs:
        dr.save(imgs, titles, "decode_grid.png")


def _interpolate(dr: _Drawing) -> None:
    """The decoded path between the codes of two samples (options.interpolate: label pairs)."""
    from aegui.core.analyses.figures import interpolation_strip
    from aegui.core.models.latent import encode, interpolate
    imgs, titles = [], []
    for label, run in dr.models:
        d = dr.data_of(run)
        for a, b in dr.opts.get("interpolate", []):
            if a not in d.labels or b not in d.labels:
                continue
            za = encode(run.model, d.x[[d.labels.index(a)]])[0]
            zb = encode(run.model, d.x[[d.labels.index(b)]])[0]
            steps = interpolate(run.model, za, zb, dr.opts.get("steps", 8))
            imgs.append(interpolation_strip(steps.reshape(len(steps), *d.shape), ends=(a, b)))
            titles.append(f"{_cut(label, 60)}: {a} -> {b}")
    if imgs:
        dr.save(imgs, titles, "interpolate.png")


def _sample(dr: _Drawing) -> None:
    """Twelve random codes decoded: from N(0, I) for a model trained towards it (KL), else from
    the codes' bounding box. One generator for every run, as the figure always drew."""
    from aegui.core.analyses.figures import interpolation_strip
    from aegui.core.models.latent import decode_points, encode
    imgs, titles = [], []
    rng = np.random.default_rng(0)
    for label, run in dr.models:
        d = dr.data_of(run)
        z = encode(run.model, d.x)
        if kind_of(run.experiment).has_kl:
            pts = rng.standard_normal((12, z.shape[1])).astype(np.float32)
            how = "codes drawn from N(0, I)"
        else:
            pts = rng.uniform(z.min(0), z.max(0), (12, z.shape[1])).astype(np.float32)
            how = "codes drawn uniformly from the codes' bounding box"
        imgs.append(interpolation_strip(decode_points(run.model, pts).reshape(12, *d.shape)))
        titles.append(f"{_cut(label, 60)}: {how}")
    dr.save(imgs, titles, "sample.png")


def _embedding(dr: _Drawing) -> None:
    """One row a run (its codes beside PCA and t-SNE of the same test images), the coordinates as
    a table, and how well classes separate in each picture."""
    from aegui.core.analyses.embedding import EmbeddingJob
    datasets, by_name = {}, {}
    for label, run in dr.models:
        d, rows = dr.spread(run, "max_points", 2000)
        # The row's name sits in a 90 px margin: the label up to its parenthesis, short.
        name = _cut(label.split(" (")[0], 13)
        datasets[name] = d.subset(rows)
        by_name[name] = (label, run.model)
    job = EmbeddingJob((), models={k: m for k, (_, m) in by_name.items()}, datasets=datasets,
                       panels=[("ae", "latent"), ("pca", "raw"), ("tsne", "raw")])
    res = job.run()
    res.figure().save(dr.folder / "embedding.png", format="PNG", optimize=True)
    dr.out["files"].append("embedding.png")
    # Five significant digits: the coordinates of a picture, not of a calculation to redo.
    lines = ["dataset,method,space,index,label,x,y"] + [
        f"{r['dataset']},{r['method']},{r['space']},{r['index']},{r['label']},{r['x']:.5g},{r['y']:.5g}"
        for r in res.rows()]
    (dr.folder / "embedding.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    dr.out["tables"].append("embedding.csv")
    for name, (label, model) in by_name.items():
        panels = [p for p in res.panels if p.dataset == name]
        knn = {p.method: knn_accuracy(p.xy, p.labels) for p in panels}
        ae = next((p for p in panels if p.method == "ae"), None)
        run = next(r for lab, r in dr.models if lab == label)
        x, labels = datasets[name].x, list(datasets[name].labels)

        def codes(m, shown=ae, model=model, x=x, labels=labels):
            # The shown seed's codes are the picture's; every other seed's model encodes the same images.
            xy, of = (shown.xy, shown.labels) if m is model and shown is not None else (_codes_2d(m, x)[0], labels)
            return {"knn5_ae": knn_accuracy(xy, of), **_on_axes(xy)}
        dr.over_seeds(label, run, codes)
        meas = dr.measures(label)
        # PCA and t-SNE map the images themselves: the autoencoder's seed does not change them.
        meas["knn5"] = {**knn, "ae": meas.get("knn5_ae")}


def _on_axes(xy) -> dict:
    """Shares of 2-D codes with a coordinate at exactly 0 and with both (a ReLU code puts many
    samples on an axis: the "line" a report saw; all at the origin: the code died)."""
    zero = np.abs(np.asarray(xy)) < 1e-9
    return {"on_axes": float(zero.any(1).mean()), "at_origin": float(zero.all(1).mean())}


def _denoise(dr: _Drawing) -> None:
    """Each run on `repeats` noisy copies of every sample: options.noise ({"kind", "level"}) for
    every run, else each denoising run at its own training level. Black-and-white data: wrong
    pixels of the noisy input and of the output, per sample and overall; grey data: the MSE of
    each against the clean sample. Also how far the codes move (relative to their size). Every
    seed's model is measured on the same noisy copies (the verdicts compare means over seeds)."""
    from aegui.core.data.noise import apply_noise
    from aegui.core.train.evaluation import is_binary
    repeats = dr.opts.get("repeats", 20)
    given = dr.opts.get("noise")
    imgs = []
    for label, run in dr.models:
        if given is None and not kind_of(run.experiment).corrupts_inputs:
            continue
        kind, level = (given["kind"], given["level"]) if given else (run.experiment.noise.kind, run.experiment.noise.level)
        d, rows = dr.spread(run, "max_points", 1000)
        d = d.subset(rows)
        x = np.repeat(d.x, repeats, axis=0)
        noisy = apply_noise(x, kind, level, np.random.default_rng(0)).astype(np.float32)
        binary = is_binary(d.x)
        each = dr.over_seeds(label, run, lambda model: _denoised(model, x, noisy, binary, len(d), repeats))
        m = dr.measures(label)
        m["noise"] = f"{kind} {level:g}"
        if binary:
            w_in = ((noisy >= 0.5) != (x >= 0.5)).sum(1).reshape(len(d), repeats)
            w_out = each[0]["per_copy"]
            per = np.asarray([e["per_sample"] for e in each])          # seeds x samples
            m.update({"noisy_input_wrong": float(w_in.mean()), "denoised_max_wrong": int(w_out.max()),
                      "share_within_1px": float((w_out <= 1).mean()),
                      "per_sample": {lab: float(v) for lab, v in zip(d.labels, per.mean(0))},
                      "per_sample_std": {lab: float(v) for lab, v in zip(d.labels, per.std(0))},
                      "per_sample_per_seed": {lab: [float(v) for v in per[:, j]] for j, lab in enumerate(d.labels)}})
            imgs.append(RF.bars(list(d.labels), [{"label": "noisy input", "values": w_in.mean(1)},
                                                 {"label": "denoised", "values": w_out.mean(1)}],
                                title=f"{_cut(label, 70)}: wrong pixels per glyph ({repeats} noisy copies each)",
                                ylabel="wrong pixels", width=900, height=300))
        else:
            m["noisy_mse"] = float(((noisy - x) ** 2).mean())
    if imgs:
        dr.save(imgs, None, "denoise.png")


def _denoised(model, x, noisy, binary: bool, samples: int, repeats: int) -> dict:
    """One model on the noisy copies: how far its codes move, and its output's error against the
    clean samples (wrong pixels per copy and per sample for black-and-white data, else the MSE)."""
    from aegui.core.models.latent import denoise, encode
    out_ = denoise(model, noisy)
    z, zn = encode(model, x), encode(model, noisy)
    got = {"code_shift": float(np.linalg.norm(zn - z, axis=1).mean() / max(1e-12, np.linalg.norm(z, axis=1).mean()))}
    if not binary:
        return {**got, "denoised_mse": float(((out_ - x) ** 2).mean())}
    wrong = ((out_ >= 0.5) != (x >= 0.5)).sum(1).reshape(samples, repeats)
    return {**got, "denoised_wrong": float(wrong.mean()), "per_sample": wrong.mean(1), "per_copy": wrong}


def _cut(text: str, n: int = 48) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# The order the figures are drawn in when an entry names several.
_FIGURES = (("latent", _latent), ("reconstructions", _reconstructions), ("decode_grid", _decode_grid),
            ("interpolate", _interpolate), ("sample", _sample), ("denoise", _denoise), ("embedding", _embedding),
            ("traversal", measures.traversal), ("filter", measures.one_filter), ("active_units", measures.active_units))
