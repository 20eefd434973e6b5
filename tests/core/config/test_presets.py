"""The shipped presets say what they reproduce and how long they take on 2 cores;
bench/preset_times.py checks the times on real runs."""
import re

import pytest

from aegui.core.analyses.sweeps import evaluate as sweep_eval
from aegui.core.analyses.presets import list_presets, run_preset
from aegui.core.analyses.sweeps.sweep import load_sweep

from core_helpers import ROOT

PRESETS = list_presets(ROOT / "resources")
BY_STEM = {p.stem: p for p in PRESETS}


def test_every_preset_states_its_time_on_2_cores(capsys):
    rows = [(p.stem, p.kind, p.time_2cores_s) for p in PRESETS]
    with capsys.disabled():
        print("\npreset, kind, stated time on 2 cores (s):")
        for row in rows:
            print("  %-42s %-16s %s" % row)
    assert len(rows) >= 15
    for p in PRESETS:
        assert isinstance(p.time_2cores_s, (int, float)) and p.time_2cores_s > 0, p.stem
        stated = re.search(r"Time on 2 cores: about (\d+) s", p.description)
        assert stated and int(stated.group(1)) == p.time_2cores_s, p.stem


def test_presets_named_after_a_report_say_how_faithful_they_are():
    named = [p for p in PRESETS if "seed-0" in p.name]
    assert {p.stem for p in named} >= {"seed001-architectures", "seed001-architectures-per-font", "scipy-optimizers",
                                       "seed004-conv-vs-linear", "classifier-mnist"}
    for p in named:
        assert "report" in p.description or "lecture" in p.description, p.stem
    for p in PRESETS:
        if p.quick:
            faithful = BY_STEM[p.stem[: -len("-quick")]]
            assert "instead of" in p.description and "quick" in p.name.lower()
            assert p.time_2cores_s < faithful.time_2cores_s
            assert f"{p.stem}.json" in faithful.description


def layers_of(sweep):
    return {"-".join(map(str, v)) for v in sweep.vary["model.layers"]}


SIX = {"35-2", "35-17-2", "35-17-8-2", "35-25-17-2", "35-17-8-4-2", "35-25-17-8-4-2"}


@pytest.mark.parametrize("stem", ["seed001-architectures", "seed001-architectures-per-font"])
def test_the_seed001_presets_use_the_reports_architectures_epochs_rate_and_runs(stem):
    sweep = load_sweep(BY_STEM[stem].path)
    assert layers_of(sweep) == SIX and sweep.base.model.mirror
    t = sweep.base.train
    assert (t.epochs, t.learning_rate, sweep.seeds) == (150, 0.05, 5)
    assert sweep.vary["train.optimizer"] == ["sgd", "momentum"]


def test_the_longer_architecture_sweep_is_named_as_aegui_s_own():
    info = BY_STEM["architectures-3000-epochs"]
    sweep = load_sweep(info.path)
    assert "aegui's own" in info.description and not info.name.startswith("seed-001:")
    assert sweep.base.train.epochs == 3000 and layers_of(sweep) == {"35-25-17-2", "35-17-8-4-2", "35-2"}


def test_the_scipy_preset_runs_the_reports_20_iterations_and_says_so():
    for stem in ("scipy-optimizers", "scipy-optimizers-quick"):
        sweep = load_sweep(BY_STEM[stem].path)
        assert sweep.base.train.epochs == 20
        for label in sweep.labels["train.optimizer"]:
            assert re.search(r"\((\d+) (iterations|epochs)\)", label).group(1) == "20", label


def test_the_training_fraction_preset_measures_the_held_out_glyphs():
    info = BY_STEM["training-fraction"]
    sweep = load_sweep(info.path)
    assert sweep.vary["data.val_split"] == [0.7, 0.5, 0.3]
    assert {"heldout_max_wrong", "heldout_mean_wrong"} <= set(sweep_eval.metric_names(sweep))
    seconds, result = run_preset(info, epochs=60, seeds=1)
    rows = result.summaries()
    assert len(rows) == 9 and all(r["heldout_mean_wrong_mean"] > 0 for r in rows)
