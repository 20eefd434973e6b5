"""Three things the course documents show in pictures that no row of the report checked: 000's
latent traversal (its 2-D VAE decoded along y from -63.0 to 27.2 in 25 frames), 004's plot of one
of its 64 filters of 1x2 (small clusters that overlap, "probably because we look at one filter and
not all"), and the lecture's claim that a sparse autoencoder keeps few units active. Each is a
figure that measures its numbers over every seed's model (traversal.png, filter.png,
active_units.png) and a finding of its row's check. A tiny report runs the three figures on glyph
models of 60 epochs (5 epochs leave them dead, report/health.py: then the figures are drawn all the
same, say so, and measure nothing); the checks are judged on numbers given here (3 seeds decide, 1
does not)."""
import json

import numpy as np
import pytest

from aegui.core.analyses.report import run as R
from aegui.core.analyses.report.verdicts.checks import CHECKS

BASE = {"name": "tiny", "data": {"fonts": ["Font3"]},
        "model": {"kind": "ae", "layers": [35, 16, 8, 16, 35], "init": "xavier"},
        "train": {"loss": "bce", "optimizer": "adam", "learning_rate": 0.02, "epochs": 5, "seed": 0,
                  "device": "cpu", "check_every": 5}}


def _report(folder, epochs: int, check_every: int):
    """A finished report of one compare row: a plain and a k-sparse autoencoder (8-D codes) and a
    2-D VAE, trained `epochs` epochs, drawn with the three figures."""
    base = {**BASE, "train": {**BASE["train"], "epochs": epochs, "check_every": check_every}}
    (folder / "kinds.json").write_text(json.dumps({
        "analysis": "compare", "name": "tiny kinds", "base": base, "test": "none",
        "runs": [{"label": "plain", "changes": {}},
                 {"label": "sparse, k-sparse code (k = 2)", "changes": {"model": {"kind": "sparse", "sparsity": "topk",
                                                                                  "sparsity_k": 2}}},
                 {"label": "VAE 2-D", "changes": {"model": {"kind": "vae", "layers": [35, 16, 2, 16, 35]}}}]}))
    path = folder / "999.json"
    path.write_text(json.dumps({"document": "999_test.txt", "id": "999", "title": "T", "about": "Tiny.",
                                "experiments": [{"id": "kinds", "title": "Kinds", "preset": "kinds.json",
                                                 "document": "The pictures.",
                                                 "figures": ["traversal", "filter", "active_units"],
                                                 "options": {"traversal": {"dim": 1, "from": -63.0, "to": 27.2,
                                                                           "steps": 25},
                                                             "filters": {"count": 4, "size": 2, "show": 1},
                                                             "active_share": 0.1}}]}))
    out = folder / "out"
    last = list(R.ReportJob(R.load_report(path), out).steps())[-1]
    assert last.state == "finished"
    return json.loads((out / "999-kinds" / "done.json").read_text()), out / "999-kinds"


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """The three models trained (each run's health says so)."""
    done, folder = _report(tmp_path_factory.mktemp("pictures"), 60, 20)
    assert all(h["ok"] for h in done["health"]), done["health"]
    return done, folder


def test_models_that_did_not_train_are_drawn_said_so_and_measure_nothing(tmp_path):
    """After 5 epochs the k-sparse autoencoder and the VAE are no better than the mean picture:
    the three figures are drawn all the same (a failed run is shown, never dropped), and their
    numbers are None with the sentence saying why, as every model measure of a failed label."""
    done, folder = _report(tmp_path, 5, 5)
    dead = {h["label"] for h in done["health"] if not h["ok"]}
    assert dead == {"sparse, k-sparse code (k = 2)", "VAE 2-D"}, done["health"]
    assert all((folder / f).is_file() for f in ("traversal.png", "filter.png", "active_units.png"))
    vae = done["measured"]["models"]["VAE 2-D"]
    assert vae["code_span"] is None and vae["runs"] == 0 and vae["failed"].startswith("VAE 2-D did not train")
    sparse = done["measured"]["models"]["sparse, k-sparse code (k = 2)"]
    assert sparse["active_fraction"] is None and sparse["filter_knn5"] is None and sparse["runs"] == 0
    assert 0 < done["measured"]["models"]["plain"]["active_fraction"] <= 1


def test_the_traversal_decodes_the_documents_range_and_measures_where_the_codes_lie(finished):
    done, folder = finished
    assert "traversal.png" in done["files"] and (folder / "traversal.png").is_file()
    vae = done["measured"]["models"]["VAE 2-D"]
    assert vae["traversal"] == {"dim": 1, "at": 0.0, "from": -63.0, "to": 27.2, "steps": 25, "frame_change": 0.01}
    assert vae["code_lo"] <= vae["code_hi"] and vae["code_span"] == pytest.approx(vae["code_hi"] - vae["code_lo"])
    assert 0 <= vae["traversal_inside"] <= 25 and 0 <= vae["traversal_changes"] <= 24
    assert "traversal" not in done["measured"]["models"]["plain"]          # an 8-D code is not traversed


def test_one_filter_of_a_code_is_drawn_and_every_filter_is_measured(finished):
    done, folder = finished
    assert (folder / "filter.png").is_file()
    for label in ("plain", "sparse, k-sparse code (k = 2)"):        # 8 values: 4 filters of 2
        m = done["measured"]["models"][label]
        assert 0 <= m["filter_knn5"] <= 1 and m["filter_knn5_median"] <= m["filter_knn5_best"] <= 1
        assert 0 <= m["code_knn5"] <= 1
    assert "filter_knn5" not in done["measured"]["models"]["VAE 2-D"]


def test_active_units_are_a_share_of_the_code_and_the_k_sparse_code_keeps_at_most_k(finished):
    done, folder = finished
    assert (folder / "active_units.png").is_file()
    models = done["measured"]["models"]
    assert models["sparse, k-sparse code (k = 2)"]["active_fraction"] <= 2 / 8 + 1e-9
    assert models["sparse, k-sparse code (k = 2)"]["active_share_threshold"] == 0.1
    assert 0 < models["plain"]["active_fraction"] <= 1


def _m(mean: dict, std=0.0, runs=3, **more):
    return {"runs": runs, **more, **mean, **{f"{k}_std": std for k in mean}}


def _traversal_row(span, lo, std=0.5, runs=3):
    return _m({"code_span": span, "code_lo": lo, "code_hi": lo + span, "traversal_inside": 2, "traversal_changes": 3},
              std, runs, traversal={"dim": 1, "from": -63.0, "to": 27.2, "steps": 25})


def test_the_traversal_finding_sets_the_codes_span_against_the_documents_90_units():
    from aegui.core.analyses.report.verdicts.checks_vae import c000_traversal
    near = c000_traversal({"models": {"latent 2": _traversal_row(80.0, -55.0)}})[0]
    assert near["agrees"] is True, near
    narrow = c000_traversal({"models": {"latent 2": _traversal_row(4.0, -2.0)}})[0]
    assert narrow["agrees"] is False and "span of 4" in narrow["measured"], narrow
    one = c000_traversal({"models": {"latent 2": _traversal_row(4.0, -2.0, runs=1)}})[0]
    assert one["agrees"] is None and "1 seed, 3 needed" in one["measured"], one
    assert c000_traversal({"models": {}})[0]["agrees"] is None
    # The row's check keeps its own findings and adds this one.
    rows = [{"label": f"latent {n}", "runs": 3, "final_train_loss": 30.0, "final_train_loss_std": 1.0,
             "final_test_loss": 40.0, "final_test_loss_std": 1.0} for n in (1, 2, 4, 64, 128)]
    out = CHECKS["000-vae-latent"]({"runs": rows, "models": {"latent 2": _traversal_row(4.0, -2.0)}})
    assert len(out["findings"]) == 3 and out["findings"][-1]["claim"].startswith("the 2-D VAE's latent traversal")


def _kinds_rows():
    return [{"label": lab} for lab in ("plain autoencoder", "denoising", "sparse, k-sparse code (k = 3)",
                                       "sparse, KL penalty (rho = 0.05)", "contractive", "variational (VAE)")]


def test_the_sparse_finding_compares_active_units_with_the_plain_autoencoder():
    from aegui.core.analyses.report.verdicts.checks_glyphs import c002_active_units
    rows = _kinds_rows()

    def models(plain, topk, kl, std=0.02, runs=3):
        return {"plain autoencoder": _m({"active_fraction": plain}, std, runs, active_share_threshold=0.1),
                "sparse, k-sparse code (k = 3)": _m({"active_fraction": topk}, std, runs),
                "sparse, KL penalty (rho = 0.05)": _m({"active_fraction": kl}, std, runs)}
    few = c002_active_units({"runs": rows, "models": models(0.9, 0.37, 0.3)})[0]
    assert few["agrees"] is True and "at least 0.1 of the sample's largest" in few["measured"], few
    assert c002_active_units({"runs": rows, "models": models(0.8, 0.37, 0.95)})[0]["agrees"] is False
    # 0.95 against 0.9 at a std of 0.02 over 3 seeds is within what the stated test resolves (p = 0.07).
    close = c002_active_units({"runs": rows, "models": models(0.9, 0.37, 0.95)})[0]
    assert close["agrees"] is None and "too close to call" in close["measured"], close
    assert c002_active_units({"runs": rows, "models": models(0.9, 0.37, 0.3, runs=1)})[0]["agrees"] is None
    assert c002_active_units({"runs": rows, "models": {}})[0]["agrees"] is None
    assert c002_active_units({"runs": rows[:2], "models": {}})[0]["agrees"] is None     # no sparse run: not measured


def test_the_filter_finding_sets_one_filter_against_the_fully_connected_code_and_the_whole_code():
    from aegui.core.analyses.report.verdicts.checks_mnist import c004_one_filter
    rows = [{"label": "convolutional AE (bottleneck: 64 filters of 1x2)"}, {"label": "fully connected AE 784-512-2-512-784"},
            {"label": "VAE 784-512-2-512-784"}]

    def m(one, whole, fc, std=0.01, runs=3):
        return {"runs": rows, "models": {
            rows[0]["label"]: _m({"filter_knn5": one, "code_knn5": whole}, std, runs, filter_knn5_median=one,
                                 filter_knn5_best=one + 0.05),
            rows[1]["label"]: _m({"knn5_accuracy": fc}, std, runs)}}
    assert [f["agrees"] for f in c004_one_filter(m(0.3, 0.95, 0.68))] == [True, True]
    assert [f["agrees"] for f in c004_one_filter(m(0.8, 0.7, 0.68))] == [False, False]
    assert [f["agrees"] for f in c004_one_filter(m(0.3, 0.95, 0.68, runs=1))] == [None, None]
    assert c004_one_filter({"runs": rows, "models": {}})[0]["agrees"] is None


def test_the_report_rows_ask_for_the_three_pictures():
    """The course rows that show the pictures draw them, with the document's own numbers."""
    specs = {f"{s.id}-{e.id}": e for s in R.load_report("all") for e in s.experiments}
    vae = specs["000-vae-latent"]
    assert "traversal" in vae.figures and vae.options["traversal"]["from"] == -63.0
    assert vae.options["traversal"]["to"] == 27.2 and vae.options["traversal"]["steps"] == 25
    assert "filter" in specs["004-latent"].figures and specs["004-latent"].options["filters"]["count"] == 64
    assert "active_units" in specs["002-model-kinds"].figures
    assert np.isclose(specs["002-model-kinds"].options["active_share"], 0.1)
