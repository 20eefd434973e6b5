"""Teaching the editor's model as the window does (aegui.core.workspace.teach_run) and the
workspace's side of it: the taught model joins the list and becomes the shown and the editor's
model; Revert goes back to the model teaching started from; Cancel keeps nothing."""
import json
import threading

import numpy as np
import pytest

from aegui.core.analyses.teach import TeachError, TeachProgress, TeachSettings
from aegui.core.data.glyphs import read_font_h
from aegui.core.jobs.job import Progress
from aegui.core.runs.trained import open_trained
from aegui.core.workspace.teach_run import TeachJob, TeachOutcome
from aegui.core.workspace.workspace import Workspace

from core_helpers import ROOT


@pytest.fixture(scope="module")
def base():
    return open_trained(ROOT / "models" / "general-5x7-dae")


@pytest.fixture(scope="module")
def lcd():
    return {g.label: g.to_array() for g in read_font_h(ROOT / "resources" / "lcd-glyphs.h")[0].glyphs}


@pytest.fixture(scope="module")
def outcome(base, lcd, tmp_path_factory):
    folder = tmp_path_factory.mktemp("taught") / "run"
    job = TeachJob(base, [lcd["bell"], lcd["heart"]], ["bell", "heart"], folder, TeachSettings(epochs=200))
    items = list(job.steps())
    assert all(isinstance(i, TeachProgress) and i.result is None for i in items[:-1])
    assert isinstance(items[-1], Progress) and isinstance(items[-1].result, TeachOutcome)
    assert all(i.fraction == (i.epoch - 1 + i.batch / i.batches if i.batch else i.epoch) / 200 for i in items)
    assert items[-1].fraction == 1.0
    return items[-1].result


def test_the_taught_model_is_saved_and_opened_as_any_model(outcome, base, lcd):
    m = outcome.model
    assert m.taught_from is base and outcome.base is base and outcome.labels == ["bell", "heart"]
    assert m.path == outcome.saved and (m.path / "model.json").exists() and (m.path / "metrics.csv").exists()
    [glyph_file] = m.experiment.data.extra_glyphs
    assert [g.label for g in read_font_h(glyph_file)[0].glyphs] == ["bell", "heart"]
    # Its dataset holds the new glyphs after its own, its view is computed, its history read back.
    assert m.dataset.labels[-2:] == ["bell", "heart"] and len(m.dataset) == len(base.dataset) + 2
    assert m.view is not None and len(m.history) > 0
    assert m.dirty and m.trained == ("px", m.metrics["max_wrong_pixels"])
    sidecar = json.loads((m.path / "model.json").read_text())
    assert sidecar["taught"]["labels"] == ["bell", "heart"] and sidecar["taught"]["base_model"] == str(base.path)
    # Before / after on the same noisy copies: the new glyphs come back far better.
    s = outcome.scores["10%"]
    assert s["after"] < s["before"] and s["after"] <= s["noisy_input"] / 2
    assert sidecar["taught"]["scores"]["new"]["10%"] == s


def test_cancel_keeps_nothing(base, lcd, tmp_path):
    job = TeachJob(base, [lcd["lock"]], ["lock"], tmp_path / "run", TeachSettings(epochs=100_000))
    items = []
    for item in job.steps():
        items.append(item)
        if len(items) == 2:
            threading.Thread(target=job.cancel).start()
    assert items and all(isinstance(i, TeachProgress) for i in items)
    assert items[-1].state == "stopped" and not (tmp_path / "run").exists()


def test_no_model_or_no_glyph_model_is_refused(base, lcd, tmp_path):
    with pytest.raises(TeachError, match="no model to teach"):
        TeachJob(None, [lcd["lock"]], ["lock"], tmp_path)
    font3_ae = open_trained(ROOT / "models" / "font3-ae2d", view=False)
    TeachJob(font3_ae, [lcd["lock"]], ["lock"], tmp_path)        # a font.h model of any kind can learn
    with pytest.raises(TeachError, match="2 glyphs but 1 labels"):
        TeachJob(base, [lcd["lock"], lcd["bell"]], ["lock"], tmp_path)


def test_the_taught_model_becomes_the_editor_s_and_reverts_in_one_step_leaving_the_map_alone(outcome, base):
    ws = Workspace()
    other = open_trained(ROOT / "models" / "font3-ae2d", view=False)
    ws.opened_at_start([other, base], False, [], "")
    assert ws.current is other and ws.editor_model() is base     # as the window opens
    events = []
    ws.editor_changed.connect(lambda model, previous: events.append(("editor", model)))
    ws.current_changed.connect(lambda model, previous: events.append(("current", model)))
    taught = outcome.model
    ws.report_taught(taught)
    assert ws.current is other and ws.editor_model() is taught and ws.models[-1] is taught
    assert ("editor", taught) in events and not any(e[0] == "current" for e in events)
    assert ws.taught_root(taught) is base and ws.taught_root(base) is None
    assert ws.revert_taught() is base
    assert ws.editor_model() is base and ws.current is other and taught in ws.models
    assert not any(e[0] == "current" for e in events)
    # The user may show the taught model on the map; Revert still leaves the map alone.
    ws.set_current(taught)
    ws.set_editor_choice(taught)
    assert ws.revert_taught() is base and ws.current is taught and ws.editor_model() is base
    assert ws.revert_taught() is None          # nothing left to revert
    ws.teach_requested.connect(lambda images, labels, source: events.append(("teach", labels, source)))
    ws.teach([np.zeros((7, 5))], ["x"], "library")
    assert events[-1] == ("teach", ["x"], "library")
