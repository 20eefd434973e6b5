"""A report row's own seed count (`"options": {"seeds": N}`): the report's rule on seeds (at least 5,
20 where 5 left a verdict that changed on another CPU's kernels) is the report's, while the preset
it runs is the one a user opens, with its own count. The row runs N seeds, states its preset's time
scaled to them, is a new row for its key, and a count the preset cannot take is named when the
report is read, not hours into it."""
import csv
import json

import pytest

from aegui.core.analyses.presets import read_preset
from aegui.core.analyses.report import run as R
from aegui.core.analyses.report.keys import row_key
from aegui.core.schema.experiment import ConfigError

from core_helpers import run_cli

BASE = {"name": "tiny", "data": {"fonts": ["Font3"]},
        "model": {"kind": "ae", "layers": [35, 8, 2, 8, 35], "init": "xavier"},
        "train": {"loss": "bce", "optimizer": "adam", "learning_rate": 0.02, "epochs": 10, "seed": 0,
                  "device": "cpu", "check_every": 5}}


def report(tmp_path, options=None, preset="compare.json"):
    """A one-row report of a two-seed compare file (and a sweep beside it), the row with `options`."""
    (tmp_path / "compare.json").write_text(json.dumps({
        "analysis": "compare", "name": "tiny compare", "base": BASE, "test": "none", "seeds": 2,
        "time_2cores_s": 4, "runs": [{"label": "plain", "changes": {}}]}))
    (tmp_path / "sweep.json").write_text(json.dumps({
        "name": "tiny sweep", "base": BASE, "vary": {"train.learning_rate": [0.01]}, "seeds": 2}))
    row = {"id": "row", "title": "A row", "preset": preset, "document": "The doc's figure.", "figures": ["curves"]}
    if options is not None:
        row["options"] = options
    path = tmp_path / "998.json"
    path.write_text(json.dumps({"document": "998_test.txt", "id": "998", "title": "A test document",
                                "experiments": [row]}))
    return path


def test_a_row_runs_its_own_seeds_and_states_its_presets_time_for_them(tmp_path):
    path = report(tmp_path, {"seeds": 3})
    [spec] = R.load_report(path)
    [exp] = spec.experiments
    info = R.row_preset(exp)
    assert info.seeds == 3 and info.time_2cores_s == pytest.approx(6)     # 4 s for 2 seeds, so 6 for 3
    assert read_preset(exp.preset).time_2cores_s == 4 and read_preset(exp.preset).seeds is None
    out = tmp_path / "out"
    assert run_cli(["report", path, "--out", out, "--quiet"]) == 0
    done = json.loads((out / "998-row" / "done.json").read_text())
    with open(out / "998-row" / "runs.csv", newline="") as f:
        assert [row["seed"] for row in csv.DictReader(f)] == ["0", "1", "2"]
    assert done["stated_s"] == pytest.approx(6)
    # The preset alone (a user's run) keeps its two seeds; the row with the file's count is another row.
    (tmp_path / "plain").mkdir()
    [plain] = R.load_report(report(tmp_path / "plain"))
    assert row_key(plain.experiments[0])[0] != row_key(exp)[0]


@pytest.mark.parametrize("options, preset, says", [
    ({"seeds": 0}, "compare.json", "1 to 100"),
    ({"seeds": "3"}, "compare.json", "1 to 100"),
    ({"seeds": True}, "compare.json", "1 to 100"),
    ({"seeds": 3}, "sweep.json", "sweep preset's seeds are its own"),
    ([3], "compare.json", "must be an object"),
])
def test_a_seed_count_the_preset_cannot_take_is_named_when_the_report_is_read(tmp_path, options, preset, says):
    with pytest.raises(ConfigError) as err:
        R.load_report(report(tmp_path, options, preset))
    assert "experiments[0].options" in str(err.value) and says in str(err.value)


def test_a_preset_whose_seeds_are_not_one_count_refuses_a_count_from_outside(tmp_path):
    report(tmp_path)
    with pytest.raises(ValueError, match="sweep"):
        read_preset(tmp_path / "sweep.json", seeds=3)


def test_a_rows_seed_count_reaches_its_job_here_and_on_ray(tmp_path):
    """The Ray jobs are built without a cluster here: what they would send is the spec."""
    from aegui.core.analyses.presets import preset_job
    from aegui.core.analyses.report.on_ray import RayWholeRowJob, row_job
    from test_classifier_seeds import raw_spec, tiny_mnist
    (tmp_path / "classifier.json").write_text(json.dumps(raw_spec(tiny_mnist(tmp_path / "data"), seeds=2)))
    classifier = read_preset(tmp_path / "classifier.json", seeds=20)
    assert preset_job(classifier).spec.seeds == RayWholeRowJob(classifier, None).spec.seeds == 20
    assert preset_job(read_preset(tmp_path / "classifier.json")).spec.seeds == 2
    report(tmp_path)
    compare = read_preset(tmp_path / "compare.json", seeds=4)
    assert preset_job(compare).spec.seeds == row_job(compare, None, None).spec.seeds == 4
