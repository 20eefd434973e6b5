"""A course report row is current only while what decides its numbers is unchanged: its preset,
the data it reads, the numerics revisions of the aegui components that compute it, and the
libraries. A row finished before any of them changed is "stale": `aegui report NAME --list` says
so (and what changed: the component whose revision was bumped), the page shows it as stale with
its old numbers marked as that run's, and `aegui report NAME` makes it again without reading back
the runs the earlier code saved, unless only the report's own checks changed. Comments,
docstrings, messages and the version number change no revision: every row stays current."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from aegui import __version__
from aegui.core.analyses.report import run as R
from aegui.core.analyses.report import numerics
from aegui.core.analyses.report.numerics import BY_NAME
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


def _bump(src, component: str) -> None:
    """The component's numerics revision in the copy of the source, one higher."""
    c = BY_NAME[component]
    path = src / c.path
    text = path.read_text()
    found = re.search(rf"^{c.constant} = (\d+)", text, re.MULTILINE)
    assert found, f"{path} has no {c.constant}"
    path.write_text(text[:found.start(1)] + str(int(found.group(1)) + 1) + text[found.end(1):])


def _shipped_rows():
    return [(spec, exp) for spec in R.load_report("all") for exp in spec.experiments]


def test_comments_docstrings_and_the_version_leave_every_row_current(tmp_path, monkeypatch):
    """A copy of the source with a comment added to every module of aegui/core, a docstring and a
    message of the training session reworded and the version bumped gives every row of the
    shipped reports the same key and the same runs key; `--list`, run by that copy, keeps a
    finished row done. (Before, the key hashed the source: any of these made all rows stale.)"""
    from aegui.core.analyses.report import keys
    before = {(s.id, e.id): (keys.row_key(e)[0], keys.runs_key(e)) for s, e in _shipped_rows()}
    src = _source_copy(tmp_path)
    for module in sorted((src / "aegui" / "core").rglob("*.py")):
        with open(module, "a") as f:
            f.write("\n# a comment that changes no number\n")
    session = src / "aegui" / "core" / "train" / "session.py"
    text = session.read_text()
    for old, new in (('"""The training engine\'s contract and setup', '"""The training engine: its contract and setup'),
                     ("Ask the loop to end after the current step", "Ask the loop to stop after this step")):
        assert old in text, old
        text = text.replace(old, new)
    session.write_text(text)
    init = src / "aegui" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]+"', '__version__ = "99.0.0"', init.read_text()))

    monkeypatch.setattr(keys, "SOURCE_ROOT", src)
    after = {(s.id, e.id): (keys.row_key(e)[0], keys.runs_key(e)) for s, e in _shipped_rows()}
    assert after == before
    assert keys.made_by(_shipped_rows()[0][1])["aegui_version"] == "99.0.0"     # provenance moves, the key not

    font = tmp_path / "font.h"
    shutil.copy(FONT, font)
    monkeypatch.setattr(keys, "SOURCE_ROOT", ROOT)
    path, out = finished(tmp_path, font)
    listed = _listed(src, path, out, tmp_path / "home")
    assert "999-glyphs" in listed and "done (" in listed, listed


def test_a_revision_bump_makes_stale_exactly_the_rows_that_use_it_and_names_it(tmp_path, monkeypatch):
    """Bumping the dense numpy loop's revision in a copy of the source makes stale the rows whose
    preset the dense loop trains (the 000 glyph rows) and no other; each says which revision of
    which component it was made before. `--list`, run by that copy, says the same of a finished
    row; a bump of a component the row does not use (the VAE's objective) keeps it done."""
    from aegui.core.analyses.report import keys, uses
    rows = _shipped_rows()
    before = {(s.id, e.id): keys.row_key(e)[0] for s, e in rows}
    using = {(s.id, e.id) for s, e in rows if "loop.dense" in uses.components(e, ROOT)}
    assert {("000", "loss"), ("000", "architectures"), ("000", "final")} <= using
    assert ("002", "model-kinds") not in using and ("001", "scipy-optimizers") not in using
    src = _source_copy(tmp_path)
    _bump(src, "loop.dense")
    monkeypatch.setattr(keys, "SOURCE_ROOT", src)
    changed = {(s.id, e.id) for s, e in rows if keys.row_key(e)[0] != before[(s.id, e.id)]}
    assert changed == using
    s, e = next((s, e) for s, e in rows if (s.id, e.id) == ("000", "loss"))
    monkeypatch.setattr(keys, "SOURCE_ROOT", ROOT)
    then = {"key_parts": keys.row_key(e)[1], "numerics": keys.row_revisions(e)}
    monkeypatch.setattr(keys, "SOURCE_ROOT", src)
    assert keys.why_stale(then, e) == "made before numerics revision 2 of the dense numpy loop; it runs again next time"

    font = tmp_path / "font.h"
    shutil.copy(FONT, font)
    monkeypatch.setattr(keys, "SOURCE_ROOT", ROOT)
    path, out = finished(tmp_path, font)
    other = _source_copy(tmp_path / "other")
    _bump(other, "objective.vae")
    assert "done (" in _listed(other, path, out, tmp_path / "home")
    listed = _listed(src, path, out, tmp_path / "home")
    assert "stale" in listed and "made before numerics revision 2 of the dense numpy loop" in listed, listed


def test_without_the_sources_on_disk_the_keys_are_the_same(tmp_path, monkeypatch):
    """The desktop bundle keeps aegui as bytecode only: with no source files where the key reads
    them, the revisions, components and keys come from the imported modules, and are the ones
    the sources give."""
    from aegui.core.analyses.report import keys
    rows = _shipped_rows()
    before = {(s.id, e.id): (keys.row_key(e), keys.runs_key(e), keys.row_revisions(e)) for s, e in rows}
    monkeypatch.setattr(keys, "SOURCE_ROOT", tmp_path)
    assert {(s.id, e.id): (keys.row_key(e), keys.runs_key(e), keys.row_revisions(e)) for s, e in rows} == before
    assert keys.made_by(rows[0][1])["aegui_version"] == __version__


def test_a_row_made_with_the_old_source_hash_key_says_so_and_runs_again(tmp_path):
    """A done.json from before the numerics revisions (its key parts hash the source: "code") is
    stale, listed and shown as made by an aegui whose row keys hashed its source, with its older
    numbers marked as that run's; running again trains it from scratch."""
    font = tmp_path / "font.h"
    shutil.copy(FONT, font)
    path, out = finished(tmp_path, font)
    done = out / "999-glyphs" / "done.json"
    record = json.loads(done.read_text())
    for field in ("numerics", "aegui_version", "source"):
        record.pop(field)
    record["key"] = "4f90825de15cde7c"
    record["key_parts"] = {"preset": "e09d987bb9515a24", "data": "b3dd17b685588da4", "code": "df5ad8d9b4cbd31c",
                           "libraries": "3b096f8a78a55d6b"}
    done.write_text(json.dumps(record))
    (out / "999-glyphs" / "work" / "key.txt").write_text("2b7e151628aed2a6")     # the runs key it had then
    job = R.ReportJob(R.load_report(path), out)
    spec, exp = job.specs[0], job.specs[0].experiments[0]
    state, record = job.state(spec, exp)
    assert state == "stale"
    assert record["reason"].startswith("made by an aegui whose row keys hashed the source of its code")
    row = next(line for line in write_pages(job)["markdown"].read_text().splitlines() if "999-glyphs" in line)
    assert "*stale*: made by an aegui whose row keys hashed the source" in row and "older run" in row
    assert _rerun(path, out)["resumed"] is False
    assert job.state(spec, exp)[0] == "done"


def test_the_page_says_which_aegui_and_source_made_a_row(tmp_path):
    """The version and source hash are provenance: done.json keeps them and the page shows them
    beside the row's time, whatever its key."""
    from aegui.core.analyses.report import keys
    font = tmp_path / "font.h"
    shutil.copy(FONT, font)
    path, out = finished(tmp_path, font)
    record = json.loads((out / "999-glyphs" / "done.json").read_text())
    assert record["aegui_version"] == __version__ and record["source"] == keys.source_part()
    assert record["numerics"]["loop.dense"] == 1 and "loop.eager" not in record["numerics"]
    job = R.ReportJob(R.load_report(path), out)
    pages = write_pages(job)
    made = f"made by aegui {__version__}, source {keys.source_part()}"
    assert made in pages["markdown"].read_text()
    assert made.capitalize() in pages["html"].read_text()


def _rerun(path, out) -> dict:
    states = [p.state for p in R.ReportJob(R.load_report(path), out).steps()]
    assert "experiment_done" in states, states
    return json.loads((out / "999-glyphs" / "done.json").read_text())


def test_a_row_stale_by_its_checks_is_made_from_its_saved_runs_and_one_stale_by_training_revisions_trains(
        tmp_path, monkeypatch):
    """The runs a row trained are kept under a key of their own, which covers the revisions of the
    components that train (loops, models, data) but not the report's checks and figures: a bump
    of the report's verdict rules makes the row stale and the re-run reads its runs back
    (resumed, nothing trained: the same code would make the same runs); a bump of the network's
    revision makes it train again. (Before, any change of code discarded the runs, so fixing a
    sentence of a check meant training an MNIST row for hours again.)"""
    from aegui.core.analyses.report import keys
    font = tmp_path / "font.h"
    shutil.copy(FONT, font)
    path, out = finished(tmp_path, font)
    src = _source_copy(tmp_path)
    monkeypatch.setattr(keys, "SOURCE_ROOT", src)
    job = R.ReportJob(R.load_report(path), out)
    spec, exp = job.specs[0], job.specs[0].experiments[0]
    assert job.state(spec, exp)[0] == "done"

    bumped = numerics.revision("report.claims", src) + 1
    _bump(src, "report.claims")
    state, record = job.state(spec, exp)
    assert state == "stale" and f"numerics revision {bumped} of the report's verdict rules" in record["reason"]
    assert _rerun(path, out)["resumed"] is True

    _bump(src, "arch.mlp")
    state, record = job.state(spec, exp)
    assert state == "stale" and "numerics revision 2 of the MLP network" in record["reason"]
    assert _rerun(path, out)["resumed"] is False


def test_a_row_whose_components_changed_names_those_added_and_those_dropped():
    """A check moved to a module of its own swaps one component of its rows for another: the row
    says which it now uses and which it no longer does, not only the new one."""
    from aegui.core.analyses.report import keys
    s, e = next((s, e) for s, e in _shipped_rows() if (s.id, e.id) == ("000", "vae-bad"))
    now = keys.row_revisions(e)
    then = {**{k: v for k, v in now.items() if k != "report.checks-vae"}, "report.checks-glyphs": 2}
    record = {"key_parts": {**keys.row_key(e)[1], "numerics": "an older hash"}, "numerics": then}
    assert keys.why_stale(record, e) == ("made before a change of the components it uses (now also the emoji VAE's "
                                         "checks; no longer the glyph documents' checks); it runs again next time")


def test_a_fix_to_one_check_makes_stale_only_the_rows_of_that_check(tmp_path, monkeypatch):
    """A checks module holds the checks of many rows (the glyph documents': 13). A fix to one of them
    is an entry in the module's CHECK_NUMERICS: only the rows of that check take a new key (their
    saved runs keep theirs), and they name the check; bumping the module's NUMERICS instead makes
    every row of its checks stale. With no entry, a check adds nothing to its rows' keys; the
    desktop bundle, which keeps no sources, reads the entry from the imported module."""
    from aegui.core.analyses.report import keys
    rows = _shipped_rows()
    before = {(s.id, e.id): keys.row_key(e)[0] for s, e in rows}
    loss = next(e for s, e in rows if (s.id, e.id) == ("000", "loss"))
    then = {"key_parts": keys.row_key(loss)[1], "numerics": keys.row_revisions(loss)}
    runs_before = keys.runs_key(loss)
    src = _source_copy(tmp_path)
    path = src / BY_NAME["report.checks-glyphs"].path
    text = path.read_text()
    empty = "CHECK_NUMERICS: dict[str, int] = {}"
    assert text.count(empty) == 1
    path.write_text(text.replace(empty, 'CHECK_NUMERICS: dict[str, int] = {"000-loss": 1}'))
    monkeypatch.setattr(keys, "SOURCE_ROOT", src)
    changed = {(s.id, e.id) for s, e in rows if keys.row_key(e)[0] != before[(s.id, e.id)]}
    assert changed == {("000", "loss")}
    assert keys.runs_key(loss) == runs_before
    assert keys.why_stale(then, loss) == ("made before numerics revision 1 of the glyph documents' checks (000-loss); "
                                          "it runs again next time")
    path.write_text(text.replace(empty, 'CHECK_NUMERICS: dict[str, int] = {"000-loss": "2"}'))
    with pytest.raises(numerics.RevisionMissing, match="CHECK_NUMERICS\\['000-loss'\\] must be an integer"):
        keys.row_key(loss)
    path.write_text(text)
    _bump(src, "report.checks-glyphs")
    glyph_rows = {(s.id, e.id) for s, e in rows if "report.checks-glyphs" in keys.row_revisions(e)}
    assert len(glyph_rows) >= 13
    assert {(s.id, e.id) for s, e in rows if keys.row_key(e)[0] != before[(s.id, e.id)]} == glyph_rows
    # The desktop bundle (bytecode only) reads the entry from the imported module.
    from aegui.core.analyses.report.verdicts import checks_glyphs
    monkeypatch.setattr(checks_glyphs, "CHECK_NUMERICS", {"000-loss": 1})
    monkeypatch.setattr(keys, "SOURCE_ROOT", tmp_path / "no sources")
    assert keys.row_revisions(loss)["report.checks-glyphs:000-loss"] == 1
