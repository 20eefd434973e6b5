"""Teaching a large set says how far it is before it finishes: reading the glyphs, preparing the
training set and the model, each epoch of fine-tuning (not only each check), the before / after
figures and saving, in the records the window's teach bar reads (TeachJob) and in `aegui teach`'s
progress line. 100,000 glyphs said nothing for 15 minutes: the first record came at the first
check, 25 epochs of half a minute in. The counts here do not depend on timing: the heartbeat
between checks is set to every epoch (the app's is at most one a second)."""
import io
import sys

import numpy as np
import pytest

from aegui.core.analyses import teach as T
from aegui.core.config.validation import with_changes
from aegui.core.data import glyphs as G
from aegui.core.models import latent
from aegui.core.runs.trained import open_trained
from aegui.core.workspace.teach_run import TeachJob
from core_helpers import ROOT, run_cli

DAE = ROOT / "models" / "general-5x7-dae"
GLYPHS = 5_000          # 2.5 x G.PROGRESS_ROWS: two reading records and the last


def random_glyphs(n: int, seed: int = 0) -> np.ndarray:
    """n distinct-ish random 7x5 glyphs of 0 / 1."""
    return (np.random.default_rng(seed).random((n, 7, 5)) < 0.4).astype(np.float32)


def write_font_h(path, glyphs: np.ndarray) -> None:
    rows = [", ".join(f"0x{int(''.join(str(int(v)) for v in row), 2):02x}" for row in g) for g in glyphs]
    path.write_text(f"int const BIG[{len(glyphs)}][7] = {{\n" + ",\n".join(f"   {{{r}}}" for r in rows) + "\n};\n")


@pytest.fixture(scope="module")
def base():
    return open_trained(DAE, view=False)


@pytest.fixture
def every_epoch(monkeypatch):
    """A record of every epoch that is not a check (the app's heartbeat is at most one a second)."""
    monkeypatch.setattr(T, "HEARTBEAT_S", 0.0)


def test_a_large_set_reads_prepares_and_trains_with_records_all_along(base, every_epoch, tmp_path):
    glyphs = random_glyphs(GLYPHS)
    job = TeachJob(base, list(glyphs), [f"g{i}" for i in range(GLYPHS)], tmp_path / "taught",
                   T.TeachSettings(epochs=4, check_every=4))
    items = list(job.steps())
    phases = [i.phase for i in items]
    # In order, each phase once it began: nothing came back to an earlier one.
    assert phases == sorted(phases, key=[T.READING, T.PREPARING, T.FINE_TUNING, T.MEASURING, T.SAVING].index)
    reading = [(i.count, i.total) for i in items if i.phase == T.READING]
    assert reading == [(2000, GLYPHS), (4000, GLYPHS), (GLYPHS, GLYPHS)]
    assert [(i.count, i.total) for i in items if i.phase == T.PREPARING] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    tuning = [i for i in items if i.phase == T.FINE_TUNING]
    # Epochs 1-3 end between checks (the general DAE trains full-batch: one batch an epoch), the
    # 4th is the check; the records before it already carry a rate (the time left follows).
    assert [(i.epoch, i.batch, i.batches) for i in tuning] == [(1, 1, 1), (2, 1, 1), (3, 1, 1), (4, 0, 0)]
    assert all(i.epochs_per_s > 0 and i.total_epochs == 4 for i in tuning)
    assert [i.fraction for i in tuning] == [0.25, 0.5, 0.75, 1.0]
    assert np.isnan(tuning[0].new_wrong) and not np.isnan(tuning[-1].new_wrong)   # figures once measured
    assert [(i.count, i.total) for i in items if i.phase == T.MEASURING] == [(0, 2), (1, 2), (2, 2)]
    assert phases.count(T.SAVING) == 2 and items[-1].result is not None     # the outcome comes last
    assert items[-1].result.model.dataset.labels[-1] == f"g{GLYPHS - 1}"


def test_a_check_of_a_large_set_counts_the_wrong_pixels_of_the_glyphs_it_measured(base):
    """A set larger than a check measures (train.eval_samples) counts the wrong pixels of a fixed
    sample; the new glyphs' mean is over the measured ones (over all of them, the others counting
    0, it said 6 times fewer wrong pixels than there were here, 10 times fewer for 100,000)."""
    exp = with_changes(base.experiment, train={"eval_samples": 500})
    fonts = T.fonts_from_arrays(random_glyphs(3000, seed=1), [f"g{i}" for i in range(3000)])
    session = T.TeachSession(base.model, exp, fonts, T.TeachSettings(epochs=1))
    last = [r for r in session.steps() if r.phase == T.FINE_TUNING][-1]
    assert session.session.evaluator.sampled == 500
    new = session.new.x
    every = ((latent.denoise(session.session.model, new) >= 0.5) != (new >= 0.5)).sum(1).mean()
    assert every > 2 and last.new_wrong == pytest.approx(every, rel=0.3)


def test_aegui_teach_says_each_stage_on_a_terminal(every_epoch, tmp_path, monkeypatch, capsys):
    font = tmp_path / "big.h"
    write_font_h(font, random_glyphs(GLYPHS, seed=2))
    assert len(G.read_font_h(font)[0].glyphs) == GLYPHS

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert run_cli(["teach", DAE, font, "--out", tmp_path / "taught", "--epochs", "3", "--repeats", "1"]) == 0
    shown = terminal.getvalue().replace("\r\033[K", "\n")
    for line in ("reading glyphs 2,000/5,000", "preparing the training set and the model (0/3)",
                 "fine-tuning epoch 1/3, batch 1/1", "fine-tuning epoch 3/3  loss",
                 "measuring the model before and after (0/4)", "saving"):
        assert line in shown.splitlines() or any(s.startswith(line) for s in shown.splitlines()), (line, shown)
    assert '"glyphs": 5000' in capsys.readouterr().out
