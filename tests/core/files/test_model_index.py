"""File > Models… lists the models saved in the autosave folder from their sidecars alone (name,
kind, when trained), and a model trained in the window keeps its training time when saved again."""
import json
import time

from aegui.core.config.validation import with_changes
from aegui.core.files.model_index import read_stamp, saved_models, stamp
from aegui.core.runs.trained import TrainedModel, open_trained


def test_saved_models_are_read_from_their_sidecars(tmp_path, trained, font3):
    model, exp, _ = trained
    TrainedModel("a", model, with_changes(exp, name="a"), font3).save(tmp_path / "20250101-120000")
    TrainedModel("b", model, with_changes(exp, name="b", model={"kind": "dae"}), font3).save(tmp_path / "20250102-120000")
    (tmp_path / "not a model").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "model.json").write_text("{")
    found = saved_models(tmp_path)
    assert [(m.path.name, m.name, m.kind) for m in found] == [("20250101-120000", "a", "ae"),
                                                              ("20250102-120000", "b", "dae")]
    assert all(abs(m.trained_at - time.time()) < 60 for m in found)


def test_the_training_time_survives_a_save_and_an_open(tmp_path, trained, font3):
    model, exp, _ = trained
    when = read_stamp("2024-03-05T09:10:11+0000")
    TrainedModel("a", model, exp, font3, trained_at=when).save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert read_stamp(meta["trained_at"]) == when and meta["trained_at"] == stamp(when)
    assert open_trained(tmp_path / "m").trained_at == when
