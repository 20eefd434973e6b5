"""A course report resumes from the files it left in its folder: each experiment's done.json
(and the tables and figures it lists), its waiting.json / failed.json notes, and the compare
presets' saved runs (work/runs/NNN/run.json beside the trained model). A missing or damaged one
must never make a resumed report "finish" with a model silently left out of the figures, nor
stop it with a traceback: the report names the file and what is wrong with it, and makes it
again (the run trained again, the experiment run again)."""
import json

import pytest

from aegui.core.analyses.report import run as R

from report_helpers import MODELS, NAME, copy_report, edit_json, finished_report, models_drawn


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return finished_report(tmp_path_factory.mktemp("pristine"))


@pytest.fixture
def report(pristine, tmp_path):
    return copy_report(pristine, tmp_path / "copy")


def resume(path, out, **kw) -> list[dict]:
    return list(R.ReportJob(R.load_report(path), out, **kw).steps())


def remade(items) -> list[str]:
    return [p.message for p in items if p.state == "remade"]


def _file_for_folder(path):
    import shutil
    shutil.rmtree(path)
    path.write_text("not a folder\n")


# The second run's (the denoising model's) saved files, damaged; (damage, what the message names).
DAMAGED_RUNS = {
    "model.json deleted": (lambda run: (run / "model" / "model.json").unlink(), "model"),
    "model weights deleted": (lambda run: (run / "model" / "model.safetensors").unlink(), "model"),
    "model folder replaced by a file": (lambda run: _file_for_folder(run / "model"), "model"),
    "run folder replaced by a file": (_file_for_folder, ""),
    "run.json a list": (lambda run: edit_json(run / "run.json", []), "run.json"),
    "run.json without epochs": (lambda run: edit_json(run / "run.json", lambda r: {k: v for k, v in r.items()
                                                                                   if k != "epochs"}), "epochs"),
    "string losses": (lambda run: edit_json(run / "run.json", lambda r: {**r, "train_loss": ["x"]}), "train_loss"),
    "null seconds": (lambda run: edit_json(run / "run.json", lambda r: {**r, "seconds": None}), "seconds"),
    "fewer losses than epochs": (lambda run: edit_json(run / "run.json", lambda r: {**r, "test_loss": []}),
                                 "test_loss"),
    "metrics not numbers": (lambda run: edit_json(run / "run.json", lambda r: {**r, "metrics": {"train_mse": "x"}}),
                            "metrics"),
    "run.json not JSON": (lambda run: (run / "run.json").write_text('{"key": '), "run.json"),
}


@pytest.mark.parametrize("damage", DAMAGED_RUNS, ids=list(DAMAGED_RUNS))
def test_a_missing_or_damaged_saved_run_is_named_and_trained_again(report, damage):
    """Resuming after a saved run lost its model (or its run.json was damaged) trains that run
    again: the report finishes with every model in its figures, says which file was bad, and
    leaves the run saved whole for the next resume. Before, the run came back without its model
    and its row vanished from the figures (exit 0), or the experiment FAILED with a bare
    KeyError / TypeError that named no file, every time it was run again."""
    path, out = report
    run = out / NAME / "work" / "runs" / "001"
    act, named = DAMAGED_RUNS[damage]
    act(run)
    (out / NAME / "done.json").unlink()
    items = resume(path, out)
    assert [p.state for p in items if p.state in ("failed", "experiment_done")] == ["experiment_done"]
    assert items[-1].state == "finished"
    assert models_drawn(out) == MODELS
    messages = remade(items)
    assert len(messages) == 1 and str(run) in messages[0] and named in messages[0], messages
    from aegui.core.analyses.report import files as RF
    assert RF.read_saved_run(run, json.loads((run / "run.json").read_text())["key"]) is not None
    again = resume(path, out, rerun=("glyphs",))
    assert remade(again) == [] and models_drawn(out) == MODELS


DAMAGED_DONE = {
    "seconds a string": (lambda r: {**r, "seconds": "x"}, "seconds"),
    "seconds missing": (lambda r: {k: v for k, v in r.items() if k != "seconds"}, "seconds"),
    "seconds infinite": (lambda r: {**r, "seconds": 1e999}, "seconds"),
    "tables a number": (lambda r: {**r, "tables": 5}, "tables"),
    "a table outside the folder": (lambda r: {**r, "tables": ["../../999.json"]}, "tables"),
    "a table that is not there": (lambda r: {**r, "tables": ["gone.csv"]}, "gone.csv"),
    "a figure that is not there": (lambda r: {**r, "files": ["gone.png"]}, "gone.png"),
    "findings of the wrong kind": (lambda r: {**r, "findings": [{"claim": 1, "measured": "x"}]}, "findings"),
    "a list": (lambda r: [r], "object"),
    "no key": (lambda r: {k: v for k, v in r.items() if k != "key"}, "key"),
}


@pytest.mark.parametrize("damage", DAMAGED_DONE, ids=list(DAMAGED_DONE))
def test_a_damaged_done_json_is_named_and_the_experiment_made_again(report, damage):
    """A done.json that is valid JSON but not a finished experiment's record ("seconds": "x",
    "tables": 5, a table that is gone...) is shown as not run with a sentence naming it and what
    is wrong, and resuming runs the experiment again (its saved runs read back) instead of
    stopping with a traceback while writing the page."""
    path, out = report
    done = out / NAME / "done.json"
    edit, named = DAMAGED_DONE[damage]
    edit_json(done, edit)
    job = R.ReportJob(R.load_report(path), out)
    state, record = job.state(job.specs[0], job.specs[0].experiments[0])
    assert state == "not run" and str(done) in record["error"] and named in record["error"], record
    items = resume(path, out)
    messages = remade(items)
    assert len(messages) == 1 and str(done) in messages[0] and named in messages[0], messages
    assert [p.state for p in items if p.state in ("failed", "experiment_done")] == ["experiment_done"]
    state, record = job.state(job.specs[0], job.specs[0].experiments[0])
    assert state == "done" and record["seconds"] > 0 and models_drawn(out) == MODELS


def test_an_unreadable_table_is_named_and_made_again(report):
    """A table the page shows (curves.csv) that is no longer text is named, and the experiment
    that wrote it runs again; before, writing the page stopped with a UnicodeDecodeError."""
    path, out = report
    table = out / NAME / "curves.csv"
    table.write_bytes(b"\xff\xfe\x00bad")
    items = resume(path, out)
    messages = remade(items)
    assert len(messages) == 1 and str(table) in messages[0], messages
    assert table.read_text(encoding="utf-8").startswith("run,label")


@pytest.mark.parametrize("name,raw", [("failed.json", {"error": 5}), ("failed.json", [1]),
                                      ("waiting.json", {"reason": ["x"]}), ("failed.json", "nope")])
def test_damaged_notes_do_not_stop_the_page(report, name, raw):
    """A failed.json or waiting.json of the wrong shape is read as no note (the experiment is
    shown as not run, naming the file) rather than a traceback while the page is written."""
    path, out = report
    (out / NAME / "done.json").unlink()
    note = out / NAME / name
    note.write_text(json.dumps(raw))
    job = R.ReportJob(R.load_report(path), out)
    state, record = job.state(job.specs[0], job.specs[0].experiments[0])
    assert state == "not run" and str(note) in record["error"]
    from aegui.core.analyses.report.page import write_pages
    assert "not run" in write_pages(job)["markdown"].read_text()


def test_the_readers_accept_what_the_report_wrote(pristine):
    """The typed readers take every file a finished report wrote as it is (so a whole report is
    never taken for a damaged one and run again)."""
    from aegui.core.analyses.report import files as RF
    path, out = pristine
    job = R.ReportJob(R.load_report(path), out)
    exp = job.specs[0].experiments[0]
    done = RF.read_done(out / NAME, R.preset_key(exp))
    assert done is not None and done.seconds > 0 and done.tables == ("curves.csv", "runs.csv")
    assert RF.read_done(out / NAME, "another-key") is None
    for run in sorted((out / NAME / "work" / "runs").iterdir()):
        key = json.loads((run / "run.json").read_text())["key"]
        saved = RF.read_saved_run(run, key)
        assert saved is not None and len(saved.epochs) == len(saved.train_loss) == len(saved.test_loss)
        assert RF.read_saved_run(run, "another-key") is None


def _stage() -> dict:
    import numpy as np
    from aegui.core.analyses.classify.classifier import StageResult, classification_report
    confusion = np.array([[5, 1], [2, 4]])
    result = StageResult("pixels", "pixels", ["a", "b"], 0.75, 0.8, confusion,
                         [{"epoch": 1, "loss": 0.5, "train_accuracy": 0.7, "val_accuracy": None, "val_loss": None}],
                         1.5, classification_report(confusion, ["a", "b"]), 100, 12, "k1")
    return json.loads(json.dumps(result.to_dict()))


@pytest.mark.parametrize("edit,named", [
    (lambda r: [r], "object"), (lambda r: {**r, "accuracy": "x"}, "accuracy"),
    (lambda r: {k: v for k, v in r.items() if k != "history"}, "history"),
    (lambda r: {**r, "confusion": [[1, 2, 3]]}, "confusion"), (lambda r: {**r, "report": {"macro": 1}}, "report"),
    (lambda r: {**r, "seconds": None}, "seconds")])
def test_a_damaged_classifier_stage_is_named(tmp_path, edit, named):
    """A classifier preset's saved stage (work/<stage>.json) of the wrong shape is named with
    the field; before, StageResult.from_dict raised a bare TypeError / KeyError that failed the
    experiment on every resume. A whole one (as the job writes it) is read back as it was."""
    from aegui.core.analyses.report import files as RF
    from aegui.core.schema.experiment import ConfigError
    path = tmp_path / "pixels.json"
    path.write_text(json.dumps(_stage()))
    assert RF.read_saved_stage(path, "k1") == _stage() and RF.read_saved_stage(path, "k2") is None
    edit_json(path, edit)
    with pytest.raises(ConfigError) as err:
        RF.read_saved_stage(path, "k1")
    assert str(path) in str(err.value) and named in str(err.value)


def test_the_shipped_course_reports_read_back_whole():
    """Every done.json of the report the docs ship (docs/course-reports) passes the typed
    reader's checks, so a stricter reader never takes a whole, hours-long report for a damaged
    one and runs it again."""
    from aegui.core.analyses.report import files as RF
    from core_helpers import ROOT
    folders = sorted(p.parent for p in (ROOT / "docs" / "course-reports").glob("*/done.json"))
    assert len(folders) >= 20
    for folder in folders:
        RF.check_done(json.loads((folder / "done.json").read_text()), folder)
