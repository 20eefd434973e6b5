"""The checks of document 000's emoji VAE (its exercise 2: latent sizes, learning rates, depth,
activations and a configuration meant to fail, and the 2-D VAE's latent traversal): each reads
the numbers report_render measured and sets the document's claims against them."""
from __future__ import annotations

import math
from dataclasses import replace

from aegui.core.analyses.report.figures.figures import fmt
from aegui.core.analyses.report.health import of as health_of
from aegui.core.analyses.report.verdicts.claims import (MIN_SEEDS, Spread, all_of, by, const, curve_at, finding,
                                                        judged, lower, minus, near, not_comparable, of_values, runs,
                                                        scaled, spread)

# The numerics revision of the emoji VAE's checks: bump it with a change to what all of them share
# (docs/numerics.md; every row that uses one is then made again). A change to one check alone
# bumps its entry in CHECK_NUMERICS instead (a new entry is 1): only its rows are made again.
NUMERICS = 1
CHECK_NUMERICS: dict[str, int] = {}


def _vae_rows(m):
    return {r["label"]: r for r in runs(m)}


def _failed(r: dict) -> str:
    """Why none of a variant's runs counts ("sigmoid did not train (no seed trained: all 5 dead)"), or
    "" when some do (a variant the document means to fail counts its failed runs)."""
    return str(r.get("failed") or "")


def _reconstruction(m, label: str, row: dict) -> tuple[Spread, str]:
    """A VAE's reconstruction term alone (its loss adds the KL term, which grows with the latent
    size): the MSE per pixel of the training pictures it reconstructs (the reconstructions figure,
    options.samples_from "train"), where it was measured; else the runs' held-out MSE per pixel."""
    model = m.get("models", {}).get(label, {})
    if (model.get("per_seed") or {}).get("recon_mse") is not None or "recon_mse" in model:
        return spread(model, "recon_mse"), "reconstruction MSE per pixel of the training pictures"
    return spread(row, "test_mse"), ("reconstruction MSE per pixel of the held-out pictures (these runs kept no "
                                     "training reconstruction term)")


def c000_vae_latent(m):
    """000's VAE latent sizes: 1 dimension reconstructs worse than 2, 4 or 64, and 64 and 128 over-fit more than
    4."""
    rows = _vae_rows(m)
    gaps = {k: minus(spread(r, "final_test_loss"), spread(r, "final_train_loss")) for k, r in rows.items()}
    text = "; ".join(f"{k}: train {spread(r, 'final_train_loss')}, held out {spread(r, 'final_test_loss')}"
                     for k, r in rows.items())
    recon = {k: _reconstruction(m, k, r) for k, r in rows.items()}
    what = recon["latent 1"][1]
    one = recon["latent 1"][0]
    others = {k: recon[k][0] for k in ("latent 2", "latent 4", "latent 64") if k in recon}
    four = gaps.get("latent 4", Spread(math.nan, 0.0, 0))
    big = {k: lower(four, gaps[k]) for k in ("latent 64", "latent 128") if k in gaps}
    out = {"aegui": "loss (L2 norm ||x - x_hat|| + KL per image), mean ± std over the seeds: " + text, "findings": [
        judged("a 1-D latent space cannot hold the pictures: a higher reconstruction loss than 2, 4 or 64 dimensions",
               f"{what}: latent 1 {one}; " + ", ".join(f"{k} {v}" for k, v in others.items()),
               all_of([lower(v, one) for v in others.values()])),
        judged("64 and 128 dimensions over-fit: the held-out loss moves further from the training loss than with 4",
               "held-out minus training loss, seed by seed: " + ", ".join(f"{k} {v}" for k, v in gaps.items()),
               all_of(list(big.values())))]}
    notes = [f"{k} over-fits less than latent 4 (beyond the 95 % interval)" for k, v in big.items() if v.holds is False]
    if "latent 128" in rows and lower(spread(rows["latent 1"], "final_train_loss"),
                                      spread(rows["latent 128"], "final_train_loss")).holds:
        notes.append("latent 128 ends with a higher training loss than latent 1 (its KL term over 128 dimensions and "
                     "the noise of sampling them, on 6 pictures)")
    if notes:
        out["differs"] = "; ".join(notes)
    return out


def _wiggle(curve) -> float:
    """How much a loss curve goes up and down: the summed rises over the total fall."""
    c = [v for v in curve if v is not None and math.isfinite(v)]
    if len(c) < 3:
        return math.nan
    rises = sum(max(0.0, b - a) for a, b in zip(c, c[1:]))
    return rises / max(1e-12, abs(c[0] - c[-1]) + rises)


def _seed_curves(row) -> list[list[float]]:
    """Each seed's training curve (finite values only); one curve, the mean, in older results."""
    curves = row.get("seed_train_curves") or [row["train_curve"]]
    return [[v for v in c if v is not None and math.isfinite(v)] for c in curves]


def _seeds_of(row, n: int) -> list:
    return (row.get("per_seed") or {}).get("seed") or list(range(n))


def c000_vae_lr(m):
    """000's VAE learning rates: 0.0001 gives a smooth loss still falling at the end, 0.01 converges fast or
    oscillates."""
    rows = _vae_rows(m)
    slow, fast = by(list(rows.values()), "0.0001"), by(list(rows.values()), "0.01")
    planned = int(slow["epochs"][-1])
    slow_failed, fast_failed = _failed(slow), _failed(fast)
    # A rate none of whose seeds trained keeps no curve that counts: both claims rest on its curve.
    slow_curves = [] if slow_failed else _seed_curves(slow)
    fast_curves = _seed_curves(fast)
    fast_last = fast.get("seed_last_epochs") or [int(fast["epochs"][-1])] * len(fast_curves)
    seeds_slow, seeds_fast = _seeds_of(slow, len(slow_curves)), _seeds_of(fast, len(fast_curves))
    # Smooth and still falling, seed by seed: it rises for less than a tenth of its way, and ends
    # below where it started.
    rising = replace(of_values([_wiggle(c) for c in slow_curves], seeds_slow), failed=slow_failed)
    first = replace(of_values([c[0] if c else None for c in slow_curves], seeds_slow), failed=slow_failed)
    last = replace(of_values([c[-1] if c else None for c in slow_curves], seeds_slow), failed=slow_failed)
    # Aggressive, seed by seed: the share of its curve spent rising, a divergence (it stopped early,
    # or blew up tenfold) counting as all of it; set against the 0.0001 run of the same seed.

    def roughness(c, stopped) -> float:
        return 1.0 if stopped or not c or c[-1] > 10 * min(c) else _wiggle(c)
    rough = replace(of_values([roughness(c, e < planned) for c, e in zip(fast_curves, fast_last)], seeds_fast),
                    failed=fast_failed)
    stopped = [e for e in fast_last if e < planned]
    slow_text = ("no curve of 0.0001 counts" if slow_failed else
                 f"training loss {spread(slow, 'final_train_loss')} at epoch {slow['epochs'][-1]} (mean ± std over "
                 "the seeds); share of each seed's curve spent rising: "
                 + ", ".join(fmt(_wiggle(c)) for c in slow_curves)
                 + f" (under 0.1: smooth); first and last check {first}, {last}")
    against = ("; 0.0001's curves, to set them against, do not count" if slow_failed else
               f", against {', '.join(fmt(v) for v in rising.values)} at 0.0001")
    return {"findings": [
        judged("0.0001 learns cautiously: a smooth loss curve, still falling after 100 epochs", slow_text,
               not_comparable(rising) or all_of([lower(rising, const(0.1)), lower(last, first)])),
        judged("0.01 is aggressive: fast convergence or divergence, an oscillating loss",
               (f"diverged in {len(stopped)} of {len(fast_last)} seeds (stopped at epoch "
                f"{', '.join(str(e) for e in stopped)} of {planned})" if stopped else "no seed diverged")
               + "; share of each seed's curve spent rising (a divergence: 1): "
               + ", ".join(fmt(v) for v in rough.values)
               + against,
               lower(rising, rough))]}


def c000_vae_depth(m):
    """000's VAE depth: the deep VAE reaches a lower training loss than the shallow one."""
    rows = list(_vae_rows(m).values())
    sh, dp = by(rows, "shallow"), by(rows, "deep")
    return {"findings": [judged(
        "the deep VAE reconstructs in more detail than the shallow one",
        f"training loss: deep {spread(dp, 'final_train_loss')}, shallow {spread(sh, 'final_train_loss')}; held out: "
        f"deep {spread(dp, 'final_test_loss')}, shallow {spread(sh, 'final_test_loss')}",
        lower(spread(dp, "final_train_loss"), spread(sh, "final_train_loss")))]}


def c000_vae_activation(m):
    """000's VAE activations: ReLU converges fastest early and reconstructs sharpest; sigmoid is slowest."""
    rows = list(_vae_rows(m).values())
    relu, sig = by(rows, "ReLU"), by(rows, "sigmoid")

    def early(r) -> Spread:
        curve = r["train_curve"]
        idx = [i for i, v in enumerate(curve) if v is not None and math.isfinite(v)]
        if not idx:
            return Spread(math.nan, 0.0, 0, failed=_failed(r))
        return curve_at(r, "train", idx[min(len(idx) - 1, 3)])

    def final(r) -> Spread:
        return spread(r, "final_train_loss")
    # A variant that did not train (cosh's values overflow float32 where a layer's inputs grow; a
    # dead model) has no loss to rank: a claim that ranks it is not comparable, and it is named.
    alive = [r for r in rows if not _failed(r)] or rows
    fastest = min(alive, key=lambda r: early(r).mean)
    ends_lowest = all_of([lower(final(relu), final(r)) for r in rows if r is not relu])
    notes = [] if fastest is relu or lower(early(fastest), early(relu)).holds is not True else [
        f"{fastest['label']} has the lowest loss after 20 epochs here"
        + ("; ReLU overtakes it later and ends lowest" if ends_lowest.holds else "")]
    notes += [_failed(r) for r in rows if _failed(r)]
    findings = [
        judged("ReLU converges fastest at the start; sigmoid slowest, with plateaus",
               "training loss after 20 epochs: " + ", ".join(f"{r['label']} {early(r)}" for r in rows),
               lower(early(relu), early(sig))),
        judged("ReLU gives the sharpest reconstructions",
               "final training loss: " + ", ".join(f"{r['label']} {final(r)}" for r in rows), ends_lowest)]
    return {"differs": "; ".join(notes), "findings": findings}


def c000_vae_bad(m):
    """000's deliberately bad VAE: its reconstructions are unrecognisable (or it fails as the document expects)
    and possibly all alike."""
    rows = list(_vae_rows(m).values())
    bad, ref = by(rows, "bad"), by(rows, "reference")
    outs = m.get("models", {})
    ob, orf = outs.get(bad["label"], {}), outs.get(ref["label"], {})
    sb, sr = spread(ob, "output_spread"), spread(orf, "output_spread")
    # Unrecognisable: the reconstruction term alone, on the training pictures. The two losses are
    # not comparable as they stand: the KL term grows with the latent size (2 against 4). Seeds
    # that failed to train count (the configuration is built to fail: report/health.py).
    failed = [not health_of(h).ok for h in bad.get("seed_health", [])]
    seeds = f"failed to train in {sum(failed)} of {len(failed)} seeds ({bad.get('health_note', '')}); " if any(failed) \
        else ""
    claim = "the bad combination does not converge: its reconstructions are unrecognisable"
    if len(failed) >= MIN_SEEDS and all(failed):
        # Every seed diverged or is dead (no better than the mean picture, by the health check's
        # own measurement on each seed): the claim holds seed by seed, with nothing left to test.
        first = finding(claim, f"{seeds}every seed failed as the document expects (report/health.py)", True)
    elif (ob.get("per_seed") or {}).get("recon_mse") is not None or "recon_mse" in ob:
        rb, rr = spread(ob, "recon_mse"), spread(orf, "recon_mse")
        first = judged(claim, f"{seeds}reconstruction MSE per pixel of the training pictures: bad {rb}, reference "
                       f"{rr} (twice the reference: {fmt(2 * rr.mean)})", lower(scaled(rr, 2), rb))
    else:
        first = finding(claim, f"{seeds}training loss: bad {spread(bad, 'final_train_loss')}, reference "
                        f"{spread(ref, 'final_train_loss')} (not comparable: these runs kept only the total loss, "
                        "whose KL term differs with the latent size, 2 against 4, and no reconstruction term of the "
                        "training pictures; see the outputs' spread below and reconstructions.png)", None)
    return {"findings": [
        first,
        judged("possibly mode collapse: every reconstruction alike (the outputs' spread under half the reference's)",
               f"spread of the outputs over the inputs' spread: bad {sb}, reference {sr}",
               lower(sb, scaled(sr, 0.5)))]}


# 000's traversal of its 2-D VAE (exercise 2), as the frames' labels give it: y from -63.0 to 27.2
# in 25 steps. A traversal spans the codes it shows, so the report's codes reached that far along
# y: about 90 units, where N(0, I) puts 99.7 % of its mass within 3.
C000_TRAVERSAL = (-63.0, 27.2, 25)
C000_TRAVERSAL_TOLERANCE = 0.5          # relative to the report's span


def c000_traversal(m) -> list[dict]:
    """The traversal row of 000-vae-latent, from the "traversal" figure's numbers."""
    first, last, steps = C000_TRAVERSAL
    claim = (f"the 2-D VAE's latent traversal runs along y from {first} to {last} in {steps} steps: its codes "
             f"spread about {last - first:.0f} units along y (within half of that)")
    row = next((v for v in m.get("models", {}).values() if "traversal" in v), None)
    if row is None:
        return [finding(claim, "not measured (the row draws no traversal of a 2-D model)", None)]
    span, lo, hi = spread(row, "code_span"), spread(row, "code_lo"), spread(row, "code_hi")
    changes, inside = spread(row, "traversal_changes"), spread(row, "traversal_inside")
    doc = last - first
    return [judged(claim, f"aegui's latent-2 VAE codes its pictures along z1 from {lo} to {hi}: a span of {span} "
                          f"units (mean ± std over {span.n} seeds); {fmt(inside.mean)} of the report's {steps} points "
                          f"lie within its codes' range, and {fmt(changes.mean)} of the {steps - 1} steps change the "
                          f"decoded picture (its pixels by more than "
                          f"{fmt(row['traversal'].get('frame_change', 0.01))} on average; see traversal.png)",
                   near(span, doc, C000_TRAVERSAL_TOLERANCE * doc))]


def c000_vae_latent_and_traversal(m):
    """c000_vae_latent's findings and the latent traversal's."""
    out = c000_vae_latent(m)
    out["findings"] = list(out.get("findings", [])) + c000_traversal(m)
    return out


VAE_CHECKS = {"000-vae-latent": c000_vae_latent_and_traversal, "000-vae-lr": c000_vae_lr,
              "000-vae-depth": c000_vae_depth, "000-vae-activation": c000_vae_activation, "000-vae-bad": c000_vae_bad}
