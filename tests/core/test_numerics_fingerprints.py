"""The numerics revisions are kept honest: short seeded runs of every component that computes a
report row's numbers (tests/core/numerics_runs.py) give the numbers committed in
tests/core/numerics_fingerprints.json, within its tolerance, as long as no component's revision
changed. Numbers that moved with no bump of a component they use fail, naming the component the
moved runs have in common; a bumped revision fails until the fingerprints are made again
(`make fingerprints`: this test with AEGUI_UPDATE_FINGERPRINTS=1 writes them), so the committed
numbers are always the current code's. The report's row
keys trust these revisions (aegui/core/analyses/report/keys.py), so a change of numbers that
slipped past them would leave rows marked current that the code no longer makes."""
from __future__ import annotations

import json
import os

import pytest

import numerics_runs as N
from aegui.core.analyses.report.numerics import BY_NAME, COMPONENTS


# `make fingerprints`: the numbers written again after a revision bump (see numerics_runs.py).
UPDATE = os.environ.get("AEGUI_UPDATE_FINGERPRINTS", "")


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads(N.FILE.read_text()) if N.FILE.exists() or not UPDATE else {}


def test_the_runs_cover_every_component_and_every_loop_with_each_kind_it_trains(recorded):
    """Every component of the table that decides numbers appears in at least one run (the
    report's own checks and figures are held by their tests: test_report_verdicts.py...), and
    every loop trains each model kind it accepts."""
    used = {c for run in recorded["runs"].values() for c in run["components"]}
    report_only = {c.name for c in COMPONENTS if c.name.startswith("report.")}
    assert set(BY_NAME) - report_only - used == set()
    assert used <= set(BY_NAME)
    kinds = {"ae", "dae", "vae", "sparse", "contractive"}
    for loop, takes in (("eager", kinds), ("captured", kinds), ("scipy", kinds - {"vae"}), ("dense", {"ae"})):
        trained = {c.split(".")[1] for name, run in recorded["runs"].items()
                   if not name.startswith("analysis-") and f"loop.{loop}" in run["components"]
                   for c in run["components"] if c.startswith("objective.")}
        assert trained == takes, loop


def test_the_numbers_are_the_committed_ones_unless_a_revision_was_bumped(recorded, tmp_path):
    if UPDATE:
        changes = N.update(recorded, N.measure(tmp_path), N.current_revisions(), force=UPDATE == "force")
        print(f"{N.FILE.relative_to(N.ROOT)} written" + "".join(f"\n  {c}" for c in changes))
        return
    if recorded["libraries"] != N.libraries():
        pytest.skip(f"the fingerprints were made with {recorded['libraries']}, here {N.libraries()}: numbers "
                    "differ across library versions; make them again on these (make fingerprints)")
    runs = N.measure(tmp_path)
    problems, changes = N.verdict(recorded, runs, N.current_revisions())
    assert not problems, "\n".join(problems)
    assert not changes, ("the numerics revisions changed since the fingerprints were made; make them again "
                         "(make fingerprints) and commit tests/core/numerics_fingerprints.json:\n  "
                         + "\n  ".join(changes))


def test_the_verdict_names_the_component_whose_numbers_moved_without_a_bump():
    """verdict() on made-up runs: a run that moved with no bump is a problem naming the component
    it has in common with the other moved runs and that no unmoved run uses; once that component's
    revision is bumped, the same move is what a regeneration takes in."""
    runs = {"a": {"components": ["loop.dense", "session"], "numbers": {"loss": [0.5]}},
            "b": {"components": ["loop.eager", "session"], "numbers": {"loss": [0.4]}},
            "c": {"components": ["loop.dense", "data.font", "session"], "numbers": {"loss": [0.3]}}}
    recorded = {"revisions": {"loop.dense": 1, "loop.eager": 1, "session": 1, "data.font": 1}, "runs": runs}
    now = {name: {**run, "numbers": {"loss": [run["numbers"]["loss"][0] * (1.01 if name != "b" else 1)]}}
           for name, run in runs.items()}
    problems, changes = N.verdict(recorded, now, recorded["revisions"])
    assert len(problems) == 3 and "a: loss[0] 0.5 -> 0.505" in problems[0]
    assert "no unmoved run uses: the dense numpy loop (aegui/core/train/backends/dense.py)" in problems[-1]
    assert "training session" not in problems[-1]
    problems, changes = N.verdict(recorded, now, {**recorded["revisions"], "loop.dense": 2})
    assert problems == [] and changes[0] == "numerics revision of the dense numpy loop: 1 -> 2"
    assert N.verdict(recorded, runs, recorded["revisions"]) == ([], [])
    # A change that moves only some runs of a component (one kind of noise): the components the moved
    # runs share come first by how few unmoved runs use them.
    runs = {"salt": {"components": ["noise", "objective.dae", "session"], "numbers": {"loss": [0.5]}},
            "flip": {"components": ["noise", "objective.dae", "session"], "numbers": {"loss": [0.5]}},
            "plain": {"components": ["session"], "numbers": {"loss": [0.5]}}}
    recorded = {"revisions": {"noise": 1, "objective.dae": 1, "session": 1}, "runs": runs}
    now = {**runs, "salt": {**runs["salt"], "numbers": {"loss": [0.6]}}}
    problems, _ = N.verdict(recorded, now, recorded["revisions"])
    assert ("most likely first: the input noise (aegui/core/data/noise.py, also in 1 unmoved run); the denoising "
            "autoencoder's objective") in problems[-1]
    # A setting two components share (one epsilon read by torch's Adam and the dense loop's): no
    # component is in every moved run, so the pair that covers them and no unmoved run comes first,
    # before the components all the moved runs have in common.
    runs = {"adam": {"components": ["optimizer.adam", "optimizer.schedule", "loop.eager", "session"],
                     "numbers": {"loss": [0.5]}},
            "dense": {"components": ["optimizer.dense-adam", "optimizer.schedule", "loop.dense", "session"],
                      "numbers": {"loss": [0.5]}},
            "sgd": {"components": ["optimizer.sgd", "optimizer.schedule", "loop.eager", "session"],
                    "numbers": {"loss": [0.5]}}}
    recorded = {"revisions": {n: 1 for run in runs.values() for n in run["components"]}, "runs": runs}
    now = {name: {**run, "numbers": {"loss": [0.6 if name != "sgd" else 0.5]}} for name, run in runs.items()}
    problems, _ = N.verdict(recorded, now, recorded["revisions"])
    assert ("these together are in every moved run and in the fewest unmoved ones, so a change to something "
            "they share is the most likely: the dense numpy loop (aegui/core/train/backends/dense.py) or the dense "
            "loop's numpy Adam (aegui/core/train/backends/dense.py:ADAM_NUMERICS) (1 of the 2 moved runs); torch "
            "Adam (Adam, AdamW, the classifier head's Adam) (aegui/core/train/optim.py:ADAM_NUMERICS) (1 of the 2 "
            "moved runs); then the components the moved runs all have in common: the learning-rate schedules")\
        in problems[-1], problems[-1]
