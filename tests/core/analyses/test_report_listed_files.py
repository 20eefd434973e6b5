"""Every figure and table a finished experiment's done.json lists is checked, not only done.json:
one cut short (a CSV whose last line stops midway, a PNG without its end), emptied, deleted,
turned into a folder or overwritten is not "done". The listing names the file and what is wrong
with it, the page links no broken file, and a resume makes the experiment again from its saved
runs (read back, not trained again). Before, a runs.csv cut to 50 bytes left the row "done",
the resume skipped it and the page linked the broken file."""
import json
import re

import pytest

from aegui.core.analyses.report import files as RF
from aegui.core.analyses.report import run as R
from aegui.core.analyses.report.page import write_pages

from report_helpers import MODELS, NAME, copy_report, finished_report, models_drawn

LISTED = ["curves.png", "latent.png", "curves.csv", "runs.csv"]


def _without_its_last_part(data: bytes) -> bytes:
    """A CSV without its last line (still whole lines) or a PNG without its last chunk."""
    if data.startswith(RF.PNG_MAGIC):
        return data[:-12]           # IEND: 4 bytes of length, 4 of type, 4 of checksum
    return data[:data.rstrip(b"\n").rfind(b"\n") + 1]


def _folder(file):
    file.unlink()
    file.mkdir()


def _garbage(file):
    """As many bytes as were there, none of them what was written."""
    n = len(file.read_bytes())
    file.write_bytes((bytes(range(256)) * (n // 256 + 1))[:n])


# damage -> (what it does to the file, what the sentence says is wrong)
DAMAGES = {
    "cut to 50 bytes": (lambda f: f.write_bytes(f.read_bytes()[:50]), "cut short"),
    "cut in half": (lambda f: f.write_bytes(f.read_bytes()[:len(f.read_bytes()) // 2]), "cut short"),
    "cut at the end of a line or chunk": (lambda f: f.write_bytes(_without_its_last_part(f.read_bytes())),
                                          "cut short"),
    "empty": (lambda f: f.write_bytes(b""), "cut short: 0 bytes"),
    "missing": (lambda f: f.unlink(), "is not there"),
    "a folder": (_folder, "is a folder"),
    "garbage of the same size": (_garbage, "changed since it was written"),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return finished_report(tmp_path_factory.mktemp("pristine"))


@pytest.fixture
def report(pristine, tmp_path):
    return copy_report(pristine, tmp_path / "copy")


def _job(path, out):
    return R.ReportJob(R.load_report(path), out)


def _state(path, out):
    job = _job(path, out)
    return job.state(job.specs[0], job.specs[0].experiments[0])


def links(out) -> list[str]:
    """The experiment's files the pages link (pictures and tables)."""
    html = (out / "index.html").read_text()
    md = (out / "report.md").read_text()
    return (re.findall(rf"(?:src|href)='{NAME}/([^']+)'", html)
            + re.findall(rf"\]\(\./{NAME}/([^)#]+)\)", md))


def test_the_pages_of_a_whole_report_link_every_listed_file(pristine):
    """The check below is not vacuous: a whole report's pages link each listed file."""
    assert sorted(links(pristine[1])) == sorted(LISTED + ["curves.png"])     # curves.png: the row's figure


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
@pytest.mark.parametrize("name", LISTED)
def test_a_damaged_listed_file_is_named_and_not_linked(report, name, damage):
    path, out = report
    file = out / NAME / name
    act, why = DAMAGES[damage]
    act(file)
    state, record = _state(path, out)
    assert state == "not run", (state, record)
    assert str(file) in record["error"] and why in record["error"], record["error"]
    assert "\n" not in record["error"]
    write_pages(_job(path, out))        # as after another experiment, or a cancel
    assert name not in links(out), links(out)


@pytest.mark.parametrize("name", LISTED)
def test_a_resume_remakes_a_file_cut_short_from_the_saved_runs(report, name):
    """The experiment is made again from its saved runs: the models are read back (their files
    untouched), the file is whole again and the row is done with both models in its figures."""
    path, out = report
    file = out / NAME / name
    file.write_bytes(file.read_bytes()[:50])
    weights = out / NAME / "work" / "runs" / "001" / "model" / "model.safetensors"
    before = weights.stat().st_mtime_ns
    items = list(_job(path, out).steps())
    states = [p.state for p in items]
    assert "skipped" not in states and "failed" not in states and states[-1] == "finished", states
    remade = [p.message for p in items if p.state == "remade"]
    assert len(remade) == 1 and str(file) in remade[0] and "cut short" in remade[0], remade
    state, record = _state(path, out)
    assert state == "done" and record["resumed"] is True
    assert weights.stat().st_mtime_ns == before and models_drawn(out) == MODELS
    assert len(file.read_bytes()) == record["digests"][name]["bytes"] > 50
    assert sorted(links(out)) == sorted(LISTED + ["curves.png"])
    assert [p.state for p in _job(path, out).steps()] == ["skipped", "finished"]


# Records written before done.json kept the files' sizes and digests: their files are checked by
# their form. (damage to the file, what the sentence says)
BY_FORM = {
    ("runs.csv", "its last line cut midway"): (lambda d: d[:-7], "last line is cut off"),
    ("runs.csv", "a row short of a cell"): (lambda d: _drop_a_cell(d), "cells where the header has"),
    ("curves.csv", "empty"): (lambda d: b"", "is empty"),
    ("curves.png", "without its end"): (lambda d: d[:-12], "cut short"),
    ("latent.png", "cut in half"): (lambda d: d[:len(d) // 2], "cut short"),
    ("latent.png", "a byte changed"): (lambda d: d[:100] + bytes([d[100] ^ 1]) + d[101:], "checksum"),
    ("curves.png", "not a PNG"): (lambda d: b"GIF89a" + d[6:], "not a PNG"),
}


def _drop_a_cell(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[1] = lines[1].rsplit(b",", 1)[0]
    return b"\n".join(lines)


@pytest.mark.parametrize("name,damage", BY_FORM, ids=[f"{n} {d}" for n, d in BY_FORM])
def test_a_record_without_digests_checks_its_files_by_their_form(report, name, damage):
    path, out = report
    done = out / NAME / "done.json"
    raw = json.loads(done.read_text())
    raw.pop("digests", None)
    done.write_text(json.dumps(raw))
    assert _state(path, out)[0] == "done"         # whole files pass without their digests
    edit, why = BY_FORM[(name, damage)]
    file = out / NAME / name
    file.write_bytes(edit(file.read_bytes()))
    state, record = _state(path, out)
    assert state == "not run" and str(file) in record["error"] and why in record["error"], record


def test_digests_must_cover_every_listed_file(report):
    path, out = report
    done = out / NAME / "done.json"
    raw = json.loads(done.read_text())
    del raw["digests"]["runs.csv"]
    done.write_text(json.dumps(raw))
    state, record = _state(path, out)
    assert state == "not run" and str(done) in record["error"] and "runs.csv" in record["error"], record
