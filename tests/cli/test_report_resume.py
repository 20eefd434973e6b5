"""`aegui report` resuming from a damaged report folder: `--list` and the resume name the bad file
and what is wrong with it (never a traceback), the resume makes it again and ends with every
model in the figures, and a FAILED experiment left by a bad file is cleared by `--rerun`."""
import json

import pytest

from core_helpers import last_json, run_cli
from report_helpers import MODELS, NAME, copy_report, edit_json, finished_report, models_drawn


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return finished_report(tmp_path_factory.mktemp("pristine"))


@pytest.fixture
def report(pristine, tmp_path):
    return copy_report(pristine, tmp_path / "copy")


@pytest.mark.parametrize("edit", [lambda r: {**r, "seconds": "x"}, lambda r: {k: v for k, v in r.items()
                                                                             if k != "seconds"},
                                  lambda r: {**r, "tables": 5}], ids=["seconds x", "no seconds", "tables 5"])
def test_list_names_a_damaged_done_json_instead_of_a_traceback(report, capsys, edit):
    """--list of a folder whose done.json is valid JSON of the wrong shape shows the experiment
    as to run with a line naming done.json and the field; before, it stopped with "Unknown
    format code 'g' for object of type 'str'" (or listed it as done)."""
    path, out = report
    done = out / NAME / "done.json"
    edit_json(done, edit)
    assert run_cli(["report", path, "--out", out, "--list"]) == 0
    text = capsys.readouterr().out
    assert "to run" in text and str(done) in text and ("seconds" in text or "tables" in text), text


def test_resume_trains_a_run_whose_model_is_gone_and_says_so(report, capsys):
    """Deleting one saved run's model.json and done.json, then resuming: the run is trained
    again, stderr names its model folder, and the figures keep both models; before, the report
    said "done" (exit 0) with the denoising model's row missing."""
    path, out = report
    model = out / NAME / "work" / "runs" / "001" / "model"
    (model / "model.json").unlink()
    (out / NAME / "done.json").unlink()
    assert run_cli(["report", path, "--out", out]) == 0
    captured = capsys.readouterr()
    assert str(model) in captured.err and "training run 'denoising' again" in captured.err, captured.err
    assert [e["state"] for e in last_json(captured.out)["experiments"]] == ["done"]
    assert models_drawn(out) == MODELS


def test_rerun_clears_a_failure_left_by_a_bad_run_json(report, capsys):
    """An experiment that FAILED on a damaged run.json (as it did before the typed reader: a
    bare "AttributeError: 'list' object has no attribute 'get'") is run again by --rerun: the
    message names run.json, the run is trained again and the failure is gone."""
    path, out = report
    run_json = out / NAME / "work" / "runs" / "001" / "run.json"
    run_json.write_text("[]")
    (out / NAME / "done.json").unlink()
    (out / NAME / "failed.json").write_text(json.dumps({"key": "k", "error": "AttributeError: 'list' object has "
                                                                           "no attribute 'get'"}))
    assert run_cli(["report", path, "--out", out, "--rerun", "glyphs"]) == 0
    captured = capsys.readouterr()
    assert str(run_json) in captured.err and "FAILED" not in captured.err, captured.err
    assert [e["state"] for e in last_json(captured.out)["experiments"]] == ["done"]
    assert not (out / NAME / "failed.json").exists() and models_drawn(out) == MODELS


def test_a_table_cut_short_is_listed_remade_and_never_linked_broken(report, capsys):
    """runs.csv cut to 50 bytes in a finished report: --list shows the experiment as to run with a
    line naming runs.csv and why, the resume says so and makes it again from the saved runs
    (exit 0), and the page links the whole table. Before, --list and the resume both said "done"
    and the page linked the broken file."""
    path, out = report
    table = out / NAME / "runs.csv"
    whole = table.read_bytes()
    table.write_bytes(whole[:50])
    assert run_cli(["report", path, "--out", out, "--list"]) == 0
    listed = capsys.readouterr().out
    assert "to run" in listed and "done (" not in listed, listed
    assert f"{table}: (file): cut short: 50 bytes where done.json recorded {len(whole)}" in listed, listed
    assert run_cli(["report", path, "--out", out]) == 0
    captured = capsys.readouterr()
    assert f"damaged: {table}" in captured.err and "already done" not in captured.err, captured.err
    assert [e["state"] for e in last_json(captured.out)["experiments"]] == ["done"]
    assert table.read_bytes() == whole and models_drawn(out) == MODELS
    assert f"href='{NAME}/runs.csv'" in (out / "index.html").read_text()
