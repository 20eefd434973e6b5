"""The progress line the CLI draws on a terminal, from each job's typed progress items: the
report says which run, group, stage or epoch its preset job is at, and `embed`, `denoise-curve`
and `probe` say what they are doing. These lines are only drawn on a terminal, so a reader that
asks an item for a field it does not have would fail only there, in front of a user."""
import io
import json
import re
import sys

import pytest

from aegui.cli.report import _describe
from aegui.core.analyses.classify.classifier import ClassifierProgress
from aegui.core.analyses.compare.runs import CompareProgress
from aegui.core.analyses.denoise.curve import CurveProgress
from aegui.core.analyses.classify.probe import ProbeRunProgress
from aegui.core.analyses.report.run import ReportProgress
from aegui.core.analyses.sweeps.sweep import SweepProgress

from core_helpers import run_cli, small_experiment


def running(detail) -> ReportProgress:
    return ReportProgress(state="running", experiment="001-kinds", title="Kinds", index=2, count=3, detail=detail)


@pytest.mark.parametrize("detail, line", [
    (CompareProgress(state="running", run=1, runs=4, epoch=7, epochs=20), "run 1/4 epoch 7/20"),
    (CompareProgress(state="run_loaded", run=2, runs=4), "run 2/4"),
    (SweepProgress(state="running", group=2, groups=5, epoch=3, epochs=10), "group 2/5 epoch 3/10"),
    (ProbeRunProgress(state="running", stage="baseline", epoch=3, epochs=20), "baseline epoch 3/20"),
    (ClassifierProgress(state="stage_done", stage="frozen", accuracy=0.9), "frozen epoch ?/?"),
    (ClassifierProgress(state="pretraining", epoch=4, epochs=10), "pretraining epoch 4/10"),
    (ClassifierProgress(state="running", stage="frozen", epoch=2, epochs=20, seed=1, seeds=3),
     "seed 2/3: frozen epoch 2/20"),
    (ClassifierProgress(state="pretraining", epoch=4, epochs=10, seed=2, seeds=3), "seed 3/3: pretraining epoch 4/10"),
    (CurveProgress(state="training", epoch=5, epochs=50), "training"),
])
def test_a_report_line_names_where_its_preset_job_is(detail, line):
    assert _describe(running(detail)) == f"[2/3] 001-kinds: {line}"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_analysis_commands_draw_their_progress_on_a_terminal(tmp_path, monkeypatch, capsys):
    """The first item of each job is always drawn; each command's line comes from its own fields."""
    spec = tmp_path / "curve.json"
    base = small_experiment(model={"kind": "dae", "layers": (35, 16, 8, 16, 35)}, train={"epochs": 20})
    spec.write_text(json.dumps({"analysis": "denoising_curve", "base": base.to_dict(), "seeds": 1,
                                "kinds": ["bit_flip"], "levels": [0.2], "repeats": 1, "char_kind": "bit_flip",
                                "char_level": 0.2}))
    cfg = tmp_path / "cfg.json"
    cfg.write_text(small_experiment(data={"fonts": ("all",)}, train={"epochs": 20}).to_json())
    commands = {
        "embed": (["embed", "--fonts", "Font3", "--panels", "pca", "--out", tmp_path / "e"],
                  r"Font3: .+ \(1/1\)"),
        "denoise-curve": (["denoise-curve", spec, "--out", tmp_path / "d"], r"training epoch \d+/20  loss \S+"),
        "probe": (["probe", cfg, "--epochs", "10", "--out", tmp_path / "p"],
                  r"training the autoencoder, epoch \d+/20"),
    }
    for name, (argv, line) in commands.items():
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert run_cli(argv) == 0, terminal.getvalue()
        assert re.search(r"\[#* *\] " + line, terminal.getvalue()), (name, terminal.getvalue())
