"""2-D embeddings side by side: an autoencoder's latent space vs scikit-learn's PCA and t-SNE,
on the raw inputs and on the latent codes, labelled by sample (glyph).

Panels are (method, space) pairs:
- ("ae", "latent"): the codes of a trained autoencoder with a 2-D latent space as they are
  (a 1-D latent is drawn on a line at y = 0; more than 2 dimensions are reduced with PCA);
- ("pca", "raw") / ("tsne", "raw"): sklearn.decomposition.PCA / sklearn.manifold.TSNE of the
  input pixels;
- ("pca", "latent") / ("tsne", "latent"): the same on the codes (for a 2-D latent, PCA only
  centres and rotates it).
DEFAULT_PANELS are the first three (the issue's "AE latent vs PCA vs t-SNE"); ALL_PANELS all five.

`project(x, method, seed)` is the numpy-in, numpy-out building block; results are deterministic
for a seed (PCA with the full SVD; t-SNE initialised with PCA, random_state=seed, perplexity
min(30, (N - 1) / 3) unless given, since t-SNE needs perplexity < N).

EmbeddingJob(fonts=("Font1", "Font2", "Font3")) trains a 2-D autoencoder per font with
resources/presets/<font>-ae2d.json (about 0.2 s each; other fonts borrow font3-ae2d.json's
model and training) unless `models` maps the font name to a trained model, then computes the
panels. steps() yields EmbeddingProgress items, the last with the EmbeddingResult as `result`
(a cancelled result holds the datasets finished before the cancel).
EmbeddingResult.write(DIR) writes embedding.csv (dataset, method, space, index, label, x, y)
and embedding.png (one row per dataset, one column per panel, points drawn as their labels).
"""
from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from aegui.core.schema.experiment import ConfigError, shown
from aegui.core.jobs.job import CANCELLED, FINISHED, Job, Progress

# The numerics revision of the 2-D embeddings: bump it with any change to the numbers computed here
# (docs/numerics.md; the report's rows that use it are then made again).
NUMERICS = 1

METHODS = ("ae", "pca", "tsne")
METHOD_LABELS = {"ae": "AE latent", "pca": "PCA", "tsne": "t-SNE"}
PANEL_TITLES = {("pca", "raw"): "PCA of pixels", ("tsne", "raw"): "t-SNE of pixels",
                ("pca", "latent"): "PCA of codes", ("tsne", "latent"): "t-SNE of codes"}
ALL_PANELS = (("ae", "latent"), ("pca", "raw"), ("tsne", "raw"), ("pca", "latent"), ("tsne", "latent"))
DEFAULT_PANELS = ALL_PANELS[:3]
CSV_COLUMNS = ["dataset", "method", "space", "index", "label", "x", "y"]


def panel_title(method: str, space: str) -> str:
    """A panel's title: the autoencoder's name, or PCA / t-SNE with the space it maps (pixels or codes)."""
    return METHOD_LABELS[method] if method == "ae" else PANEL_TITLES[method, space]


def default_perplexity(n: int) -> float:
    """t-SNE's perplexity for n points: 30, or less for a small set (it must stay well below the number of
    points)."""
    return float(min(30.0, max(1.0, (n - 1) / 3)))


def project(x: np.ndarray, method: str, seed: int = 0, perplexity: float | None = None) -> np.ndarray:
    """[N, D] -> [N, 2] float64 with PCA or t-SNE (scikit-learn); "ae" passes 2-D codes through."""
    from aegui.core.train.threads import one_native_thread
    x = np.asarray(x, dtype=np.float64)
    n, d = x.shape
    with one_native_thread():
        return _project(x, method, seed, perplexity)


def _project(x, method, seed, perplexity):
    n, d = x.shape
    if method == "ae":
        if d == 1:
            return np.column_stack([x[:, 0], np.zeros(n)])
        if d == 2:
            return x.copy()
        method = "pca"
    if method == "pca":
        from sklearn.decomposition import PCA
        k = min(2, n, d)
        out = PCA(n_components=k, svd_solver="full").fit_transform(x)
        return np.column_stack([out, np.zeros((n, 2 - k))]) if k < 2 else out
    if method == "tsne":
        from sklearn.manifold import TSNE
        if n < 3:
            raise ConfigError("samples", f"t-SNE needs at least 3 samples, got {n}")
        p = default_perplexity(n) if perplexity is None else float(perplexity)
        if not 0 < p < n:
            raise ConfigError("perplexity", f"must be between 0 and the number of samples ({n}), got {p}")
        init = "pca" if d >= 2 else "random"
        return TSNE(n_components=2, perplexity=p, init=init, random_state=seed, learning_rate="auto",
                    max_iter=1000).fit_transform(x).astype(np.float64)
    raise ConfigError("method", f"{shown(method)} is not one of {', '.join(METHODS)}")


@dataclass
class Panel:
    """One method's 2-D map of one dataset: the points, their labels and, for drawing them as pictures, the
    samples."""
    dataset: str
    method: str                # ae, pca, tsne
    space: str                 # raw, latent
    xy: np.ndarray             # [N, 2]
    labels: list[str]
    images: np.ndarray | None = None   # [N, H, W(, C)] for drawing the samples themselves

    @property
    def title(self) -> str:
        """The panel's title (panel_title)."""
        return panel_title(self.method, self.space)


@dataclass
class EmbeddingResult:
    """Every panel of an embedding study, in dataset-then-method order, with its seed and time."""
    panels: list[Panel] = field(default_factory=list)
    seed: int = 0
    seconds: float = 0.0
    cancelled: bool = False

    @property
    def datasets(self) -> list[str]:
        """The datasets mapped, in the panels' order."""
        return list(dict.fromkeys(p.dataset for p in self.panels))

    @property
    def kinds(self) -> list[tuple[str, str]]:
        """The (method, space) pairs of the panels, in their order."""
        return list(dict.fromkeys((p.method, p.space) for p in self.panels))

    def panel(self, dataset: str, method: str, space: str) -> Panel:
        """The panel of one dataset, method and space; KeyError when there is none."""
        for p in self.panels:
            if (p.dataset, p.method, p.space) == (dataset, method, space):
                return p
        raise KeyError(f"no {method}/{space} panel for {dataset}")

    def rows(self) -> list[dict]:
        """One row per point of every panel (dataset, method, space, index, label, x, y), as embedding.csv holds
        them."""
        return [{"dataset": p.dataset, "method": p.method, "space": p.space, "index": i, "label": lab,
                 "x": float(p.xy[i, 0]), "y": float(p.xy[i, 1])}
                for p in self.panels for i, lab in enumerate(p.labels)]

    def to_csv(self, path) -> Path:
        """Writes the rows to `path` as CSV (floats in full precision) and returns it."""
        from aegui.core.files.atomic import atomic_write_text
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.rows():
            writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
        atomic_write_text(Path(path), buf.getvalue())
        return Path(path)

    def figure(self, cell: int = 380, pictures: bool = False):
        """PIL image: a row per dataset, a column per panel kind; each point drawn as its label
        (or, with `pictures`, as the sample itself)."""
        from aegui.core.analyses import charts
        from aegui.core.analyses.figures import font
        datasets, kinds = self.datasets, self.kinds
        head = 26
        # Many samples in few classes (MNIST-style test sets): dots coloured by class, a legend
        # of the class names under the row; glyphs keep their labels as text.
        classes = {}
        for name in datasets:
            labels = next(p.labels for p in self.panels if p.dataset == name)
            names = sorted(set(labels), key=lambda t: (not t.isdigit(), int(t) if t.isdigit() else 0, t))
            if len(labels) > 200 and len(names) <= len(charts.CLASS_COLORS):
                classes[name] = {c: charts.CLASS_COLORS[i] for i, c in enumerate(names)}
        legend = 24
        rows = [head + sum(cell + (legend if d in classes else 0) for d in datasets[:r]) for r in range(len(datasets))]
        total = head + sum(cell + (legend if d in classes else 0) for d in datasets)
        img = charts.canvas(max(1, len(kinds)) * cell + 90, max(total, cell + head))
        from PIL import ImageDraw
        draw = ImageDraw.Draw(img)
        draw.text((img.width / 2, 4), f"AE latent vs PCA vs t-SNE (seed {self.seed})", fill=charts.TEXT,
                  font=font(16), anchor="ma")
        for r, name in enumerate(datasets):
            top = rows[r]
            draw.text((45, top + cell / 2), name, fill=charts.TEXT, font=font(15), anchor="mm")
            if name in classes:
                x = 90
                for label, color in classes[name].items():
                    draw.ellipse([x, top + cell + 6, x + 8, top + cell + 14], fill=color)
                    draw.text((x + 12, top + cell + 10), label, fill=charts.TEXT, font=font(13), anchor="lm")
                    x += 22 + int(draw.textlength(label, font=font(13)))
            for c, (method, space) in enumerate(kinds):
                try:
                    p = self.panel(name, method, space)
                except KeyError:
                    continue
                box = (90 + c * cell, top, 90 + (c + 1) * cell - 8, top + cell - 8)
                by_class = classes.get(name)
                colors = [by_class[t] for t in p.labels] if by_class else \
                    [charts.PALETTE[r % len(charts.PALETTE)]] * len(p.labels)
                charts.scatter_panel(img, box, p.xy, [_short(t) for t in p.labels], title=p.title,
                                     images=p.images if pictures else None, colors=colors,
                                     dots=by_class is not None and not pictures)
        return img

    def write(self, out_dir, pictures: bool = False) -> dict[str, Path]:
        """Writes embedding.csv and embedding.png (points drawn as labels, or as the samples with `pictures`)
        into `out_dir`; returns their paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"csv": self.to_csv(out / "embedding.csv"), "png": out / "embedding.png"}
        from aegui.core.files.png import save_picture
        save_picture(self.figure(pictures=pictures), paths["png"])
        return paths


def _short(label: str) -> str:
    return {"space": "sp", "DEL": "del"}.get(label, label)


def embed_dataset(data, model=None, panels: Sequence[tuple[str, str]] = DEFAULT_PANELS, seed: int = 0,
                  perplexity: float | None = None, name: str | None = None) -> list[Panel]:
    """The panels of one dataset (named `name`, default data.name); `model` (K=1, any latent
    size) is needed for latent panels."""
    codes = None
    out = []
    images = data.images() if hasattr(data, "images") else None
    for method, space in panels:
        if (method, space) not in ALL_PANELS:
            raise ConfigError("panels", f"{method}/{space} is not a panel; choose from "
                              f"{', '.join(f'{m}/{s}' for m, s in ALL_PANELS)}")
        if space == "latent":
            if model is None:
                raise ConfigError("models", f"the {panel_title(method, space)} panel needs a trained model")
            if codes is None:
                from aegui.core.models.latent import encode
                from aegui.core.train.threads import one_thread
                with one_thread():
                    codes = encode(model, data.x)
            source = codes
        else:
            source = data.x
        out.append(Panel(name or data.name, method, space, project(source, method, seed, perplexity),
                         list(data.labels), images))
    return out


def font_preset(font: str) -> Path:
    """The 2-D autoencoder preset trained for a font: its own (fontN-ae2d.json) where it has one, else Font3's.
    """
    from aegui.core.files.paths import resources_dir
    presets = resources_dir() / "presets"
    own = presets / f"{font.lower()}-ae2d.json"
    return own if own.is_file() else presets / "font3-ae2d.json"


@dataclass(kw_only=True)
class EmbeddingProgress(Progress):
    """EmbeddingJob's: state "training" while a font's autoencoder trains, "projecting" after
    each panel, then "finished" / "cancelled" with the EmbeddingResult as `result`."""
    dataset: str = ""               # the font (or dataset) being worked on
    epoch: int | None = None        # while its autoencoder trains
    epochs: int | None = None
    panel: tuple | None = None      # (method, space) just projected
    done: int = 0                   # panels projected so far
    total: int = 0


class EmbeddingJob(Job):
    """See the module docstring. steps() yields EmbeddingProgress. `models` maps a font name to
    its trained model (K=1); `trained` gets the models trained here."""

    def __init__(self, fonts: Sequence[str] = ("Font1", "Font2", "Font3"), *, models: dict | None = None,
                 panels: Sequence[tuple[str, str]] = DEFAULT_PANELS, seed: int = 0,
                 perplexity: float | None = None, font_path=None, datasets: dict | None = None,
                 experiments: dict | None = None):
        from aegui.core.data.datasets import font_dataset
        if not fonts and not datasets:
            raise ConfigError("fonts", "name at least one font, e.g. Font1")
        for m, s in panels:
            if (m, s) not in ALL_PANELS:
                raise ConfigError("panels", f"{m}/{s} is not a panel; choose from "
                                  f"{', '.join(f'{a}/{b}' for a, b in ALL_PANELS)}")
        self.panels = tuple(panels)
        self.seed, self.perplexity = seed, perplexity
        self.models = dict(models or {})
        self.trained: dict = {}
        # Datasets by name: fonts from the course file (or font_path), plus any given ones.
        self.data = {f: font_dataset((f,), path=font_path) for f in fonts}
        self.data.update(datasets or {})
        # name -> Experiment trained (on its training files) for the latent panels of datasets[name]
        self.experiments = dict(experiments or {})
        needs_model = any(s == "latent" for _, s in self.panels)
        for name in self.data:
            if needs_model and name not in self.models and name not in fonts and name not in self.experiments:
                raise ConfigError("models", f"{name} is not a font, so give its trained model")
        self._session = None

    def cancel(self) -> None:
        """Cancels the job and stops the autoencoder training now, if one is."""
        super().cancel()
        session = self._session
        if session is not None:
            session.stop()

    def _train(self, name: str, start: float, frac0: float, share: float):
        from aegui.core.config.load import load_experiment
        from aegui.core.config.validation import with_changes
        from aegui.core.train.session import TrainingSession
        if name in self.experiments:
            from aegui.core.data.datasets import from_config
            exp = self.experiments[name]
            session = TrainingSession(exp, from_config(exp.data))
        else:
            exp, _ = load_experiment(font_preset(name))
            exp = with_changes(exp, data={"fonts": (name,), "chars": ""}, train={"device": "cpu"})
            session = TrainingSession(exp, self.data[name])
        self._session = session
        if self.cancelled:
            session.stop()
        for rec in session.steps():
            yield EmbeddingProgress(state="training", dataset=name, epoch=rec.epoch, epochs=rec.total_epochs,
                                    fraction=frac0 + share * 0.5 * rec.epoch / rec.total_epochs,
                                    elapsed=time.perf_counter() - start)
        self._session = None
        if not self.cancelled:
            self.trained[name] = session.best_model()

    def steps(self) -> Iterator[EmbeddingProgress]:
        """For each dataset: trains its 2-D autoencoder when a panel needs codes and none was given, then
        computes every panel, yielding EmbeddingProgress and ending with the result."""
        start = time.perf_counter()
        result = EmbeddingResult(seed=self.seed)
        names = list(self.data)
        needs_model = any(s == "latent" for _, s in self.panels)
        share = 1.0 / len(names)
        total = len(names) * len(self.panels)
        done = 0
        for i, name in enumerate(names):
            frac0 = i * share
            model = self.models.get(name)
            if needs_model and model is None:
                yield from self._train(name, start, frac0, share)
                model = self.trained.get(name)
            if self.cancelled:
                break
            data = self.data[name]
            for panel in self.panels:
                if self.cancelled:
                    break
                result.panels += embed_dataset(data, model, [panel], self.seed, self.perplexity, name)
                done += 1
                yield EmbeddingProgress(
                    state="projecting", dataset=name, panel=panel, done=done, total=total,
                    fraction=frac0 + share * (0.5 if needs_model else 0.0)
                    + share * (0.5 if needs_model else 1.0) * (self.panels.index(panel) + 1) / len(self.panels),
                    elapsed=time.perf_counter() - start)
            if self.cancelled:
                # a dataset is kept whole or not at all
                result.panels = [p for p in result.panels if p.dataset != name]
                break
        result.cancelled = self.cancelled
        result.seconds = time.perf_counter() - start
        yield EmbeddingProgress(state=CANCELLED if self.cancelled else FINISHED,
                                fraction=1.0 if not self.cancelled else done / max(1, total),
                                elapsed=result.seconds, result=result)
