"""A glyph model's familiarity limit (how unlike its training glyphs a drawing may be before the
editor calls it unfamiliar) is measured over 20 augmented copies of every training glyph: 0.1-0.6 s
a model, paid again at every opening. The sidecar keeps it; opening reads it back instead of
measuring, as long as it was measured the same way, and a damaged entry is measured again."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import aegui.core.models.familiarity as F
from aegui.core.runs.trained import open_trained

MODELS = Path(__file__).resolve().parents[3] / "models"
SHIPPED = sorted(p.name for p in MODELS.iterdir() if (p / "model.json").is_file())


def _measured(model):
    """The limit measured afresh for an opened model, ignoring what its sidecar says."""
    from aegui.core.models import latent
    return F.familiarity(lambda x: latent.reconstruct(model.model, x), model.dataset.x, model.experiment.augment)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_model_keeps_the_limit_it_measures(name):
    """The demo models' sidecars hold what measuring gives for their weights."""
    model = open_trained(MODELS / name)
    kept = json.loads((MODELS / name / "model.json").read_text())["familiarity"]
    fresh = _measured(model)
    assert kept["limit"] == pytest.approx(fresh.limit, rel=1e-5)
    assert kept["training_max"] == pytest.approx(fresh.training_max, rel=1e-5, abs=1e-7)


def test_a_saved_model_opens_without_measuring_again(tmp_path, monkeypatch):
    model = open_trained(MODELS / "font3-dae")
    before = model.familiarity()
    model.save(tmp_path / "again")
    assert json.loads((tmp_path / "again" / "model.json").read_text())["familiarity"]["limit"] == before.limit

    def measured(*a, **k):
        raise AssertionError("measured again although the sidecar kept it")
    monkeypatch.setattr(F, "familiarity", measured)
    again = open_trained(tmp_path / "again")
    fam = again.familiarity()
    assert (fam.limit, fam.training_max) == (before.limit, before.training_max)
    glyph = again.dataset.x[0]
    assert fam.error(glyph) == pytest.approx(before.error(glyph))


@pytest.mark.parametrize("damage", [{"limit": "big"}, {"limit": -1.0}, {"limit": float("nan")},
                                    {"copies": 5}, {"quantile": 0.9}, None])
def test_a_damaged_or_other_entry_is_measured_again(tmp_path, damage):
    folder = tmp_path / "m"
    shutil.copytree(MODELS / "font3-dae", folder)
    meta = json.loads((folder / "model.json").read_text())
    kept = meta["familiarity"]
    if damage is None:
        del meta["familiarity"]
    else:
        meta["familiarity"] = {**kept, **damage}
    (folder / "model.json").write_text(json.dumps(meta))      # NaN is written as JSON's NaN
    fam = open_trained(folder).familiarity()
    assert np.isfinite(fam.limit) and fam.limit == pytest.approx(kept["limit"], rel=1e-5)
