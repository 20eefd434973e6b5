"""The components a report row's key covers (report/uses.py, read from its preset without
importing anything) include what its runs actually use. Where the loop is a judgement (the dense
numpy loop alone: dense.usable() also weighs the work of a step, which the preset does not say),
the shipped rows are run for one epoch per training with the loops wrapped to note which loop
trained which experiment: each loop, model kind, architecture, optimizer, data source, noise and
augmentation seen must be among the row's components. Elsewhere the key includes the eager loop
whenever the dense loop is not certain, and every value a setting takes."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from aegui.core.analyses.report import run as R
from aegui.core.analyses.report import uses
from aegui.core.analyses.report.numerics import BY_NAME

from core_helpers import ROOT
from numerics_runs import training_components

@pytest.fixture
def recorded(monkeypatch):
    """[(component names, experiment)] of every training started while it is in use; each one
    trains a single epoch."""
    from aegui.core.train.backends.capture import CapturedBackend
    from aegui.core.train.backends.dense import DenseBackend
    from aegui.core.train.backends.eager import EagerBackend
    from aegui.core.train.backends.scipy_opt import ScipyBackend
    seen = []

    def wrap(loop: str, backend):
        # The session makes its backend just before the loop runs (and reads train.epochs).
        made = backend.__init__

        def one_epoch(self, s):
            seen.append((training_components(loop, s.exp), s.exp))
            s.exp = dataclasses.replace(s.exp, train=dataclasses.replace(s.exp.train, epochs=1))
            made(self, s)
        return one_epoch

    for loop, backend in (("eager", EagerBackend), ("scipy", ScipyBackend), ("dense", DenseBackend),
                          ("captured", CapturedBackend)):
        monkeypatch.setattr(backend, "__init__", wrap(loop, backend))
    return seen


def test_every_shipped_row_the_key_gives_the_dense_loop_alone_trains_with_what_its_key_names(recorded):
    from aegui.core.analyses.presets import preset_job, read_preset
    ran = 0
    loops = set()
    for spec in R.load_report("all"):
        for exp in spec.experiments:
            named = uses.components(exp, ROOT)
            if "loop.dense" not in named or "loop.eager" in named:
                continue
            recorded.clear()
            job = preset_job(read_preset(exp.preset))
            for _ in job.steps():
                pass
            assert recorded, f"{spec.id}-{exp.id} trained nothing"
            for used, trained in recorded:
                missing = used - named
                assert not missing, (f"{spec.id}-{exp.id}: {trained.name} trains with {sorted(missing)}, which "
                                     f"report/uses.py leaves out of its key ({sorted(named)})")
                loops |= {u for u in used if u.startswith("loop.")}
            ran += 1
    assert ran >= 6
    assert loops == {"loop.dense"}


def test_a_row_names_only_components_of_the_table_and_its_loop_from_its_settings(tmp_path):
    """uses.components on a few hand-written presets: a full-batch Adam/BCE glyph sweep is the
    dense loop's alone, varying the loss to MSE adds the eager loop, SGD only the eager loop,
    Powell the scipy loop; a denoising kind brings the noise, augmentation its component; a
    compare measuring a validation set keeps the dense loop out."""
    import json

    def named(preset: dict, analysis_figures=(), check="") -> set[str]:
        path = tmp_path / "p.json"
        path.write_text(json.dumps(preset))
        exp = R.ReportExperiment("x", "x", path, "x", tuple(analysis_figures), check)
        got = uses.components(exp, ROOT)
        assert got <= set(BY_NAME)
        return got

    base = {"data": {"fonts": ["Font3"]}, "model": {"kind": "ae", "layers": [35, 8, 2, 8, 35],
                                                    "hidden_activation": "relu"},
            "train": {"loss": "bce", "optimizer": "adam", "epochs": 10, "device": "cpu"}}
    plain = named({"base": base, "vary": {"train.learning_rate": [0.01, 0.1]}})
    assert {"loop.dense", "optimizer.dense-adam", "data.font", "objective.ae", "arch.mlp"} <= plain
    assert not plain & {"loop.eager", "loop.scipy", "loop.captured", "noise", "augment", "optimizer.sgd",
                        "optimizer.adam"}
    assert "loop.eager" in named({"base": base, "vary": {"train.loss": ["bce", "mse"]}})
    sgd = named({"base": {**base, "train": {**base["train"], "optimizer": "sgd"}}})
    assert "loop.eager" in sgd and "optimizer.sgd" in sgd and "loop.dense" not in sgd
    powell = named({"base": {**base, "train": {**base["train"], "optimizer": "powell"}}})
    assert "loop.scipy" in powell and not powell & {"loop.dense", "loop.eager", "optimizer.adam"}
    dae = named({"analysis": "compare", "base": base, "test": "none",
                 "runs": [{"label": "dae", "changes": {"model": {"kind": "dae"}}}]})
    assert {"noise", "objective.dae", "objective.ae", "analysis.compare", "loop.dense", "loop.eager"} <= dae
    assert "augment" in named({"base": {**base, "augment": {"enabled": True}}})
    assert "loop.dense" not in named({"analysis": "compare", "base": base, "test": "validation"})
    assert "report.checks-glyphs" in named({"base": base}, check="000-loss")
    assert "analysis.embedding" in named({"base": base}, analysis_figures=("embedding",))


def _cpu_plans(preset: Path, limited: bool) -> list[int]:
    """The sizes of the stacks a shipped comparison or sweep preset trains in on the CPU, with the CPU stacking
    rule (`limited`) or without any limit; a full-batch run's rows are its data's sample count from the files'
    headers (the glyph sets: 32)."""
    from aegui.core.analyses.presets import read_preset
    from aegui.core.train.memory import likely_samples
    from aegui.core.train.stacking import most_side_by_side

    def max_k(exp):
        rows = exp.train.batch_size if exp.train.batch_size > 0 else likely_samples(exp.data)
        return most_side_by_side(exp, rows or 1, "cpu")

    kind = read_preset(preset).kind
    if kind == "compare":
        from aegui.core.analyses.compare.runs import load_spec, plan_stacks
        return [len(s) for s in plan_stacks(load_spec(preset).plans(), max_k if limited else None)]
    from aegui.core.analyses.sweeps.sweep import load_sweep, plan
    return [g.k for g in plan(load_sweep(preset), max_k=max_k if limited else None)]


def test_the_rows_whose_runs_the_cpu_stacking_rule_splits_name_it_and_glyph_rows_do_not():
    """train/stacking.most_side_by_side trains a run whose step alone keeps the CPU busy alone: for every shipped
    report row that compares or sweeps, the stacks with and without the rule differ only where the row's key names
    the rule ("stacking"), so a change to it makes those rows stale. 004's grid search is split (its stacks of 3
    and 12 become 45 runs alone) and the glyph and digit rows, whose steps are tiny, keep their stacks and do not
    name it."""
    from aegui.core.analyses.presets import read_preset
    split, named_rows = set(), set()
    for spec in R.load_report("all"):
        for exp in spec.experiments:
            row = f"{spec.id}-{exp.id}"
            named = "stacking" in uses.components(exp, ROOT)
            if named:
                named_rows.add(row)
            if read_preset(exp.preset).kind not in ("compare", "sweep"):
                continue
            alone, stacked = _cpu_plans(exp.preset, True), _cpu_plans(exp.preset, False)
            if alone != stacked:
                split.add(row)
                assert named, f"{row}: the CPU stacking rule splits its stacks {stacked} into {alone}, but its key " \
                              f"does not name the rule (report/uses.py)"
    assert "004-grid-search" in split and "003-embedding-mnist" in split
    assert not {r for r in named_rows if r.startswith(("000-", "001-", "002-"))}
