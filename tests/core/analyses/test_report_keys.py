"""A course report row is current only while what made it is unchanged: its preset, the data it
reads and the aegui code that runs and checks it. A row finished before any of them changed is
"stale": `aegui report NAME --list` says so (and what changed), the page shows it as stale with
none of its old numbers, and `aegui report NAME` makes it again without reading back the runs
the earlier code saved. Unchanged code and data keep a finished row as it is."""
import json
import os
import shutil
import subprocess
import sys

from aegui.core.analyses.report import run as R
from aegui.core.analyses.report.page import write_pages

from core_helpers import ROOT

FONT = ROOT / "resources" / "font.h"


def glyph_report(tmp_path, font):
    """A report of one tiny compare preset (two runs, saved in work/) on the font file `font`."""
    base = {"name": "tiny", "data": {"fonts": ["Font3"], "path": str(font)},
            "model": {"kind": "ae", "layers": [35, 16, 2, 16, 35], "init": "xavier"},
            "train": {"loss": "bce", "optimizer": "adam", "learning_rate": 0.02, "epochs": 20, "seed": 0,
                      "device": "cpu", "check_every": 10}}
    (tmp_path / "glyphs.json").write_text(json.dumps({
        "analysis": "compare", "name": "tiny compare", "base": base, "test": "none",
        "runs": [{"label": "plain", "changes": {}}, {"label": "wider", "changes": {"model": {"layers": [35, 24, 2, 24, 35]}}}]}))
    path = tmp_path / "999.json"
    path.write_text(json.dumps({"document": "999_test.txt", "id": "999", "title": "A test document", "about": "Tiny.",
                                "experiments": [{"id": "glyphs", "title": "Glyph models", "preset": "glyphs.json",
                                                 "document": "The doc's figure.", "figures": ["curves"]}]}))
    return path


def finished(tmp_path, font):
    path = glyph_report(tmp_path, font)
    out = tmp_path / "out"
    states = [p.state for p in R.ReportJob(R.load_report(path), out).steps()]
    assert states[-2:] == ["experiment_done", "finished"], states
    return path, out


def test_a_changed_data_file_makes_the_row_stale_on_the_page_and_it_is_made_again(tmp_path):
    """The font file the preset reads changes under the same name: the row is stale (the page
    says so first, and shows the older run's numbers only marked as that run's); running again trains the runs again instead of
    reading back the ones saved from the old file."""
    font = tmp_path / "font.h"
    shutil.copy(FONT, font)
    path, out = finished(tmp_path, font)
    job = R.ReportJob(R.load_report(path), out)
    spec, exp = job.specs[0], job.specs[0].experiments[0]
    assert job.state(spec, exp)[0] == "done"
    old = json.loads((out / "999-glyphs" / "done.json").read_text())["aegui"]

    text = font.read_text()
    font.write_text(text.replace("0x0e", "0x0f", 1))       # one pixel row of one glyph
    state, record = job.state(spec, exp)
    assert state == "stale", state
    assert "the data it reads" in record["reason"]
    page = write_pages(job)["markdown"].read_text()
    row = next(line for line in page.splitlines() if "999-glyphs" in line)
    assert "1 stale" in page and "*stale*" in row and "the data it reads" in row
    assert row.index("*stale*") < row.index("older run") < row.index(old[:30]), row

    states = [p.state for p in job.steps()]
    assert "experiment_done" in states and "skipped" not in states, states
    done = json.loads((out / "999-glyphs" / "done.json").read_text())
    assert not done["resumed"], "the runs saved from the old font file were read back"
    assert job.state(spec, exp)[0] == "done"


def _source_copy(tmp_path):
    """aegui's source and resources in tmp_path/src, for a copy of the code a test can change."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "aegui", src / "aegui", ignore=shutil.ignore_patterns("__pycache__"))
    (src / "resources").symlink_to(ROOT / "resources")
    return src


def _listed(src, path, out, home) -> str:
    env = dict(os.environ, PYTHONPATH=str(src), AEGUI_HOME=str(home))
    proc = subprocess.run([sys.executable, "-m", "aegui", "report", str(path), "--out", str(out), "--list"],
                          cwd=src, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_change_to_the_code_that_computes_a_row_makes_it_stale_and_other_code_does_not(tmp_path):
    """`--list`, run by a copy of aegui: the same code says done; a change to a module the report
    runs (the network's) says stale and names the code; a change to a window module only (which
    never computes a row) keeps it done."""
    font = tmp_path / "font.h"
    shutil.copy(FONT, font)
    path, out = finished(tmp_path, font)
    src = _source_copy(tmp_path)
    listed = _listed(src, path, out, tmp_path / "home")
    assert "999-glyphs" in listed and "done (" in listed, listed

    with open(src / "aegui" / "qt" / "app.py", "a") as f:
        f.write("\n# a change to the window only\n")
    listed = _listed(src, path, out, tmp_path / "home")
    assert "done (" in listed, listed

    with open(src / "aegui" / "core" / "models" / "network.py", "a") as f:
        f.write("\n# a change to the code that trains the row\n")
    listed = _listed(src, path, out, tmp_path / "home")
    assert "stale" in listed and "the aegui code that runs and checks it" in listed, listed


def _rerun(path, out) -> dict:
    states = [p.state for p in R.ReportJob(R.load_report(path), out).steps()]
    assert "experiment_done" in states, states
    return json.loads((out / "999-glyphs" / "done.json").read_text())


def test_a_row_stale_by_its_checks_is_made_from_its_saved_runs_and_one_stale_by_training_code_trains(
        tmp_path, monkeypatch):
    """The runs a row trained are kept under a key of their own, which covers the code the preset
    runner reaches (training, models, data) but not the report's checks and figures: a change to
    the checks makes the row stale and the re-run reads its runs back (resumed, nothing trained:
    the same code would make the same runs); a change to the code that trains makes it train
    again. (Before, any change of code discarded the runs, so fixing a sentence of a check
    meant training an MNIST row for hours again.)"""
    from aegui.core.analyses.report import keys
    font = tmp_path / "font.h"
    shutil.copy(FONT, font)
    path, out = finished(tmp_path, font)
    src = _source_copy(tmp_path)
    monkeypatch.setattr(keys, "SOURCE_ROOT", src)
    job = R.ReportJob(R.load_report(path), out)
    spec, exp = job.specs[0], job.specs[0].experiments[0]
    assert job.state(spec, exp)[0] == "done"

    with open(src / "aegui" / "core" / "analyses" / "report" / "claims.py", "a") as f:
        f.write("\n# a change to the checks only\n")
    assert job.state(spec, exp)[0] == "stale"
    assert _rerun(path, out)["resumed"] is True

    with open(src / "aegui" / "core" / "models" / "network.py", "a") as f:
        f.write("\n# a change to the code that trains the row\n")
    assert job.state(spec, exp)[0] == "stale"
    assert _rerun(path, out)["resumed"] is False
