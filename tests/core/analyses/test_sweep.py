import csv
import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from aegui.core.schema.experiment import ConfigError
from aegui.core.analyses.sweeps.sweep import Sweep, SweepRunner, epochs_to_target, expand, load_sweep, plan, run_sweep, sweep_from_dict, sweep_from_json, with_overrides
from aegui.core.analyses.sweeps.files import RESULT_STATS, RUN_COLUMNS, write_results
from aegui.core.train.session import TrainingSession

from core_helpers import ROOT, SMALL_LAYERS, small_experiment, run_cli, last_json

SWEEPS = ROOT / "resources" / "sweeps"


def base_dict(**train):
    """A small Font3 experiment as a sweep's inline base (native dict)."""
    exp = small_experiment(train={"epochs": 20, "check_every": 5, "learning_rate": 0.02, **train})
    raw = exp.to_dict()
    raw.pop("schema_version")
    return raw


def make_sweep(vary=None, seeds=2, **extra) -> Sweep:
    train = extra.pop("train", {})
    return sweep_from_dict({"name": "t", "base": base_dict(**train), "vary": vary or {}, "seeds": seeds, **extra})


def read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------- expansion

def test_expand_is_the_cartesian_product_in_order():
    sweep = make_sweep({"model.layers": [[35, 16, 2, 16, 35], [35, 2, 35]],
                        "train.optimizer": ["sgd", "momentum", "adam"],
                        "train.learning_rate": [0.01, 0.1]}, seeds=3)
    configs = expand(sweep)
    assert len(configs) == sweep.n_configs == 12 and sweep.n_runs == 36
    assert [c.index for c in configs] == list(range(12))
    # the last field varies fastest
    assert [c.values["train.learning_rate"] for c in configs[:4]] == [0.01, 0.1, 0.01, 0.1]
    assert [c.values["train.optimizer"] for c in configs[:6]] == ["sgd", "sgd", "momentum", "momentum",
                                                                  "adam", "adam"]
    assert configs[0].values["model.layers"] == (35, 16, 2, 16, 35)
    assert configs[6].values["model.layers"] == (35, 2, 35)
    assert configs[7].label == "layers=35-2-35, optimizer=sgd, learning_rate=0.1"
    exp = configs[7].experiment
    assert exp.model.layers == (35, 2, 35) and exp.train.optimizer == "sgd" and exp.train.learning_rate == 0.1
    assert exp.train.seeds == 3 and exp.train.target_max_wrong is None


def test_labels_and_clashing_short_names():
    sweep = make_sweep({"train.optimizer": ["sgd", "momentum"], "noise.kind": ["bit_flip", "gaussian"],
                        "model.kind": ["ae", "dae"]},
                       labels={"train.optimizer": ["SGD", "SGD + momentum"]})
    labels = [c.label for c in expand(sweep)]
    assert labels[0] == "optimizer=SGD, noise.kind=bit_flip, model.kind=ae"
    assert labels[-1] == "optimizer=SGD + momentum, noise.kind=gaussian, model.kind=dae"


def test_seeds_are_base_seed_plus_i_per_config():
    sweep = make_sweep({"train.learning_rate": [0.01, 0.02]}, seeds=3, train={"seed": 7})
    [group] = plan(sweep)
    assert group.seeds == (7, 8, 9, 7, 8, 9)
    assert group.lrs == (0.01,) * 3 + (0.02,) * 3
    assert group.run_configs == (0, 0, 0, 1, 1, 1)


def test_no_vary_is_one_config_of_n_seeds():
    sweep = make_sweep(seeds=4)
    [config] = expand(sweep)
    assert config.label == "t" and plan(sweep)[0].k == 4


# ---------------------------------------------------------------- grouping

def test_seed_lr_and_init_share_one_session():
    sweep = make_sweep({"train.learning_rate": [0.01, 0.03], "model.init": ["uniform", "xavier", "he"],
                        "train.seed": [0, 100]}, seeds=2)
    groups = plan(sweep)
    assert len(groups) == 1 and groups[0].k == 24
    runner = SweepRunner(sweep)
    result = runner.run()
    assert runner.sessions_started == 1
    assert len(result.runs) == 24 and not result.cancelled
    assert sorted({(r.init, r.learning_rate) for r in result.runs}) == sorted(
        (i, lr) for i in ("uniform", "xavier", "he") for lr in (0.01, 0.03))
    assert {r.seed for r in result.runs} == {0, 1, 100, 101}


def test_layers_and_optimizer_start_separate_sessions():
    sweep = make_sweep({"model.layers": [list(SMALL_LAYERS), [35, 2, 35]], "train.optimizer": ["sgd", "adam"],
                        "train.learning_rate": [0.01, 0.1]}, seeds=1)
    groups = plan(sweep)
    assert len(groups) == 4
    assert [g.configs for g in groups] == [(0, 1), (2, 3), (4, 5), (6, 7)]
    runner = SweepRunner(sweep)
    runner.run()
    assert runner.sessions_started == 4


def test_noise_level_varies_in_separate_groups():
    sweep = make_sweep({"noise.level": [0.0, 0.5]}, seeds=1)
    assert len(plan(sweep)) == 2


def test_a_config_in_a_group_trains_like_its_own_session(font3):
    """Stacking configs together changes nothing for a deterministic autoencoder."""
    sweep = make_sweep({"train.learning_rate": [0.01, 0.05], "model.init": ["xavier", "he"]}, seeds=2)
    result = SweepRunner(sweep, font3).run()
    config = expand(sweep)[3]
    alone = TrainingSession(config.experiment, font3)
    recs = list(alone.steps())
    runs = result.runs_of(3)
    assert [r.seed for r in runs] == [0, 1]
    assert [r.learning_rate for r in runs] == [0.05, 0.05] and {r.init for r in runs} == {"he"}
    np.testing.assert_allclose([r.final_loss for r in runs], recs[-1].loss_per_model, rtol=1e-4)
    np.testing.assert_array_equal([r.final_max_wrong for r in runs], recs[-1].max_wrong_per_model)
    np.testing.assert_allclose(runs[1].history_loss, [r.loss_per_model[1] for r in recs], rtol=1e-4)


def test_grid_cells_differing_in_momentum_train_in_one_session_as_if_alone(font3):
    """Grid cells with the same layers that differ only in momentum and learning rate are
    trained side by side in one stacked session, and each cell's runs come out as its own
    sequential session gives them: same losses, same wrong pixels, epoch by epoch."""
    sweep = make_sweep({"train.momentum": [0.2, 0.8], "train.learning_rate": [0.01, 0.05]}, seeds=2,
                       train={"optimizer": "momentum"})
    runner = SweepRunner(sweep, font3)
    result = runner.run()
    assert runner.sessions_started == 1 and len(result.runs) == 8
    for config in expand(sweep):
        recs = list(TrainingSession(config.experiment, font3).steps())
        runs = result.runs_of(config.index)
        assert [r.seed for r in runs] == [0, 1]
        np.testing.assert_allclose([r.final_loss for r in runs], recs[-1].loss_per_model, rtol=1e-4)
        np.testing.assert_array_equal([r.final_max_wrong for r in runs], recs[-1].max_wrong_per_model)
        for i, run in enumerate(runs):
            np.testing.assert_allclose(run.history_loss, [r.loss_per_model[i] for r in recs], rtol=1e-4)


def test_stacked_seeds_in_mini_batches_see_the_batches_of_their_own_runs(font3):
    """Seeds trained side by side in mini-batches each draw the batch order their run alone
    draws, so every seed's run is the sequential one: losses and wrong pixels epoch by epoch."""
    from dataclasses import replace
    sweep = make_sweep({"train.learning_rate": [0.02, 0.05]}, seeds=3, train={"batch_size": 8, "optimizer": "adam"})
    result = SweepRunner(sweep, font3).run()
    for config in expand(sweep):
        for run in result.runs_of(config.index):
            t = config.experiment.train
            exp = replace(config.experiment, train=replace(t, seed=run.seed, seeds=1))
            recs = list(TrainingSession(exp, font3).steps())
            np.testing.assert_allclose(run.history_loss, [r.loss_per_model[0] for r in recs], rtol=1e-4)
            np.testing.assert_array_equal(run.history_max_wrong, [r.max_wrong_per_model[0] for r in recs])


# ---------------------------------------------------------------- results

def test_epochs_to_target_function():
    epochs = [10, 20, 30, 40]
    assert epochs_to_target(epochs, [9, 5, 3, 0], 3) == 30
    assert epochs_to_target(epochs, [9, 5, 3, 0], 0) == 40
    assert epochs_to_target(epochs, [2, 5, 3, 0], 3) == 10
    assert epochs_to_target(epochs, [9, 5, 4, 4], 3) is None
    assert epochs_to_target(epochs, [9, 5, 3, 0], None) is None


def test_runs_go_to_the_end_and_epochs_to_target_comes_from_history():
    sweep = make_sweep({"train.learning_rate": [0.005, 0.05]}, seeds=3, target_max_wrong=12,
                       train={"epochs": 40})
    result = SweepRunner(sweep).run()
    assert len(result.runs) == 6
    for r in result.runs:
        assert r.epochs == 40 and list(r.history_epochs) == [5, 10, 15, 20, 25, 30, 35, 40]
        hits = [e for e, w in zip(r.history_epochs, r.history_max_wrong) if w <= 12]
        assert r.epochs_to_target == (hits[0] if hits else None)
        assert r.final_max_wrong == r.history_max_wrong[-1]
        assert r.final_loss == pytest.approx(r.history_loss[-1])
    assert any(r.epochs_to_target is not None for r in result.runs)
    row = result.summary(1)
    reached = [r.epochs_to_target for r in result.runs_of(1) if r.epochs_to_target is not None]
    assert row["reached_target"] == len(reached)
    if reached:
        assert row["epochs_to_target_mean"] == pytest.approx(np.mean(reached))


def test_target_defaults_to_the_base_target():
    assert make_sweep(train={"target_max_wrong": 3}).target == 3
    assert make_sweep(train={"target_max_wrong": 3}, target_max_wrong=1).target == 1
    assert make_sweep().target is None


def test_files_columns_and_aggregation_match_numpy(tmp_path):
    sweep = make_sweep({"model.layers": [list(SMALL_LAYERS), [35, 8, 2, 8, 35]],
                        "train.learning_rate": [0.01, 0.05]}, seeds=3, target_max_wrong=15)
    gen = run_sweep(sweep)
    progress = list(gen)
    result = progress[-1].result
    assert progress[-1].state == "finished" and progress[-1].runs_done == 12
    assert [p.group for p in progress if p.state == "group_done"] == [1, 2]
    assert all(0 <= p.fraction <= 1 for p in progress)
    out = write_results(result, tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == ["curves.csv", "histories.csv", "results.csv", "runs.csv",
                                                     "sweep.json"]
    results, runs = read_csv(out / "results.csv"), read_csv(out / "runs.csv")
    assert list(results[0]) == ["config", "label", "model.layers", "train.learning_rate"] + RESULT_STATS \
        + ["n_untrained"]
    assert list(runs[0]) == RUN_COLUMNS + ["health"]
    assert len(results) == 4 and len(runs) == 12
    assert [r["model.layers"] for r in results] == ["35-16-2-16-35"] * 2 + ["35-8-2-8-35"] * 2
    for row in results:
        mine = [r for r in runs if r["config"] == row["config"]]
        assert int(row["n_runs"]) == len(mine) == 3
        for metric in ("final_max_wrong", "final_mean_wrong", "final_loss", "seconds"):
            values = np.array([float(r[metric]) for r in mine])
            assert float(row[f"{metric}_mean"]) == pytest.approx(np.mean(values), rel=1e-9)
            assert float(row[f"{metric}_std"]) == pytest.approx(np.std(values), rel=1e-9, abs=1e-12)  # ddof=0
        reached = np.array([float(r["epochs_to_target"]) for r in mine if r["epochs_to_target"]])
        assert int(row["reached_target"]) == len(reached)
        if len(reached):
            assert float(row["epochs_to_target_mean"]) == pytest.approx(reached.mean())
            assert float(row["epochs_to_target_std"]) == pytest.approx(reached.std(), abs=1e-12)
        else:
            assert row["epochs_to_target_mean"] == "" and row["epochs_to_target_std"] == ""
    curves = read_csv(out / "curves.csv")
    assert list(curves[0]) == ["config", "label", "epoch", "n_runs", "loss_mean", "loss_std", "max_wrong_mean",
                               "max_wrong_std", "mean_wrong_mean", "mean_wrong_std"]
    assert len(curves) == 4 * 4   # 4 configs x checked epochs 5, 10, 15, 20
    hist = read_csv(out / "histories.csv")
    assert len(hist) == 12 * 4
    at = [float(h["max_wrong"]) for h in hist if h["config"] == "2" and h["epoch"] == "10"]
    c = next(c for c in curves if c["config"] == "2" and c["epoch"] == "10")
    assert float(c["max_wrong_mean"]) == pytest.approx(np.mean(at))
    assert float(c["max_wrong_std"]) == pytest.approx(np.std(at), abs=1e-12)
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["cancelled"] is False and meta["runs_done"] == 12 and meta["incomplete_configs"] == []
    assert {"aegui", "numpy", "python", "torch"} <= set(meta["versions"])
    assert "ddof=0" in meta["columns"]["results.csv"]
    assert len(meta["groups"]) == 2 and all(g["seconds"] > 0 for g in meta["groups"])
    again = sweep_from_dict(meta["sweep"])   # the sweep as run reads back
    assert again == sweep


def test_a_diverged_run_is_counted_and_left_out_of_the_means(tmp_path):
    """A run that diverged has NaN outputs, so its wrong pixels measure nothing: averaged in, a
    config whose every run diverged showed 34 ± 1.7 wrong pixels as if it had trained, and one
    with half its seeds diverged a worse mean than its trained seeds had. Its config counts it
    (n_runs, n_diverged) and its means, bands and best-config choice cover the other runs."""
    from dataclasses import replace
    sweep = make_sweep({"train.learning_rate": [1.0, 1000.0]}, seeds=2, train={"optimizer": "sgd"},
                       target_max_wrong=35)
    result = list(run_sweep(sweep))[-1].result
    calm, wild = result.runs_of(0), result.runs_of(1)
    assert not any(r.diverged for r in calm) and all(r.diverged for r in wild)
    assert all(np.isfinite(r.final_max_wrong) for r in wild)    # read from NaN outputs
    row = result.summary(1)
    assert (row["n_runs"], row["n_diverged"], row["reached_target"]) == (2, 2, 0)
    for metric in ("final_max_wrong", "final_mean_wrong", "final_loss", "epochs_to_target"):
        assert np.isnan(row[f"{metric}_mean"]) and np.isnan(row[f"{metric}_std"]), metric
    assert row["seconds_mean"] > 0                              # its time was spent all the same
    assert result.best_config() == 0
    # One config with two trained seeds and two diverged ones: the trained seeds' figures, the
    # diverged counted beside them.
    mixed = replace(result, runs=calm + [replace(r, config=0, run=r.run + 10) for r in wild])
    row = mixed.summary(0)
    assert (row["n_runs"], row["n_diverged"], row["reached_target"]) == (4, 2, 2)
    for metric in ("final_max_wrong", "final_mean_wrong", "final_loss", "epochs_to_target"):
        values = [getattr(r, metric) for r in calm]
        assert row[f"{metric}_mean"] == pytest.approx(np.mean(values)), metric
        assert row[f"{metric}_std"] == pytest.approx(np.std(values), abs=1e-12), metric
    # Bands: a diverged run counts up to its last finite check and no further.
    bands, alone = mixed.curves(0), replace(result, runs=calm).curves(0)
    finite = np.stack([np.isfinite(r.history_loss) for r in wild]).sum(0)
    assert list(bands["n_runs"]) == list(2 + finite)
    after = finite == 0
    assert after.any()
    for name in ("loss", "max_wrong", "mean_wrong"):
        assert np.allclose(bands[f"{name}_mean"][after], alone[f"{name}_mean"][after]), name
        assert np.allclose(bands[f"{name}_std"][after], alone[f"{name}_std"][after]), name
    out = write_results(mixed, tmp_path / "out")
    written = read_csv(out / "results.csv")[0]
    # 20 epochs of SGD leave the calm seeds no better than the majority picture: untrained, not diverged.
    assert (written["n_runs"], written["n_diverged"], written["n_untrained"]) == ("4", "2", "2")
    assert [re.split(" at epoch |: ", r["health"])[0] for r in read_csv(out / "runs.csv")] == \
        ["dead"] * 2 + ["diverged"] * 2
    assert float(written["final_max_wrong_mean"]) == pytest.approx(np.mean([r.final_max_wrong for r in calm]))


def test_a_run_that_did_not_train_is_named_and_counted(tmp_path):
    """The course report's health checks on a sweep's runs: a learning rate of 1e-7 leaves both
    seeds no better than the majority picture (dead), one that learned but whose loss curve is
    made flat did not learn; unlike a diverged run's, their numbers are a real model's and stay
    in the means, and the files say so (results.csv's n_untrained, runs.csv's health). A font that
    can no longer be read leaves the curve check only."""
    from dataclasses import replace
    sweep = make_sweep({"train.learning_rate": [0.02, 1e-7]}, seeds=2, train={"epochs": 400, "check_every": 20})
    result = list(run_sweep(sweep))[-1].result
    assert result.health().failed(0) == {"dead": 0, "did not learn": 0} and result.health().learn_fall(0) == 5
    assert result.health().failed(1) == {"dead": 2, "did not learn": 0}
    row = result.summary(1)
    assert row["final_max_wrong_mean"] == pytest.approx(np.mean([r.final_max_wrong for r in result.runs_of(1)]))
    out = write_results(result, tmp_path / "out")
    assert [r["n_untrained"] for r in read_csv(out / "results.csv")] == ["0", "2"]
    health = [(r["config"], r["health"]) for r in read_csv(out / "runs.csv")]
    assert health[:2] == [("0", "trained")] * 2
    assert [c for c, _ in health[2:]] == ["1", "1"] and all(h.startswith("dead: ") for _, h in health[2:])
    assert "n_untrained" in json.loads((out / "sweep.json").read_text())["columns"]
    good = result.runs_of(0)[0]
    flat = replace(good, history_loss=np.full_like(good.history_loss, good.history_loss[0]))
    changed = replace(result, runs=[flat] + result.runs[1:])
    assert changed.health().failed(0) == {"dead": 0, "did not learn": 1}
    assert changed.health().of[flat.run].reason.startswith("did not learn: its loss did not move")
    gone = replace(sweep.base.data, path=str(tmp_path / "gone.h"))
    lost = replace(changed, configs=[replace(c, experiment=replace(c.experiment, data=gone)) for c in changed.configs])
    assert lost.health().failed(0) == {"dead": 0, "did not learn": 1}
    assert lost.health().failed(1) == {"dead": 0, "did not learn": 2}


def test_sweep_json_round_trip():
    sweep = make_sweep({"model.layers": [list(SMALL_LAYERS)], "train.learning_rate": [1, 0.5]},
                       labels={"train.learning_rate": ["one", "half"]}, target_max_wrong=2)
    assert sweep.vary["train.learning_rate"] == [1.0, 0.5]
    assert sweep_from_json(sweep.to_json()) == sweep


# ---------------------------------------------------------------- cancel

def test_cancel_mid_sweep_keeps_finished_groups(tmp_path):
    sweep = make_sweep({"model.layers": [list(SMALL_LAYERS), [35, 8, 2, 8, 35], [35, 2, 35]]}, seeds=2,
                       train={"epochs": 200})
    runner = SweepRunner(sweep)
    states = []
    for p in runner.steps():
        states.append(p.state)
        if p.group == 2 and p.epoch >= 50:
            runner.cancel()
    result = runner.result
    assert states[-1] == "cancelled" and states.count("group_done") == 1
    assert result.cancelled and result.cancelled_group == 1
    assert [r.config for r in result.runs] == [0, 0]          # group 2's partial runs are dropped
    assert result.configs_done == [0] and result.incomplete_configs == [1, 2]
    assert runner.sessions_started == 2
    out = write_results(result, tmp_path / "out")
    assert len(read_csv(out / "results.csv")) == 1 and len(read_csv(out / "runs.csv")) == 2
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["cancelled"] and meta["incomplete_configs"] == [1, 2] and meta["groups"][1]["seconds"] is None


def test_cancel_before_start_and_from_on_progress():
    sweep = make_sweep({"model.layers": [list(SMALL_LAYERS), [35, 2, 35]]}, seeds=1)
    runner = SweepRunner(sweep)
    runner.cancel()
    assert runner.run().runs == [] and runner.result.cancelled and runner.sessions_started == 0
    runner = SweepRunner(sweep)
    result = runner.run(lambda p: p.state == "group_done" and runner.cancel())
    assert result.cancelled and len(result.runs) == 1 and runner.sessions_started == 1


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("edit, field", [
    ({"vary": {"model.layerz": [[35, 2, 35]]}}, "vary.model.layerz"),
    ({"vary": {"layers": [[35, 2, 35]]}}, "vary.layers"),
    ({"vary": {"train.seeds": [1, 2]}}, "vary.train.seeds"),
    ({"vary": {"train.learning_rate": 0.1}}, "vary.train.learning_rate"),
    ({"vary": {"train.learning_rate": []}}, "vary.train.learning_rate"),
    ({"vary": {"train.learning_rate": [0.1, 0.1]}}, "vary.train.learning_rate[1]"),
    ({"vary": {"train.optimizer": ["sgd"]}, "labels": {"train.optimizer": ["a", "b"]}}, "labels.train.optimizer"),
    ({"labels": {"train.optimizer": ["a"]}}, "labels.train.optimizer"),
    ({"seeds": 0}, "seeds"),
    ({"seeds": "5"}, "seeds"),
    ({"target_max_wrong": -1}, "target_max_wrong"),
    ({"seedz": 3}, "seedz"),
    ({"base": 5}, "base"),
    ({"base": {"train": {"learning_rate": -1}}}, "base.train.learning_rate"),
    ({"base": {"model": {"layerz": [35, 2, 35]}}}, "base.model.layerz"),
])
def test_bad_sweeps_name_the_key(edit, field):
    raw = {"name": "bad", "base": base_dict(), "vary": {}, "seeds": 2, **edit}
    with pytest.raises(ConfigError) as err:
        sweep_from_dict(raw, source="bad.json")
    assert err.value.field == field
    assert str(err.value).startswith(f"bad.json: {field}: ")


def test_a_bad_expanded_config_names_its_index_and_field():
    with pytest.raises(ConfigError) as err:
        make_sweep({"train.optimizer": ["sgd", "adam"], "train.learning_rate": [0.1, -1.0]})
    assert err.value.field == "train.learning_rate"
    assert "config 1 (optimizer=sgd, learning_rate=-1)" in str(err.value)
    with pytest.raises(ConfigError) as err:
        make_sweep({"train.loss": ["bce"], "model.output_activation": ["sigmoid", "tanh"]})
    assert err.value.field == "model.output_activation" and "config 1 " in str(err.value)


def test_base_path_is_relative_to_the_sweep_file(tmp_path):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "base.json").write_text(small_experiment().to_json())
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"name": "p", "base": "configs/base.json", "vary": {"train.learning_rate": [0.1]}}))
    sweep = load_sweep(path)
    assert sweep.base.model.layers == SMALL_LAYERS and sweep.base_path == "configs/base.json"
    assert json.loads(sweep.to_json(inline_base=False))["base"] == "configs/base.json"
    path.write_text(json.dumps({"name": "p", "base": "configs/missing.json"}))
    with pytest.raises(ConfigError, match="missing.json"):
        load_sweep(path)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_sweep(path)


def test_overrides():
    sweep = make_sweep({"train.learning_rate": [0.1]}, seeds=2)
    s = with_overrides(sweep, seeds=4, epochs=7)
    assert s.seeds == 4 and s.base.train.epochs == 7 and expand(s)[0].experiment.train.epochs == 7
    with pytest.raises(ConfigError, match="--epochs"):
        with_overrides(make_sweep({"train.epochs": [5, 10]}), epochs=7)
    with pytest.raises(ConfigError, match="--seeds"):
        with_overrides(sweep, seeds=0)


def test_layers_that_do_not_fit_the_data_fail_before_training():
    sweep = make_sweep({"model.layers": [list(SMALL_LAYERS), [30, 2, 30]]})
    with pytest.raises(ConfigError, match="model.layers"):
        SweepRunner(sweep)


# ---------------------------------------------------------------- presets

@pytest.mark.parametrize("path", sorted(SWEEPS.glob("*.json")), ids=lambda p: p.name)
def test_presets_load_and_plan(path):
    sweep = load_sweep(path)
    groups = plan(sweep)
    assert sum(g.k for g in groups) == sweep.n_runs
    assert all(c.experiment.train.device == "cpu" for c in expand(sweep))


def test_seed001_preset_is_the_course_comparison():
    sweep = load_sweep(SWEEPS / "seed001-architectures.json")
    # the report's six architectures (mirrored decoders) x without / with momentum, 150 epochs, 5 runs
    assert sweep.n_configs == 12 and sweep.seeds == 5 and sweep.n_runs == 60
    assert sweep.vary["train.optimizer"] == ["sgd", "momentum"]
    assert sweep.vary["model.layers"] == [(35, 2), (35, 17, 2), (35, 17, 8, 2), (35, 25, 17, 2), (35, 17, 8, 4, 2),
                                          (35, 25, 17, 8, 4, 2)] and sweep.base.model.mirror
    assert (sweep.base.train.epochs, sweep.base.train.learning_rate) == (150, 0.05)
    assert sweep.base.data.fonts == ("Font1",)
    assert len(plan(sweep)) == 12


# ---------------------------------------------------------------- CLI

def write_sweep(path, **kw):
    sweep = make_sweep(**kw)
    path.write_text(sweep.to_json())
    return path


def test_cli_sweep_writes_files_and_json(tmp_path, capsys):
    path = write_sweep(tmp_path / "s.json", vary={"train.learning_rate": [0.01, 0.05]}, seeds=2)
    out = tmp_path / "out"
    rc = run_cli(["sweep", path, "--out", out, "--seeds", "3", "--epochs", "10", "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    result = last_json(captured.out)
    assert {"configs", "runs", "seconds", "out", "cancelled"} <= set(result)
    assert result["configs"] == 2 and result["runs"] == 6 and result["cancelled"] is False
    assert result["out"] == str(out)
    runs = read_csv(out / "runs.csv")
    assert len(runs) == 6 and {r["epochs"] for r in runs} == {"10"}
    assert json.loads((out / "sweep.json").read_text())["sweep"]["seeds"] == 3


def test_cli_sweep_says_how_many_of_the_best_configs_runs_did_not_train(tmp_path, capsys):
    """10 epochs leave every run no better than the majority picture: the best line says its mean
    counts them."""
    path = write_sweep(tmp_path / "s.json", vary={"train.learning_rate": [0.01, 0.05]}, seeds=2)
    assert run_cli(["sweep", path, "--out", tmp_path / "out", "--epochs", "10"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"aegui: best config \d \(.*\): max wrong [\d.]+ \+/- [\d.]+ over 2 runs, 2 of them untrained "
                     r"\(counted\)", err), err


@pytest.mark.parametrize("content, args, needle", [
    ('{"name": "x", "base": {}, "vary": {"model.layerz": [1]}}', [], "vary.model.layerz"),
    ("{oops", [], "not valid JSON"),
    (None, [], "file not found"),
    ('{"name": "x", "base": {}, "vary": {"train.epochs": [5, 6]}}', ["--epochs", "3"], "--epochs"),
    ('{"name": "x", "base": {}}', ["--seeds", "0"], "--seeds"),
])
def test_cli_sweep_bad_input_exits_2_with_one_line(tmp_path, capsys, content, args, needle):
    path = tmp_path / "s.json"
    if content is not None:
        path.write_text(content)
    rc = run_cli(["sweep", path, "--out", tmp_path / "out", "--quiet", *args])
    captured = capsys.readouterr()
    assert rc == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and lines[0].startswith("aegui: error:")
    assert not (tmp_path / "out").exists()


def test_cli_sweep_needs_out(tmp_path, capsys):
    path = write_sweep(tmp_path / "s.json")
    assert run_cli(["sweep", path]) == 2
    assert "--out" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
def test_cli_ctrl_c_cancels_and_keeps_finished_groups(tmp_path):
    # two sessions (epochs differ): a short one, then one far too long to finish
    path = write_sweep(tmp_path / "s.json", vary={"train.epochs": [10, 1_000_000]}, seeds=2)
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "aegui", "sweep", str(path), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        for line in proc.stderr:
            if line.startswith("group 1/2 done") or time.monotonic() > deadline:
                break
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    result = last_json(stdout)
    assert result["cancelled"] is True and result["runs"] == 2 and result["configs"] == 1
    assert len(read_csv(out / "runs.csv")) == 2
    assert json.loads((out / "sweep.json").read_text())["incomplete_configs"] == [1]
