"""The held-out protocol of the denoising curve: leave one font out, or test on a user's font.h."""
import pytest

from core_helpers import small_experiment

from aegui.core.analyses.denoise.curve import CurveSpec, DenoiseCurveJob, spec_from_dict
from aegui.core.schema.experiment import ConfigError
from aegui.core.data import glyphs as G
from aegui.core.data.datasets import font_dataset
from aegui.core.files.paths import course_font_path


def base(fonts=("all",)):
    return small_experiment(data={"fonts": fonts}, model={"kind": "dae", "layers": (35, 16, 35)},
                            train={"epochs": 10})


def spec(**kw):
    values = dict(base=base(), seeds=2, kinds=("salt_pepper",), levels=(0.0, 0.1), repeats=2,
                  char_level=0.1)
    values.update(kw)
    return CurveSpec(**values).validate()


def test_leave_one_out_trains_on_the_other_fonts_and_measures_the_left_out_one():
    job = DenoiseCurveJob(spec(leave_out="font2"))        # names are matched as the loader does
    assert job.experiment.data.fonts == ("Font1", "Font3")
    assert len(job.data) == 64 and job.test_data.labels == font_dataset(("Font2",)).labels
    assert not set(job.test_data.labels) & set(job.data.labels) - {"space"}
    result = job.run()
    assert result.wrong.shape == (1, 2, 2, 32) and result.dataset.startswith("Font2 (left out")
    c = result.curve("salt_pepper")
    assert c["baseline_mean"][0] == 0 and c["baseline_mean"][1] > 0    # the noisy input beside it


def test_leave_out_of_a_two_font_base_keeps_the_other():
    job = DenoiseCurveJob(spec(base=base(("Font1", "Font3")), leave_out="Font3"))
    assert job.experiment.data.fonts == ("Font1",) and len(job.test_data) == 32


@pytest.mark.parametrize("kw, field", [
    ({"leave_out": "Font9"}, "leave_out"),
    ({"base": base(("Font2",)), "leave_out": "Font2"}, "leave_out"),
    ({"leave_out": "Font1", "test_on": "x.h"}, "test_on"),
    ({"test_fonts": ("LCD",)}, "test_fonts"),
])
def test_bad_held_out_settings_name_the_key(kw, field):
    with pytest.raises(ConfigError) as e:
        DenoiseCurveJob(spec(**kw))
    assert e.value.field == field


def test_test_on_reads_the_users_file_relative_to_the_spec(tmp_path):
    caps = G.read_font_h(course_font_path())[1]
    (tmp_path / "mine.h").write_text(G.write_font_h([G.Font("LCD", caps.glyphs[1:4])]))
    raw = {"analysis": "denoising_curve", "base": base().to_dict(), "seeds": 1, "kinds": ["salt_pepper"],
           "levels": [0, 0.1], "repeats": 1, "char_level": 0.1, "test_on": "mine.h", "test_fonts": ["LCD"]}
    job = DenoiseCurveJob(spec_from_dict(raw, "spec.json", tmp_path))
    assert job.test_data.labels == ["A", "B", "C"] and len(job.data) == 96
    raw["test_fonts"] = ["Nope"]
    with pytest.raises(ConfigError) as e:
        DenoiseCurveJob(spec_from_dict(raw, "spec.json", tmp_path))
    assert e.value.field == "test_fonts" and "LCD" in e.value.problem
