"""The checks of the MNIST documents (seed 003: the stacked-autoencoder classifier and the 2-D
visualisation; seed 004: convolutional vs linear autoencoders, the grid search, latent spaces):
each reads the numbers report_render measured and sets the document's claims against them."""
from __future__ import annotations

import math

from aegui.core.analyses.report.figures.figures import fmt
from aegui.core.analyses.report.verdicts.claims import (Spread, Verdict, all_of, any_of, by, const, curve_at, finding, judged,
                                               lower, near, of_values, prior_like, ranked_first, runs, scaled, spread)

# The numerics revision of the MNIST documents' checks: bump it with a change to what all of them share
# (docs/numerics.md; every row that uses one is then made again). A change to one check alone
# bumps its entry in CHECK_NUMERICS instead (a new entry is 1): only its rows are made again.
NUMERICS = 2
CHECK_NUMERICS: dict[str, int] = {}


# ---------------------------------------------------------------- seed-003

def _acc(v: Spread) -> str:
    """An accuracy to the 4 decimals its 10,000 test images resolve, ± its std over the seeds."""
    if v.failed:
        return str(v)
    return f"{v.mean:.4f}" + (f" ± {v.std:.4f}" if v.n > 1 else "")


def _classifier_text(m) -> str:
    s = m.get("stages", {})
    n = next(iter(s.values()), {}).get("runs", 1)
    parts = [f"{name}: {_acc(spread(v, 'accuracy'))} test accuracy (macro F1 {_acc(spread(v, 'macro_f1'))}, "
             f"{v['seconds']:.0f} s)" for name, v in s.items()]
    rep = m.get("report")
    if rep:
        worst = min(rep["classes"], key=lambda r: r["f1"])
        best = max(rep["classes"], key=lambda r: r["f1"])
        parts.append(f"fine-tuned per class{' (seed 0)' if n > 1 else ''}: F1 from {worst['f1']:.2f} "
                     f"(class {worst['class']}) to {best['f1']:.2f} (class {best['class']})")
    over = f"mean ± std over {n} seeds; " if n > 1 else ""
    return over + "; ".join(parts) + f"; pretraining {m.get('pretrain_seconds', 0):.0f} s"


# The report's Fashion-MNIST accuracy, given to two decimals: a tolerance of one unit in the last.
FASHION_ACCURACY, FASHION_TOLERANCE = 0.93, 0.01
OVERFIT_RISE = 1.02      # the last validation loss this far above the lowest: it has turned up


def _overfitting(m) -> dict | None:
    """Per seed, how far the validation loss ends above its lowest (1 when it is lowest at the
    end): over-fitting when that is above OVERFIT_RISE, tested over the seeds."""
    curves = m.get("val_loss_curves")
    if curves is None:     # a row measured before the seeds were kept: its one curve
        curves = [[h.get("val_loss") for h in m.get("history") or []]]
    curves = [[v for v in c if v is not None] for c in curves]
    curves = [c for c in curves if c]
    if not curves:
        return None
    rise = of_values([c[-1] / min(c) if min(c) > 0 else None for c in curves])
    shows = [min(range(len(c)), key=c.__getitem__) < len(c) - 1 and c[-1] > min(c) * OVERFIT_RISE for c in curves]
    first = curves[0]
    low = min(range(len(first)), key=first.__getitem__)
    # Seed 0's epochs are in its history (the loss may be checked every few epochs).
    epochs = [h["epoch"] for h in m.get("history") or [] if h.get("val_loss") is not None]
    epochs = epochs if len(epochs) == len(first) else list(range(1, len(first) + 1))
    return judged("the validation loss rises while the training loss keeps falling (over-fitting)",
                  f"last over lowest test loss, per seed: {', '.join(fmt(v, 4) for v in rise.values)} (over-fitting: "
                  f"above {OVERFIT_RISE:g}; {sum(shows)} of {len(curves)} seeds); seed 0: test loss lowest at epoch "
                  f"{epochs[low]} ({fmt(first[low])}), {fmt(first[-1])} at the last epoch ({epochs[-1]})",
                  lower(const(OVERFIT_RISE), rise))


def _hardest_class(m) -> dict | None:
    """Fashion's shirts the hardest class: per seed, the shirts' F1 minus the lowest F1 of the other
    classes (below 0: shirts lowest), tested over the seeds (their per-class F1 kept per seed)."""
    per_seed = m.get("class_f1")
    if per_seed is None and m.get("report"):
        per_seed = [{r["class"]: r["f1"] for r in m["report"]["classes"]}]
    if not per_seed or any("Shirt" not in f1 for f1 in per_seed):
        return None

    def f1(name: str) -> Spread:
        return of_values([s.get(name, math.nan) for s in per_seed])
    margin = of_values([s["Shirt"] - min(v for k, v in s.items() if k != "Shirt") for s in per_seed])
    return judged("shirts are the hardest class (F1 0.78) and trousers among the easiest (0.99)",
                  f"F1 shirt {f1('Shirt')}, trouser {f1('Trouser')}; shirts lowest in "
                  f"{sum(s['Shirt'] == min(s.values()) for s in per_seed)} of {len(per_seed)} seeds; shirts' F1 minus "
                  f"the next lowest class's {margin}", lower(margin, const(0.0)))


def c003_classifier(m, fashion: bool = False):
    """003's classifier: the fine-tuned encoder's test accuracy against the bar (0.97 on MNIST, 0.93 on
    Fashion-MNIST), beating the frozen codes and the pixels; over-fitting and the hardest class where measured.
    """
    s = m.get("stages", {})
    ft = spread(s.get("fine-tuned", {}), "accuracy")
    if fashion:
        v = near(ft, FASHION_ACCURACY, FASHION_TOLERANCE)
        first = judged(f"0.93 accuracy on the 10,000 Fashion-MNIST test images (within {FASHION_TOLERANCE})",
                       f"fine-tuned {_acc(ft)}", v)
    else:
        first = judged("encoder + softmax head fine-tuned together reach at least 0.97 on the 10,000 MNIST test "
                       "images (the issue's bar; the report tables Fashion-MNIST only)", f"fine-tuned {_acc(ft)}",
                       lower(const(0.97), ft))
    others = {name: spread(s[name], "accuracy") for name in ("frozen", "pixels") if name in s}
    out = [first,
           judged("fine-tuning the encoder with the head beats a head on the frozen codes and on the raw pixels",
                  f"fine-tuned {_acc(ft)}, " + ", ".join(
                      f"{'frozen codes' if k == 'frozen' else 'raw pixels'} {_acc(v)}" for k, v in others.items()),
                  all_of([lower(v, ft) for v in others.values()]))]
    out += [f for f in (_overfitting(m), _hardest_class(m) if fashion else None) if f is not None]
    return {"aegui": _classifier_text(m), "findings": out}


def c003_embedding(m):
    """003's embeddings: t-SNE separates the classes best (5-nearest-neighbour accuracy), and the ReLU-ended 2-D
    codes lie along a line."""
    models = m.get("models", {})
    rows = runs(m)
    first = rows[0] if rows else {}
    d = models.get(first.get("label"), next(iter(models.values()), {}))
    knn, n = d.get("knn5", {}), int(d.get("runs", 1))
    # PCA and t-SNE map the images, whatever the autoencoder's seed: their numbers have no spread.
    ae = spread(d, "knn5_ae") if "knn5_ae" in d else Spread(knn.get("ae", math.nan), 0.0, n)
    pca, tsne = (const(math.nan if knn.get(k) is None else knn[k]) for k in ("pca", "tsne"))
    out = [judged("t-SNE groups the classes best of the three; the autoencoder's 2-D codes and PCA overlap them more",
                  f"5-nearest-neighbour accuracy in each 2-D map (1 = classes apart, 0.1 = chance): ae {ae} (mean ± std "
                  f"over {n} seeds), pca {fmt(pca.mean)}, tsne {fmt(tsne.mean)}",
                  all_of([lower(ae, tsne), lower(pca, tsne)]))]
    differs = ""
    if d.get("on_axes") is not None:
        on_axes, origin = spread(d, "on_axes"), spread(d, "at_origin")
        collapsed = lower(const(0.9), origin)
        out.append(judged("the autoencoder's codes lie along a line, whatever the class (its 2-D code ends in ReLU)",
                          f"share of the codes with a coordinate at exactly 0: {on_axes}; with both (all at the "
                          f"origin): {origin}", all_of([lower(const(0.3), on_axes), lower(origin, const(0.9))])))
        if collapsed.holds or (n < 3 and origin.mean > 0.9):
            differs = ("with the report's ReLU on the 2-D code both code units died in aegui's run: every image maps "
                       "to the origin (a point, not the report's line), so nothing can be decoded from the latent "
                       "space; the second row drops that ReLU")
    parts = [f"{r['label']}: test loss {spread(r, 'final_test_loss')}, 5-NN accuracy of its codes "
             f"{spread(models.get(r['label'], {}), 'knn5_ae')}" for r in rows]
    return {"aegui": "; ".join(parts) + "; PCA " + fmt(knn.get("pca")) + ", t-SNE " + fmt(knn.get("tsne")),
            "findings": out, "differs": differs}


# ---------------------------------------------------------------- seed-004

ALMOST_NOTHING = 2.0     # a loss that falls by less than this factor over the run has learnt "almost nothing"

def _curve(r, which: str) -> list[Spread]:
    """A compare row's per-epoch curve (`train` or `test`) over its seeds: each seed's value at each
    epoch where the row keeps them (the comparisons pair them by seed), else mean ± std."""
    return [curve_at(r, which, i) for i in range(len(r[f"{which}_curve"]))]


def _drop(r) -> float:
    """How many times a row's test loss falls from its first epoch to its last (NaN: no curve)."""
    first, last = r["test_curve"][0], r["test_curve"][-1]
    return math.nan if first is None or last is None else first / max(1e-12, last)


def _epochs_text(epochs, verdicts, conv: str, lin: str) -> str:
    """Which epochs each model is below the other beyond the 95 % interval, and which are too close."""
    parts = []
    for holds, name in ((True, f"{conv} below"), (False, f"{lin} below"), (None, "too close")):
        got = [str(e) for e, v in zip(epochs, verdicts) if v.holds is holds]
        if got:
            parts.append(f"{name} at epoch{'s' if len(got) > 1 else ''} {', '.join(got)}")
    return "; ".join(parts)


def c004_conv_vs_linear(m):
    """004's convolutional against linear autoencoder: the convolutional one's losses lie below at every epoch,
    the linear one barely learns."""
    rows = runs(m)
    conv, lin = by(rows, "convolutional"), by(rows, "linear")
    epochs = conv["epochs"]
    # Figure 2 draws both curves at every epoch: they are compared at every epoch, seed by seed.
    per_epoch = {w: [lower(a, b) for a, b in zip(_curve(conv, w), _curve(lin, w))] for w in ("train", "test")}
    below = [e for e, a, b in zip(epochs, per_epoch["train"], per_epoch["test"]) if a.holds and b.holds]
    drop = {r["label"]: _drop(r) for r in (conv, lin)}
    # "Almost nothing": the test loss falls by less than half from the first epoch to the last.
    lin_first, lin_last = _curve(lin, "test")[0], _curve(lin, "test")[-1]
    almost = lower(lin_first, scaled(lin_last, ALMOST_NOTHING))
    differs = None if almost.holds is not False else (
        f"aegui's linear autoencoder does learn: its test loss falls {drop[lin['label']]:.1f}x over the "
        f"{len(lin['epochs'])} epochs, less than the convolutional one's {drop[conv['label']]:.1f}x; it stays above "
        "the convolutional one from epoch " + str(below[0] if below else "?") + " on")
    end_c, end_l = _curve(conv, "test")[-1], _curve(lin, "test")[-1]
    return {"differs": differs,
            "aegui": f"after {epochs[-1]} epochs: convolutional train {_curve(conv, 'train')[-1]}, test {end_c}; "
                     f"linear train {_curve(lin, 'train')[-1]}, test {end_l} (MSE per pixel, mean ± std over "
                     f"{conv.get('runs', 1)} seeds); {conv['seconds']:.0f} s and {lin['seconds']:.0f} s",
            "findings": [
                judged("the convolutional autoencoder learns much faster: its train and test loss lie below the linear "
                       "one's at every epoch of Figure 2",
                       "test loss: " + _epochs_text(epochs, per_epoch["test"], "convolutional", "linear")
                       + "; train loss: " + _epochs_text(epochs, per_epoch["train"], "convolutional", "linear"),
                       all_of(per_epoch["train"] + per_epoch["test"])),
                judged("the linear autoencoder learns almost nothing over the epochs (its test loss falls by less "
                       f"than {ALMOST_NOTHING:g}x)",
                       f"test loss from epoch 1 to the last falls {drop[lin['label']]:.1f}x for the linear one "
                       f"({lin_first} to {lin_last}), {drop[conv['label']]:.1f}x for the convolutional one",
                       almost),
                judged("conclusion: the convolutional network learns slightly better than the linear one",
                       f"final test loss: convolutional {end_c}, linear {end_l} (the convolutional one "
                       f"{100 * (1 - end_c.mean / end_l.mean):.0f} % lower; 'slightly' is not measured)"
                       if end_l.mean else f"final test loss: convolutional {end_c}, linear {end_l}",
                       lower(end_c, end_l))]}

def c004_grid(m):
    """004's grid search: whether the report's chosen parameters rank first, and whether 16 epochs beat 8."""
    ranked = m.get("ranked", [])
    if not ranked:
        return {}
    keys = [k for k in ranked[0] if k.startswith("loss_at_") and not k.endswith("_std")]
    last = keys[-1]
    top = ranked[0]
    chosen = lambda r: "Adam" in r["label"] and "batch_size=1000" in r["label"] and "learning_rate=0.001" in r["label"]  # noqa: E731
    doc = next((i for i, r in enumerate(ranked, 1) if chosen(r)), None)
    by_epochs, longer = "", None
    if len(keys) > 1:
        better = sum(1 for r in ranked if r.get(keys[-1]) is not None and r.get(keys[0]) is not None
                     and r[keys[-1]] < r[keys[0]])
        by_epochs = f"; {better} of {len(ranked)} configurations end lower after {keys[-1][8:]} epochs than after {keys[0][8:]}"
        # Each configuration's run read at both lengths: the configurations pair up, and are the units.
        at = lambda key: of_values([r.get(key) for r in ranked], [r["label"] for r in ranked])   # noqa: E731
        longer = lower(at(keys[-1]), at(keys[0]))
    seeds = min(int(r.get("runs", 1)) for r in ranked)
    # The ranking is over one run per configuration unless the preset asks for seeds: the
    # report's choice is best only when it is below every other configuration by the test.
    best_verdict = ranked_first(ranked, last, chosen) if doc is not None else Verdict(False, "not in the grid")
    return {"aegui": f"best of {len(ranked)}: {top['label']} (test loss {fmt(top.get(last), 4)} after "
                     f"{last[8:]} epochs){by_epochs}; the report's choice (Adam, batch 1000, 1e-3) ranks "
                     f"{doc if doc else '?'} ({seeds} run{'s' if seeds != 1 else ''} per configuration)",
            "findings": [
                judged("the best parameters: 16 epochs, batch 1000, Adam, learning rate 1e-3",
                       f"aegui's best: {top['label']} after {last[8:]} epochs; the report's choice ranks {doc}",
                       best_verdict),
                finding("16 epochs beat 8", "one length only", None) if longer is None else
                judged("16 epochs beat 8", by_epochs.lstrip("; ") + " (the configurations paired, one run each)",
                       longer)],
            "differs": "" if doc == 1 or best_verdict.holds is not False else (
                f"with aegui's settings more, smaller steps win within 16 epochs: {top['label']} is best, the "
                f"report's choice ranks {doc} of {len(ranked)}")}


def c004_grid_choice(m):
    """004's grid search's choice met again on fresh seeds: the report's batch 1000 against the configuration
    aegui's one-run-per-configuration grid ranked first (batch 128), their final test losses paired by seed."""
    rows = runs(m)
    doc, best = by(rows, "report's choice"), by(rows, "grid's best")
    end_doc, end_best = _curve(doc, "test")[-1], _curve(best, "test")[-1]
    verdict = lower(end_doc, end_best)
    n = doc.get("runs", 1)
    ratio = end_doc.mean / end_best.mean if end_best.mean else math.nan
    differs = "" if verdict.holds is not False else (
        f"on {n} fresh seeds batch 128 ends {ratio:.1f} times lower than the report's batch 1000 after "
        f"{doc['epochs'][-1]} epochs: at the same number of epochs it takes 7.8 times as many steps")
    return {"aegui": f"test MSE after {doc['epochs'][-1]} epochs (mean ± std over {n} seeds): the report's choice "
                     f"(batch 1000) {end_doc}, the grid's best here (batch 128) {end_best}; "
                     f"{doc['seconds']:.0f} s and {best['seconds']:.0f} s",
            "findings": [judged("the report's choice (16 epochs, batch 1000, Adam, 1e-3) is the best: it ends "
                                "below batch 128, the configuration aegui's grid ranked first",
                                f"final test MSE: the report's choice {end_doc}, batch 128 {end_best}", verdict)],
            "differs": differs}


def c004_latent(m):
    """004's latent spaces: the convolutional AE's clusters overlap more than the fully connected one's, and
    only the VAE's codes follow N(0, I)."""
    d = m.get("models", {})
    rows = runs(m)
    conv, lin, vae = (d.get(by(rows, k)["label"], {}) for k in ("convolutional", "fully connected", "VAE"))
    knn = {k: spread(v, "knn5_accuracy") for k, v in d.items()}
    shape = {k: (spread(v, "code_mean_norm"), spread(v, "code_std")) for k, v in d.items()}
    lin_norm, lin_std = spread(lin, "code_mean_norm"), spread(lin, "code_std")
    # The plain autoencoder's codes do not follow N(0, I): off centre, or too narrow, or too wide.
    not_prior = any_of([lower(const(0.5), lin_norm), lower(lin_std, const(0.3)), lower(const(1.5), lin_std)])
    return {"aegui": "5-nearest-neighbour accuracy of the digits in each 2-D latent space (mean ± std over the seeds): "
                     + ", ".join(f"{k} {v}" for k, v in knn.items()) + "; codes' mean length / std: "
                     + ", ".join(f"{k} {a} / {b}" for k, (a, b) in shape.items()),
            "findings": [
                judged("the convolutional autoencoder's clusters overlap more than the fully connected one's",
                       f"5-NN accuracy: convolutional {spread(conv, 'knn5_accuracy')}, fully connected "
                       f"{spread(lin, 'knn5_accuracy')}", lower(spread(conv, "knn5_accuracy"),
                                                                spread(lin, "knn5_accuracy"))),
                judged("the VAE's codes are centred with no gaps: they follow N(0, I), the plain autoencoder's do not",
                       f"mean length / std: VAE {spread(vae, 'code_mean_norm')} / {spread(vae, 'code_std')}, fully "
                       f"connected AE {lin_norm} / {lin_std}",
                       all_of([prior_like(spread(vae, "code_mean_norm"), spread(vae, "code_std")), not_prior])),
                finding("decoding a grid of the VAE's latent space gives clearer digits than the plain autoencoder's",
                        "see decode_grid.png (a picture, not a number)", None)]}


MNIST_CHECKS = {"003-classifier": c003_classifier,
                "003-classifier-fashion": lambda m: c003_classifier(m, fashion=True),
                "003-embedding": c003_embedding, "004-conv-vs-linear": c004_conv_vs_linear, "004-grid": c004_grid,
                "004-grid-choice": c004_grid_choice, "004-latent": c004_latent}


def c004_one_filter(m) -> list[dict]:
    """004's plot of one of its 64 filters of 1x2 (section 3), from the "filter" figure's numbers:
    its clusters overlap (more than the fully connected 2-D code's), and the report's reason,
    that only one filter of the 64 is seen (the whole code separates the digits better)."""
    d, rows = m.get("models", {}), runs(m)
    conv, lin = (next((d.get(r["label"], {}) for r in rows if k in r["label"]), {})
                 for k in ("convolutional", "fully connected"))
    if "filter_knn5" not in conv or "knn5_accuracy" not in lin:
        claim = "one of the 64 filters of 1x2 on its own: small clusters that overlap"
        return [finding(claim, "not measured (the row draws no filter figure)", None)]
    one, whole, fc = spread(conv, "filter_knn5"), spread(conv, "code_knn5"), spread(lin, "knn5_accuracy")
    each = (f"5-NN accuracy of the digits: filter 1's 2 values {one} (over the 64 filters: median "
            f"{fmt(conv.get('filter_knn5_median'))}, best {fmt(conv.get('filter_knn5_best'))})")
    return [judged("one of the 64 filters of 1x2 on its own shows small clusters that overlap, more than the fully "
                   "connected autoencoder's 2-D code", f"{each}; fully connected 2-D code {fc}", lower(one, fc)),
            judged("they overlap because only one filter of the 64 is seen: the whole code tells the digits apart "
                   "better", f"{each}; the whole 128-value code {whole}", lower(one, whole))]


def c004_latent_and_one_filter(m):
    """c004_latent's findings and the one-filter plot's."""
    out = c004_latent(m)
    out["findings"] = list(out.get("findings", [])) + c004_one_filter(m)
    return out


MNIST_CHECKS.update({"004-latent": c004_latent_and_one_filter})
