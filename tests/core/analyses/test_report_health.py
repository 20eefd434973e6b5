"""The course report keeps its failed runs in sight: a run that diverged (or a dead model, or one
that did not learn) is tabled with why (runs.csv's health column, done.json's `health`), drawn
where it stopped, and left out of its variant's means, which say so ("1 of 3 seeds; seed 0
diverged at epoch 5"); a variant none of whose runs trained says so in words, never "n/a ± 0",
and a claim resting on it is not comparable, unless the row's spec says the document means it to
fail (`expected_failure`). Tiny presets on the 5x7 glyphs: SGD at learning rate 1000 diverges at
once in every seed, at 4 in some seeds, Adam at 0.01 trains."""
import csv
import json

from aegui.core.analyses.report import run as R
from aegui.core.analyses.report.verdicts.checks import CHECKS

BASE = {"name": "tiny", "data": {"fonts": ["Font3"]},
        "model": {"kind": "ae", "layers": [35, 16, 2, 16, 35], "init": "xavier", "output_activation": "identity"},
        "train": {"loss": "mse", "optimizer": "adam", "learning_rate": 0.01, "epochs": 40, "seed": 0, "device": "cpu",
                  "check_every": 5}}


def report(tmp_path, **extra):
    (tmp_path / "wild.json").write_text(json.dumps({
        "analysis": "compare", "name": "tiny wild", "test": "none", "seeds": 3, "base": BASE,
        "runs": [{"label": "calm", "changes": {}},
                 {"label": "edge", "changes": {"train": {"optimizer": "sgd", "learning_rate": 4.0}}},
                 {"label": "wild", "changes": {"train": {"optimizer": "sgd", "learning_rate": 1000.0}}}]}))
    (tmp_path / "sweep.json").write_text(json.dumps({
        "name": "tiny sweep", "base": {**BASE, "train": {**BASE["train"], "optimizer": "sgd"}}, "seeds": 2,
        "vary": {"train.learning_rate": [1.0, 1000.0]}, "time_2cores_s": 5,
        "description": "tiny. Time on 2 cores: about 5 s."}))
    exps = [{"id": "wild", "title": "Wild", "preset": "wild.json", "document": "Calm, edge and wild.",
             "figures": ["curves", "reconstructions"], **extra},
            {"id": "sweep", "title": "Sweep", "preset": "sweep.json", "document": "Two learning rates.",
             "figures": ["curves", "bars"]}]
    path = tmp_path / "998.json"
    path.write_text(json.dumps({"document": "998_test.txt", "id": "998", "title": "Health", "about": "Tiny.",
                                "experiments": exps}))
    out = tmp_path / "out"
    states = [p.state for p in R.ReportJob(R.load_report(path), out).steps()]
    assert states[-1] == "finished" and "failed" not in states, states
    return out


def table(path):
    return list(csv.DictReader(path.open(encoding="utf-8")))


def test_failed_runs_are_tabled_left_out_of_the_means_and_said_in_words(tmp_path):
    out = report(tmp_path)
    rows = table(out / "998-wild" / "runs.csv")
    health = {r["label"]: r["health"] for r in rows}
    assert [health[f"calm, seed {s}"] for s in range(3)] == ["trained"] * 3
    assert [health[f"wild, seed {s}"] for s in range(3)] == ["diverged at epoch 5"] * 3
    edge = [r for r in rows if r["label"].startswith("edge")]
    trained = [r for r in edge if r["health"] == "trained"]
    assert 0 < len(trained) < 3, "the edge learning rate should diverge in some seeds only"
    done = json.loads((out / "998-wild" / "done.json").read_text())
    assert [(h["label"], h["reason"] or "trained") for h in done["health"]] == [(r["label"], r["health"]) for r in rows]
    measured = {m["label"]: m for m in done["measured"]["runs"]}
    # The edge variant's mean is over its trained seeds only, and it says which were left out.
    e = measured["edge"]
    assert e["runs"] == len(trained) and e["seeds"] == 3
    mean = sum(float(r["final_train_loss"]) for r in trained) / len(trained)
    assert abs(e["final_train_loss"] - mean) < 1e-5 * mean       # runs.csv keeps 6 digits
    left = [r for r in edge if r["health"] != "trained"]
    assert e["health_note"].startswith(f"{len(trained)} of 3 seeds; ")
    assert all(f"{r['seed']} {r['health']}" in e["health_note"].replace("seeds ", "").replace("seed ", "") for r in left)
    # A variant none of whose runs trained says so in words, never as a number.
    assert measured["wild"]["failed"] == "wild did not train (no seed trained: all 3 diverged at epoch 5)"
    assert "wild (no seed trained: all 3 diverged at epoch 5)" in done["aegui"]
    assert f"edge ({e['health_note']}): train loss" in done["aegui"]
    page, md = (out / "index.html").read_text(), (out / "report.md").read_text()
    for text in (page, md, json.dumps(done)):
        assert "n/a" not in text
    assert f"<b>Runs:</b> {3 + len(trained)} of 9 runs trained; failed: " in page
    assert "wild, seed 2: diverged at epoch 5" in md and "Every run is checked before it counts" in md


def test_a_sweep_config_that_diverged_is_tabled_and_not_averaged(tmp_path):
    out = report(tmp_path)
    results = {r["label"]: r for r in table(out / "998-sweep" / "results.csv")}
    wild, calm = results["learning_rate=1000"], results["learning_rate=1"]
    assert wild["health"].startswith("no seed trained: all 2 diverged at epoch") and wild["n_runs"] == "0"
    assert calm["health"] == "all runs trained" and calm["n_runs"] == "2"
    runs = table(out / "998-sweep" / "runs.csv")
    assert [r["health"].split(" at ")[0] for r in runs] == ["trained", "trained", "diverged", "diverged"]
    done = json.loads((out / "998-sweep" / "done.json").read_text())
    assert "learning_rate=1000 (no seed trained: all 2 diverged at epoch" in done["aegui"]
    assert "n/a" not in done["aegui"] and [h["ok"] for h in done["health"]] == [True, True, False, False]


def test_a_failure_the_document_expects_counts_and_is_said_as_such(tmp_path):
    out = report(tmp_path, expected_failure=["wild"])
    health = {r["label"]: r["health"] for r in table(out / "998-wild" / "runs.csv")}
    assert health["wild, seed 1"] == "diverged at epoch 5 (as the document expects)"
    done = json.loads((out / "998-wild" / "done.json").read_text())
    wild = next(m for m in done["measured"]["runs"] if m["label"] == "wild")
    assert "failed" not in wild and wild["runs"] == 3
    assert wild["health_note"] == "all 3 seeds counted, failing as the document expects: seeds 0, 1, 2 diverged at epoch 5"
    # The row's key covers what it expects: another expectation is another row.
    spec = R.load_report(tmp_path / "998.json")[0]
    raw = json.loads((tmp_path / "998.json").read_text())
    raw["experiments"][0]["expected_failure"] = ["edge"]
    other = R.spec_from_dict(raw, None, tmp_path)
    assert R.preset_key(spec.experiments[0]) != R.preset_key(other.experiments[0])


def test_a_claim_resting_on_a_model_that_did_not_train_is_not_comparable():
    """004's latent-space check on the numbers the dead convolutional autoencoder gave (5-NN 0.214
    against 0.6): once its runs are known not to have trained, the claim about its clusters is not
    comparable instead of agreeing."""
    dead = "convolutional AE (bottleneck: 64 filters of 1x2) did not train (no seed trained: all 3 dead: ...)"
    models = {
        "convolutional AE (bottleneck: 64 filters of 1x2)": {"knn5_accuracy": None, "runs": 0, "failed": dead,
                                                              "code_mean_norm": None, "code_std": None},
        "fully connected AE 784-512-2-512-784": {"knn5_accuracy": 0.6, "knn5_accuracy_std": 0.01, "runs": 3,
                                                  "code_mean_norm": 9.0, "code_mean_norm_std": 1, "code_std": 5.0,
                                                  "code_std_std": 0.5},
        "VAE 784-512-2-512-784": {"knn5_accuracy": 0.55, "knn5_accuracy_std": 0.01, "runs": 3, "code_mean_norm": 0.1,
                                  "code_mean_norm_std": 0.01, "code_std": 0.9, "code_std_std": 0.01}}
    rows = [{"label": k} for k in models]
    out = CHECKS["004-latent"]({"runs": rows, "models": models})
    clusters = out["findings"][0]
    assert clusters["agrees"] is None and not clusters.get("close")
    assert f"not comparable: {dead}" in clusters["measured"] and "convolutional (did not train)" in clusters["measured"]
    assert out["findings"][1]["agrees"] is True           # the VAE's claim rests on models that trained
    assert "n/a" not in out["aegui"]


def test_the_configuration_meant_to_fail_agrees_when_every_seed_failed():
    """000's 'bad' VAE: its failure is the claim. Two seeds that output the mean picture and one that
    diverged agree with "does not converge"; a reference that did not train makes the collapse claim
    not comparable."""
    dead = {"ok": False, "reason": "dead: no better than the constant predictor", "expected": True}
    bad = {"label": "bad: latent 2", "runs": 3, "final_train_loss": 27.9, "final_train_loss_std": 0.03,
           "seed_health": [dead, dead, {"ok": False, "reason": "diverged at epoch 5", "expected": True}],
           "health_note": "all 3 seeds counted, failing as the document expects: ..."}
    ref = {"label": "reference: latent 4", "runs": 3, "final_train_loss": 30.8, "final_train_loss_std": 10,
           "seed_health": [{"ok": True}] * 3}
    models = {"bad: latent 2": {"output_spread": 0.01, "output_spread_std": 0.001, "runs": 3},
              "reference: latent 4": {"output_spread": 0.8, "output_spread_std": 0.05, "runs": 3}}
    out = CHECKS["000-vae-bad"]({"runs": [bad, ref], "models": models})
    assert [f["agrees"] for f in out["findings"]] == [True, True]
    assert "failed to train in 3 of 3 seeds" in out["findings"][0]["measured"]
    gone = {**ref, "failed": "reference: latent 4 did not train (no seed trained: all 3 diverged at epoch 5)"}
    models["reference: latent 4"] = {"output_spread": None, "runs": 0, "failed": gone["failed"]}
    out = CHECKS["000-vae-bad"]({"runs": [bad, gone], "models": models})
    assert out["findings"][1]["agrees"] is None and "not comparable: reference" in out["findings"][1]["measured"]


def test_the_curves_draw_each_failed_run_where_it_stopped(tmp_path):
    from aegui.core.analyses.compare.runs import load_spec, CompareJob
    from aegui.core.analyses.report import health as H
    from aegui.core.analyses.report.render import _compare_curves, _groups
    report_dir = tmp_path / "r"
    report_dir.mkdir()
    report(report_dir)
    result = None
    for p in CompareJob(load_spec(report_dir / "wild.json")).steps():
        result = p.result or result
    healths = H.compare_health(result)
    groups = _groups(result)
    lines = _compare_curves(result.spec, [{"label": k} for k in groups], groups, healths)
    # The three wild seeds diverged at the same check: one line, ending there, marked.
    wild = [c for c in lines if c["label"].startswith("wild")]
    assert [c["label"] for c in wild] == ["wild, seeds 0, 1, 2"]
    assert wild[0]["stopped"] == "diverged at epoch 5" and list(wild[0]["epochs"]) == [5]
    edge = [c for c in lines if c["label"].startswith("edge")]
    assert edge[0]["label"].startswith("edge (") and all(c["stopped"].startswith("diverged") for c in edge[1:])
    calm = next(c for c in lines if c["label"] == "calm")
    assert not calm["stopped"] and list(calm["epochs"]) == [5, 10, 15, 20, 25, 30, 35, 40]
    # The means carry a band over their healthy seeds and no cross of a failed seed: a failed run is
    # marked once, on its own line, with why.
    assert len(calm["train_std"]) == 8 and calm["stops"] == [] and edge[0]["stops"] == []
    from aegui.core.analyses.report.figures.curves import compare_figure
    img = compare_figure(lines, test="none", over="the seeds that trained, of 3; a failed run alone")
    crosses = [lab["text"] for lab in img.info["labels"] if lab["kind"] == "cross"]
    failed = [c for c in lines if c["stopped"]]
    assert len(crosses) == len(failed) == 1 + len(edge[1:]), crosses
    assert all(text.startswith("diverged at epoch") for text in crosses)


def test_a_classifier_seed_that_answers_one_class_is_left_out_of_its_stage(tmp_path):
    """A stage's seed whose classifier answers one class for every image (accuracy the class's
    share) is tabled as dead in accuracy-seeds.csv and left out of the stage's mean, which says so."""
    import numpy as np
    from aegui.core.analyses.classify.classifier import ClassifierResult, spec_from_dict
    from aegui.core.analyses.report.render import _classifier
    from test_classifier_seeds import _stage, raw_spec, tiny_mnist
    spec = spec_from_dict(raw_spec(tiny_mnist(tmp_path / "data"), seeds=3))
    seeds = [{"fine-tuned": _stage("fine-tuned", a, a - 0.01, [0.5, 0.4, 0.6])} for a in (0.8, 0.8, 0.5)]
    seeds[2]["fine-tuned"].confusion = np.array([[10, 0], [10, 0]])
    result = ClassifierResult(spec, seeds[0], 30.0, 0.1, 40.0, False, "tiny", seeds)
    out = {"files": [], "tables": [], "measured": {}, "settings": {}}
    _classifier(None, result, tmp_path / "page", out)
    ft = out["measured"]["stages"]["fine-tuned"]
    assert ft["runs"] == 2 and ft["seeds"] == 3 and ft["accuracy"] == 0.8
    assert ft["health_note"] == "2 of 3 seeds; seed 2 dead"
    rows = table(tmp_path / "page" / "accuracy-seeds.csv")
    assert [r["health"] for r in rows[:2]] == ["trained", "trained"]
    assert rows[2]["health"] == ("dead: no better than always answering the most common class (accuracy 0.5000 vs "
                                 "0.5000, 1 class predicted)")
    assert [h["ok"] for h in out["health"]] == [True, True, False]
