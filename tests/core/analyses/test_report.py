"""`aegui report`: a course document's experiments run from their presets, written as an HTML page
and a Markdown table with each figure beside what the document reports; resumable (finished
experiments are not run again), cancellable, and an experiment whose data is missing waits for
it. The shipped report files name existing presets and checks; names resolve the way a student
types them. Tiny presets keep it fast."""
import json
import os
from dataclasses import replace
from pathlib import Path
import re

import numpy as np
import pytest

from aegui.core.analyses.report import run as R
from aegui.core.analyses.report.verdicts.checks import CHECKS
from aegui.core.schema.experiment import ConfigError

from core_helpers import ROOT, run_cli


GLYPH_BASE = {"name": "tiny", "data": {"fonts": ["Font3"]},
              "model": {"kind": "ae", "layers": [35, 16, 2, 16, 35], "init": "xavier"},
              "train": {"loss": "bce", "optimizer": "adam", "learning_rate": 0.02, "epochs": 30, "seed": 0,
                        "device": "cpu", "check_every": 10}}


def tiny_report(tmp_path, extra=()):
    """A report of three tiny experiments (a sweep, a compare with every model figure, a
    compare on the 8x8 digits with a held-out part), written in tmp_path."""
    (tmp_path / "sweep.json").write_text(json.dumps({
        "name": "tiny sweep", "base": GLYPH_BASE, "vary": {"train.learning_rate": [0.01, 0.03]}, "seeds": 2,
        "description": "tiny. Time on 2 cores: about 5 s.", "time_2cores_s": 5}))
    (tmp_path / "glyphs.json").write_text(json.dumps({
        "analysis": "compare", "name": "tiny compare", "base": GLYPH_BASE, "test": "none",
        "runs": [{"label": "plain", "changes": {}},
                 {"label": "denoising", "changes": {"model": {"kind": "dae"}, "noise": {"level": 0.1}}}]}))
    (tmp_path / "digits.json").write_text(json.dumps({
        "analysis": "compare", "name": "tiny digits", "test": "validation",
        "base": {"name": "digits", "data": {"source": "digits", "val_split": 0.2, "max_samples": 300},
                 "model": {"kind": "vae", "layers": [64, 32, 2, 32, 64]},
                 "train": {"optimizer": "adam", "learning_rate": 0.01, "epochs": 8, "batch_size": 64, "seed": 0,
                           "device": "cpu", "check_every": 2}}}))
    experiments = [
        {"id": "sweep", "title": "A sweep", "preset": "sweep.json", "document": "The doc's sweep figure.",
         "figures": ["curves", "bars", "wrong_curves"]},
        {"id": "glyphs", "title": "Glyph models", "preset": "glyphs.json", "document": "The doc's glyph figure.",
         "figures": ["curves", "latent", "reconstructions", "sample", "interpolate", "denoise", "decode_grid"],
         "options": {"interpolate": [["a", "z"]], "repeats": 3}},
        {"id": "digits", "title": "Digit VAE", "preset": "digits.json", "document": "The doc's digit figure.",
         "figures": ["curves", "latent", "decode_grid", "embedding"], "options": {"max_points": 60}},
        *extra]
    path = tmp_path / "999.json"
    path.write_text(json.dumps({"document": "999_test.txt", "id": "999", "title": "A test document",
                                "about": "Tiny experiments.", "experiments": experiments}))
    return path


def test_report_writes_the_page_and_resumes_without_running_again(tmp_path, capsys):
    path = tiny_report(tmp_path)
    out = tmp_path / "out"
    md = tmp_path / "docs" / "course.md"
    assert run_cli(["report", path, "--out", out, "--markdown", md, "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [e["state"] for e in summary["experiments"]] == ["done"] * 3
    page = (out / "index.html").read_text()
    for title, figure in (("A sweep", "curves.png"), ("Glyph models", "interpolate.png"), ("Digit VAE", "embedding.png")):
        assert title in page and figure in page
    for name in ("999-sweep/curves.png", "999-glyphs/latent.png", "999-glyphs/denoise.png", "999-digits/decode_grid.png"):
        assert (out / name).stat().st_size > 1000, name
    done = json.loads((out / "999-glyphs" / "done.json").read_text())
    assert done["seconds"] > 0 and done["cores"] and "load_before" in done
    assert done["measured"]["models"]["denoising"]["denoised_wrong"] >= 0
    # Each seed's own numbers are kept beside the means, by seed, for the verdicts that pair seeds.
    plain = done["measured"]["models"]["plain"]["per_seed"]
    assert plain["seed"] == [0] and len(plain["recon_mse"]) == 1 and plain["recon_mse"][0] >= 0
    assert list(done["measured"]["models"]["denoising"]["per_sample_per_seed"]["a"]) == [
        done["measured"]["models"]["denoising"]["per_sample"]["a"]]
    sweep = json.loads((out / "999-sweep" / "done.json").read_text())["measured"]["configs"][0]
    assert sweep["per_seed"]["seed"] == [0, 1]
    assert np.mean(sweep["per_seed"]["final_loss"]) == pytest.approx(sweep["final_loss_mean"])
    digits = json.loads((out / "999-digits" / "done.json").read_text())["measured"]["runs"][0]
    # Over the runs that count (report/health.py): the tiny VAE may not, and then keeps none.
    assert len(digits["per_seed"]["seed"]) == len(digits["seed_test_curves"]) == digits["runs"]
    assert all(c == digits["test_curve"] for c in digits["seed_test_curves"])
    # The Markdown's picture links point at the figures from where the .md lives.
    text = md.read_text()
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)
    assert len(links) == 3 and all((md.parent / link).is_file() for link in links)
    assert "The doc's glyph figure." in text
    # Again: nothing is trained; --rerun runs one experiment again.
    before = (out / "999-sweep" / "done.json").stat().st_mtime_ns
    assert run_cli(["report", path, "--out", out]) == 0
    err = capsys.readouterr().err
    assert err.count("already done") == 3
    assert (out / "999-sweep" / "done.json").stat().st_mtime_ns == before
    assert run_cli(["report", path, "--out", out, "--rerun", "glyphs", "--quiet"]) == 0
    assert json.loads((out / "999-glyphs" / "done.json").read_text())["resumed"]   # its runs came from disk


def test_a_changed_preset_runs_again_and_cancel_keeps_what_finished(tmp_path):
    path = tiny_report(tmp_path)
    out = tmp_path / "out"
    job = R.ReportJob(R.load_report(path), out)
    states, items = [], []
    for p in job.steps():
        states.append(p.state)
        items.append(p)
        if p.state == "experiment_done":
            job.cancel()
    assert states.count("experiment_done") == 1 and states[-1] == "cancelled"
    # The last item says how far the report got (one experiment of three), not 1: a progress bar
    # drawn from it read as finished.
    assert items[-1].fraction == items[-2].fraction == 1 / 3
    assert (out / "999-sweep" / "done.json").is_file() and not (out / "999-glyphs" / "done.json").exists()
    assert "not run" in (out / "report.md").read_text()
    # Editing the sweep's preset makes its result stale; the others run for the first time.
    raw = json.loads((tmp_path / "sweep.json").read_text())
    raw["seeds"] = 1
    (tmp_path / "sweep.json").write_text(json.dumps(raw))
    job = R.ReportJob(R.load_report(path), out)
    states = [p.state for p in job.steps()]
    assert states.count("experiment_done") == 3 and "skipped" not in states


def test_an_experiment_whose_data_is_missing_waits_and_the_rest_run(tmp_path, capsys):
    (tmp_path / "fashion.json").write_text(json.dumps({
        "analysis": "compare", "name": "needs fashion", "test": "official",
        "base": {"name": "f", "data": {"source": "idx", "catalogue": "fashion-mnist"},
                 "model": {"layers": [784, 8, 784]}, "train": {"epochs": 1, "device": "cpu"}}}))
    path = tiny_report(tmp_path, [{"id": "fashion", "title": "Fashion", "preset": "fashion.json",
                                   "document": "0.93 on Fashion-MNIST."}])
    out = tmp_path / "out"
    assert run_cli(["report", path, "--out", out, "--only", "sweep,fashion", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [e["state"] for e in summary["experiments"]] == ["done", "waiting for data"]
    page = (out / "index.html").read_text()
    assert "waiting for its data" in page and "aegui data fetch fashion-mnist" in page


def test_a_stale_row_whose_new_run_waits_for_data_keeps_its_older_run(tmp_path, capsys, monkeypatch):
    """A row made before, whose preset then changed, and whose data is gone when it is made again
    (MNIST not registered on this machine): its older run stays (done.json, figures and saved
    runs), listed as stale with why the new one waits; once the data is back it is made again."""
    path = tiny_report(tmp_path)
    out = tmp_path / "out"
    assert run_cli(["report", path, "--out", out, "--only", "sweep", "--quiet"]) == 0
    folder = out / "999-sweep"
    older = json.loads((folder / "done.json").read_text())
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    preset = json.loads((tmp_path / "sweep.json").read_text())
    preset["vary"]["train.learning_rate"] = [0.01, 0.04]       # the row's key moves: it is stale
    (tmp_path / "sweep.json").write_text(json.dumps(preset))
    monkeypatch.setattr(R, "needed_data", lambda exp: "needs mnist, which is not on this machine")
    capsys.readouterr()
    assert run_cli(["report", path, "--out", out, "--only", "sweep", "--quiet"]) == 0
    assert json.loads((folder / "done.json").read_text()) == older
    assert sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file()) == sorted([*files, Path("waiting.json")])
    job = R.ReportJob(R.load_report(path), out, only=("sweep",))
    state, record = job.state(*job.todo()[0])
    assert state == "stale" and record["key"] == older["key"]
    assert "waits for its data: needs mnist" in record["reason"]
    assert "0.03" in (out / "index.html").read_text()          # the older run's sweep is still on the page
    monkeypatch.undo()
    assert run_cli(["report", path, "--out", out, "--only", "sweep", "--quiet"]) == 0
    assert job.state(*job.todo()[0])[0] == "done" and not (folder / "waiting.json").exists()
    assert json.loads((folder / "done.json").read_text())["key"] != older["key"]


def test_names_resolve_like_a_student_types_them(tmp_path):
    one = R.reports_dir() / "001.json"
    for name in ("001", "seed-001", "SEED_001", "001_dbabd43b1e3a834f.txt", "/some/where/001_dbabd43b1e3a834f.txt"):
        assert R.resolve(name) == [one], name
    assert len(R.resolve("all")) == 5
    with pytest.raises(ConfigError) as e:
        R.resolve("007")
    assert "000" in str(e.value) and "all" in str(e.value)
    with pytest.raises(ConfigError):
        R.ReportJob(R.load_report("001"), tmp_path, only=("no-such-experiment",))


def test_every_document_has_its_report_and_every_entry_names_a_real_preset_and_check():
    seeds = ["000", "001", "002", "003", "004"]
    specs = R.load_report("all")
    assert [s.id for s in specs] == seeds
    from aegui.core.analyses.presets import preset_job, read_preset
    for spec in specs:
        assert spec.experiments and spec.document.startswith(spec.id + "_")
        for exp in spec.experiments:
            info = read_preset(exp.preset)
            assert info.kind in ("sweep", "compare", "classifier"), exp.preset
            assert not exp.check or exp.check in CHECKS, exp.check
            assert re.search(r"Time on 2 cores: about \d+ s", info.description), exp.preset
            if "catalogue" not in exp.preset.read_text():
                preset_job(info)        # every run validated (what a typo would break)


@pytest.mark.parametrize("preset", ["sweeps/activations.json", "analyses/denoising-curve.json",
                                    "analyses/probe-digits.json", "analyses/seed000-final.json", "classifier"])
def test_a_preset_job_of_every_kind_trains_on_the_device_it_is_given(preset, tmp_path):
    """bench/gpu_report_rows.py times the report's rows on a GPU by the jobs the report runs: each kind's
    job holds the device its trainings are started on, and none where none is given (each job then
    chooses, as a user's run does). The classifier is a tiny one on a few MNIST-shaped samples: the
    shipped one needs MNIST."""
    from aegui.core.analyses.presets import preset_job, read_preset
    if preset == "classifier":
        from test_classifier_seeds import raw_spec, tiny_mnist
        path = tmp_path / "classifier.json"
        path.write_text(json.dumps(raw_spec(tiny_mnist(tmp_path / "data"), seeds=2)))
    else:
        path = ROOT / "resources" / preset
    info = read_preset(path)
    assert preset_job(info, device="cuda:1").device == "cuda:1"
    assert preset_job(info).device is None


def test_checks_read_the_measured_numbers():
    """The seed-001 check says where aegui differs from the report, from numbers alone (5 seeds, each
    gap wider than the spread)."""
    def row(layers, opt, loss):
        return {"label": f"layers={layers}, optimizer={opt}", "model.layers": layers, "train.optimizer": opt,
                "final_loss_mean": loss, "final_loss_std": 0.0002, "n_runs": 5}
    losses = {"35-2": (0.16, 0.12), "35-17-2": (0.15, 0.08), "35-17-8-2": (0.153, 0.09),
              "35-25-17-2": (0.14, 0.07), "35-17-8-4-2": (0.162, 0.11), "35-25-17-8-4-2": (0.163, 0.10)}
    m = {"configs": [row(a, "sgd", s) for a, (s, _) in losses.items()] +
                    [row(a, "momentum", w) for a, (_, w) in losses.items()]}
    out = CHECKS["001-architectures"](m)
    agrees = [f["agrees"] for f in out["findings"]]
    assert agrees == [True, True, True, False]
    assert "35-2" in out["differs"]


def test_classification_report_matches_scikit_learn():
    from sklearn.metrics import precision_recall_fscore_support
    from aegui.core.analyses.classify.classifier import classification_report, report_text
    rng = np.random.default_rng(0)
    true = rng.integers(0, 4, 400)
    pred = np.where(rng.random(400) < 0.7, true, rng.integers(0, 4, 400))
    pred[pred == 3] = 2                                   # class 3 never predicted: precision 0, as sklearn
    m = np.zeros((4, 4), int)
    np.add.at(m, (true, pred), 1)
    rep = classification_report(m, ["a", "b", "c", "d"])
    p, r, f, s = precision_recall_fscore_support(true, pred, labels=[0, 1, 2, 3], zero_division=0)
    assert np.allclose([c["precision"] for c in rep["classes"]], p)
    assert np.allclose([c["recall"] for c in rep["classes"]], r)
    assert np.allclose([c["f1"] for c in rep["classes"]], f)
    assert [c["support"] for c in rep["classes"]] == s.tolist()
    wp, wr, wf, _ = precision_recall_fscore_support(true, pred, average="weighted", zero_division=0)
    assert np.isclose(rep["weighted"]["f1"], wf) and np.isclose(rep["accuracy"], (true == pred).mean())
    assert "macro avg" in report_text(rep) and "support" in report_text(rep)


def test_a_row_made_again_with_other_kernels_states_how_far_it_moved(tmp_path):
    """report/kernels.py makes a finished row again with another CPU's kernels and measures how
    far its numbers moved: a row of a few dozen steps moves by less than its stated tolerance, the
    same row with a number of its done.json changed by 30 % moves 30 %, and the page says what
    was measured."""
    from aegui.core.analyses.report import kernels as K
    from aegui.core.analyses.report.page import write_pages
    path = tiny_report(tmp_path)
    out = tmp_path / "out"
    assert run_cli(["report", str(path), "--out", out, "--only", "sweep", "--quiet"]) == 0
    found = K.measure(["999-sweep"], out, tmp_path / "scratch", ["compatible"], report=str(path))
    row = found["999-sweep"]
    assert "error" not in row["variants"]["compatible"], row
    assert row["move"] < 0.01 and row["flipped"] == [] and row["health"] == [] and row["tolerance"] == K.stated(row["move"])
    assert row["kernels"] == ["COMPATIBLE"] and row["variants"]["compatible"]["switches"] == K.VARIANTS["compatible"]

    remade = tmp_path / "scratch" / "compatible" / "999-sweep"
    done = json.loads((remade / "done.json").read_text())
    done["measured"]["configs"][0]["final_loss_mean"] *= 1.3
    (remade / "done.json").write_text(json.dumps(done))
    moved = K.row_moves(out / "999-sweep", remade)
    assert abs(moved["move"] - 0.3 / 1.3) < 0.01 and moved["where"] == "measured.configs[0].final_loss_mean"
    assert K.stated(moved["move"]) is None          # past the last step (20 %): no tolerance is stated

    (out / K.RESULTS).write_text(json.dumps(found))
    job = R.ReportJob(R.load_report(path), out, only=("sweep",))
    write_pages(job)
    import html
    page = html.unescape((out / "index.html").read_text())
    assert f"made again with other CPUs' matrix kernels (COMPATIBLE): numbers moved by at most {row['move'] * 100:.2g} %" in page
    assert "verdicts and run health held" in page and "words of a finding" not in page
    # a finding whose words (not only numbers) came out otherwise: no tolerance, and the page says why
    worded = {**row, "tolerance": None, "variants": {"compatible": {**row["variants"]["compatible"],
                                                                    "words": ["findings[0].measured: ..."]}}}
    (out / K.RESULTS).write_text(json.dumps({"999-sweep": worded}))
    write_pages(job)
    page = html.unescape((out / "index.html").read_text())
    assert ("verdicts and run health held; the words of a finding changed; no tolerance is stated: its numbers "
            "hold, but a finding's words do not") in page
    # numbers past the last step: the page names the one that moved most, in words
    far = {**row, "move": 0.56, "tolerance": None, "variants": {"compatible": {
        **row["variants"]["compatible"], "move": 0.56, "where": "measured.models.conv.per_seed.filter_knn5[2]",
        "what": "0.252 against 0.111"}}}
    (out / K.RESULTS).write_text(json.dumps({"999-sweep": far}))
    write_pages(job)
    page = html.unescape((out / "index.html").read_text())
    assert ("numbers moved by at most 56 %, verdicts and run health held; no tolerance is stated: rounding carried "
            "on through training moved a number past 20 %; the most moved was one seed's filter knn5 (conv), "
            "0.25 against 0.11)") in page
    # a p-value is shown beside the numbers, not counted in them (it is held by its verdict)
    p_moved = {**row, "move": 0.07, "p_move": 0.41, "tolerance": 0.1, "variants": {"compatible": {
        **row["variants"]["compatible"], "move": 0.07, "p_move": 0.41, "p_where": "findings[2].measured.p",
        "p_what": "0.0036 against 0.0021 (in 'final test loss ...')"}}}
    (out / K.RESULTS).write_text(json.dumps({"999-sweep": p_moved}))
    write_pages(job)
    page = html.unescape((out / "index.html").read_text())
    assert ("numbers moved by at most 7 %, p-values by up to 41 % (0.0036 against 0.0021), verdicts and run health "
            "held; these numbers would hold within 10 %; its report states no tolerance yet)") in page
    stating = R.ReportJob([replace(spec, experiments=tuple(replace(e, tolerance=0.1) for e in spec.experiments))
                           for spec in R.load_report(path)], out, only=("sweep",))
    write_pages(stating)
    assert "these numbers hold within 10 % (relative), p-values by their verdicts)" in \
        html.unescape((out / "index.html").read_text())
    # a verdict that changed leaves no tolerance, though the numbers held
    (out / K.RESULTS).write_text(json.dumps({"999-sweep": {**p_moved, "tolerance": None, "flipped": [
        {"claim": "c", "here": "agrees", "there": "too close to call", "kernels": ["COMPATIBLE"]}]}}))
    write_pages(job)
    assert "no tolerance is stated: its numbers hold, but a verdict changed)" in \
        html.unescape((out / "index.html").read_text())
    # made again since (another key), the row is no longer the run that was measured
    (out / K.RESULTS).write_text(json.dumps({"999-sweep": {**row, "key": "0" * 16}}))
    write_pages(job)
    assert "other CPUs' matrix kernels" not in html.unescape((out / "index.html").read_text())


def test_a_rows_p_values_move_apart_from_its_numbers(tmp_path):
    """A row made again whose loss moved 4 % and whose p-value halved (the same verdict): its
    tolerance is the loss's move, and the p-value's move is recorded beside it, named; a verdict
    that changed is still a change of words, not a move."""
    from aegui.core.analyses.report import kernels as K
    def row(folder, loss, p, agrees=True):
        folder.mkdir()
        (folder / "done.json").write_text(json.dumps({"key": "k", "measured": {"loss": loss}, "findings": [
            {"claim": "c", "measured": f"loss {loss} (paired t, 5 seeds: p = {p})", "agrees": agrees, "p": p}]}))
        return folder
    committed, remade = row(tmp_path / "a", 0.5, 0.004), row(tmp_path / "b", 0.52, 0.002)
    moved = K.row_moves(committed, remade)
    assert abs(moved["move"] - 0.02 / 0.52) < 1e-9 and moved["where"] in ("measured.loss", "findings[0].measured")
    assert K.stated(moved["move"]) == 0.05
    assert moved["p_move"] == 0.5 and moved["p_where"] == "findings[0].p" and moved["words"] == []
    flipped = K.row_moves(committed, row(tmp_path / "c", 0.52, 0.06, agrees=None))
    assert flipped["words"] == ["findings[0].agrees: True against None"] and flipped["flips"]


def test_a_kernel_set_measured_in_another_sitting_joins_the_rows_measurement():
    """A row too long for one sitting is made with one kernel set, then with the other: recording
    the second keeps the first (same key), and the row's move, kernels and tolerance are over both;
    a set that failed now does not replace one measured before; a row made again since (another
    key) starts over."""
    from aegui.core.analyses.report import kernels as K
    def made(move, flips=()):
        return {"move": move, "where": "w", "what": "", "p_move": 0.0, "flips": list(flips), "health": [], "words": []}
    before = K.settle({"key": "k", "variants": {"avx2": made(0.0375)}})
    assert before["tolerance"] == 0.05 and before["kernels"] == ["AVX2"]
    now = K.settle({"key": "k", "variants": {"compatible": made(0.08)}})
    both = K.merged(before, now)
    assert set(both["variants"]) == {"avx2", "compatible"} and both["kernels"] == ["AVX2", "COMPATIBLE"]
    assert both["move"] == 0.08 and both["tolerance"] == 0.1
    flip = {"claim": "c", "here": "agrees", "there": "too close to call"}
    flipped = K.merged(before, K.settle({"key": "k", "variants": {"compatible": made(0.01, [flip])}}))
    assert flipped["tolerance"] is None and flipped["flipped"] == [{**flip, "kernels": ["COMPATIBLE"]}]
    failed = K.merged(both, K.settle({"key": "k", "variants": {"avx2": {"error": "not made (exit 1)"}}}))
    assert failed["variants"]["avx2"] == before["variants"]["avx2"] and failed["tolerance"] == 0.1
    assert K.merged(before, {**now, "key": "other"})["variants"] == {"compatible": made(0.08)}


def test_a_verdict_that_changed_with_another_cpus_kernels_is_not_settled():
    """A finding whose verdict came out otherwise when its row was made again with another CPU's
    kernels is shown as too close across CPUs, with both verdicts; the others keep theirs."""
    from aegui.core.analyses.report.drift import flips
    from aegui.core.analyses.report.page import UNSETTLED, _verdict
    here = {"findings": [{"claim": "a", "agrees": True}, {"claim": "b", "agrees": False}]}
    there = {"findings": [{"claim": "a", "agrees": None, "close": True}, {"claim": "b", "agrees": False}]}
    changed = flips(here, there)
    assert changed == [{"claim": "a", "here": "agrees", "there": "too close to call"}]
    measured = {"flipped": [{**changed[0], "kernels": ["AVX2"]}]}
    assert _verdict(here["findings"][0], measured) == \
        f"{UNSETTLED} (agrees with this machine's kernels, too close to call with AVX2's)"
    assert _verdict(here["findings"][1], measured) == "differs"


def test_a_stale_committed_row_is_not_measured_against_this_codes_rounding(tmp_path):
    """Made again with another CPU's kernels, a row whose committed done.json has another key
    (older code) would measure the change of code, not of rounding: it is refused, with why."""
    from aegui.core.analyses.report import kernels as K
    path = tiny_report(tmp_path)
    out = tmp_path / "out"
    assert run_cli(["report", str(path), "--out", out, "--only", "sweep", "--quiet"]) == 0
    done = json.loads((out / "999-sweep" / "done.json").read_text())
    (out / "999-sweep" / "done.json").write_text(json.dumps({**done, "key": "0" * 16}))
    row = K.measure(["999-sweep"], out, tmp_path / "scratch", ["avx2"], report=str(path))["999-sweep"]
    assert "stale" in row["variants"]["avx2"]["error"] and row["move"] is None and row["tolerance"] is None


def test_kernel_sets_can_be_made_at_once(tmp_path, monkeypatch):
    """With jobs=2 the two kernel sets are made at the same time (a row that trains on one core
    leaves the other idle otherwise), and each is compared as when made one after the other: a
    barrier of two parties passes only if both are being made together."""
    import shutil
    import threading
    from aegui.core.analyses.report import kernels as K
    path = tiny_report(tmp_path)
    out = tmp_path / "out"
    assert run_cli(["report", str(path), "--out", out, "--only", "sweep", "--quiet"]) == 0
    both = threading.Barrier(2, timeout=120)

    def made_together(rows, scratch, variant, report="all"):
        both.wait()        # raises BrokenBarrierError when the other set is not being made meanwhile
        shutil.copytree(out / rows[0], scratch / variant / rows[0])
        return 0, ""
    monkeypatch.setattr(K, "make_again", made_together)
    row = K.measure(["999-sweep"], out, tmp_path / "scratch", ["avx2", "compatible"], jobs=2)["999-sweep"]
    assert row["kernels"] == ["AVX2", "COMPATIBLE"] and row["move"] == 0.0 and row["flipped"] == []
    # each set's time is the row's own, as its report recorded it
    own = round(json.loads((out / "999-sweep" / "done.json").read_text(encoding="utf-8"))["seconds"], 1)
    assert [row["variants"][v]["seconds"] for v in ("avx2", "compatible")] == [own, own]
    # made already, --reuse compares them again without making them, and keeps their times
    monkeypatch.setattr(K, "make_again", lambda *a, **k: pytest.fail("made again despite reuse"))
    again = K.measure(["999-sweep"], out, tmp_path / "scratch", ["avx2", "compatible"], reuse=True, jobs=2)
    assert again["999-sweep"]["move"] == 0.0 and again["999-sweep"]["tolerance"] == row["tolerance"]
    assert [again["999-sweep"]["variants"][v]["seconds"] for v in ("avx2", "compatible")] == [own, own]


def test_kernel_sets_wait_as_the_command_line_does(monkeypatch):
    """A kernel set's row is made by `aegui report` in a process of its own, whose command line lets
    idle OpenMP threads sleep unless the user chose (test_wait_policy.py): the environment it gets
    adds only the set's switches, so a policy the user chose, OMP_WAIT_POLICY or GOMP_SPINCOUNT,
    reaches it unchanged."""
    from aegui.core.analyses.report.kernels import variant_env
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    assert variant_env("avx2")["MKL_CBWR"] == "AVX2"
    assert "OMP_WAIT_POLICY" not in variant_env("compatible")
    monkeypatch.setenv("GOMP_SPINCOUNT", "10000")
    env = variant_env("avx2")
    assert env["GOMP_SPINCOUNT"] == "10000" and "OMP_WAIT_POLICY" not in env


CONVOLVE = """
import torch
x = torch.randn(8, 16, 28, 28)
torch.nn.functional.conv2d(x, torch.randn(32, 16, 3, 3), padding=1).sum()
"""


@pytest.mark.parametrize("variant, wider", [("avx2", "avx512"), ("compatible", "avx")])
def test_each_kernel_set_switches_the_convolutions_too(variant, wider):
    """torch's convolutions run in oneDNN, which picks its kernels apart from MKL: under a kernel set
    the convolution's oneDNN kernel (its verbose log names it) uses no wider instructions than
    the set's. Without oneDNN's switch an AVX-512 machine kept its AVX-512 convolutions under
    "AVX2", and 004's convolutional rows came out the same to the bit."""
    import subprocess
    import sys
    from aegui.core.analyses.report.kernels import VARIANTS
    env = {**os.environ, **VARIANTS[variant], "ONEDNN_VERBOSE": "1"}
    done = subprocess.run([sys.executable, "-c", CONVOLVE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kernels = [line.split(",")[6] for line in done.stdout.splitlines()
               if line.startswith("onednn_verbose") and ",exec,cpu,convolution," in line]
    assert kernels, f"no convolution ran in oneDNN:\n{done.stdout[-2000:]}"
    assert not [k for k in kernels if wider in k], kernels
