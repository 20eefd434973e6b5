"""A finished course report's folder, damaged at random (hypothesis), then listed and resumed.

The invariant: listing never raises; resuming ends "finished" with the experiment done, every
model in its figures, and each damaged file it had to make again named (its path, inside the
report folder) - never a FAILED experiment, a traceback, or a model silently left out. A second
resume then finds everything whole. And a figure or table done.json lists that is no longer what
was written (cut short at any length, emptied, gone, garbled), with done.json as written, is
never "done" nor skipped by the resume. AEGUI_FUZZ_EXAMPLES sets the examples (`make fuzz`: 1000);
each resume retrains at most the tiny runs it lost, about a second.
"""
from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fuzzing import EXAMPLES, FUZZ, FUZZ_SETTINGS, edited_json, mutated

from aegui.core.analyses.report import run as R
from report_helpers import MODELS, NAME, copy_report, finished_report, models_drawn

JSON_FILES = ["done.json", "failed.json", "waiting.json", "work/runs/000/run.json", "work/runs/001/run.json",
              "work/runs/001/model/model.json"]
OTHER_FILES = ["curves.csv", "runs.csv", "curves.png", "latent.png", "work/runs/001/model/model.safetensors"]
FOLDERS = ["work", "work/runs", "work/runs/000", "work/runs/001", "work/runs/001/model"]
# A few whole reports per example are slow-ish: the default run takes fewer than the readers'.
SETTINGS = settings(FUZZ_SETTINGS, max_examples=EXAMPLES if FUZZ else 6)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    path, out = finished_report(tmp_path_factory.mktemp("pristine"))
    (out / NAME / "failed.json").write_text(json.dumps({"key": "old", "error": "an earlier failure"}))
    (out / NAME / "waiting.json").write_text(json.dumps({"key": "old", "reason": "needs data"}))
    return path, out


@st.composite
def damage(draw):
    """(kind, where, payload): one thing done to one file or folder of the experiment's folder."""
    kind = draw(st.sampled_from(["edit", "bytes", "delete", "folder", "file", "text", "cut"]))
    if kind == "cut":       # the file cut short: its first `payload` bytes of a hundred kept
        return kind, draw(st.sampled_from(JSON_FILES + OTHER_FILES)), draw(st.integers(0, 99))
    if kind == "edit":
        return kind, draw(st.sampled_from(JSON_FILES)), draw(st.integers(0, 2 ** 32 - 1))
    if kind == "bytes":
        return kind, draw(st.sampled_from(JSON_FILES + OTHER_FILES)), draw(st.integers(0, 2 ** 32 - 1))
    if kind == "text":
        return kind, draw(st.sampled_from(JSON_FILES + OTHER_FILES)), draw(st.sampled_from(
            ["", "[]", "null", "5", '"x"', "{}", '{"key": null}', "\x00\xff", '{"seconds": "x"}',
             '{"tables": 5}', '{"epochs": null}']))
    if kind == "file":
        return kind, draw(st.sampled_from(FOLDERS + ["."])), None
    return kind, draw(st.sampled_from(JSON_FILES + OTHER_FILES + FOLDERS)), None


def _apply(folder, kind, where, payload, data) -> None:
    target = folder / where
    if not target.parent.is_dir():
        return                      # an earlier damage took its folder
    if kind == "file" or (kind == "delete" and target.is_dir()):
        if target.is_dir():
            shutil.rmtree(target)
        if kind == "file":
            target.write_text("not a folder\n")
        return
    if kind == "delete":
        target.unlink(missing_ok=True)
    elif kind == "folder":
        if target.is_file():
            target.unlink()
        target.mkdir(exist_ok=True)
    elif kind == "cut":
        if target.is_file():
            data = target.read_bytes()
            target.write_bytes(data[:len(data) * payload // 100])
    elif kind == "text":
        if not target.is_dir():
            target.write_bytes(payload.encode("utf-8", "surrogatepass"))
    elif target.is_file():
        original = target.read_bytes()
        if kind == "edit":
            try:
                doc = json.loads(original)
            except ValueError:
                return
            target.write_text(json.dumps(data.draw(edited_json(doc))))
        else:
            target.write_bytes(data.draw(mutated(original[:4096], max_ops=6)))


@SETTINGS
@given(damages=st.lists(damage(), min_size=1, max_size=3), data=st.data())
@example(damages=[("delete", "work/runs/001/model/model.json", None), ("delete", "done.json", None)],
         data=None)
@example(damages=[("file", "work/runs/001", None)], data=None)
@example(damages=[("text", "done.json", '{"seconds": "x"}')], data=None)
@example(damages=[("file", ".", None)], data=None)
@example(damages=[("cut", "runs.csv", 22)], data=None)            # 50 of its 222 bytes
@example(damages=[("cut", "curves.png", 99)], data=None)
def test_a_damaged_report_folder_is_named_and_made_again(pristine, tmp_path_factory, damages, data):
    path, out = copy_report(pristine, tmp_path_factory.mktemp("damaged"))
    for kind, where, payload in damages:
        _apply(out / NAME, kind, where, payload, data)
    job = R.ReportJob(R.load_report(path), out)
    spec, exp = job.specs[0], job.specs[0].experiments[0]
    before, _ = job.state(spec, exp)                     # what --list and the window show: never raises
    items = list(job.steps())
    states = [p.state for p in items]
    if _a_listed_file_differs(pristine[1] / NAME, out / NAME):
        assert before != "done" and "skipped" not in states, (before, states)
    assert states[-1] == "finished" and "failed" not in states, [p.message for p in items]
    for p in items:
        if p.state == "remade":
            assert str(out) in p.message and "\n" not in p.message, p.message
    state, record = job.state(spec, exp)
    assert state == "done", record
    if "experiment_done" in states:
        assert models_drawn(out) == MODELS
    again = [p.state for p in R.ReportJob(R.load_report(path), out).steps()]
    assert again == ["skipped", "finished"], again


def _a_listed_file_differs(whole, damaged) -> bool:
    """A file done.json lists is no longer what was written, while done.json itself is as written."""
    done = damaged / "done.json"
    if done.is_symlink() or not done.is_file() or done.read_bytes() != (whole / "done.json").read_bytes():
        return False
    raw = json.loads(done.read_text())
    for name in {*raw["files"], *raw["tables"], raw["figure"]}:
        file = damaged / name
        if file.is_symlink() or not file.is_file() or file.read_bytes() != (whole / name).read_bytes():
            return True
    return False
