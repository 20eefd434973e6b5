"""The fonts probe sat at chance; its replacement classifies noisy copies
of each glyph by the glyph they copy, from the codes and from the pixels."""
from dataclasses import replace

import pytest

from aegui.core.analyses.classify.probe import ProbeRunJob, load_spec, noisy_copies, spec_from_dict
from aegui.core.schema.experiment import ConfigError
from aegui.core.config.validation import with_changes

from core_helpers import ROOT

ANALYSES = ROOT / "resources" / "analyses"


def test_the_chance_level_fonts_probe_is_gone_and_the_noisy_glyph_probes_ship():
    assert not (ANALYSES / "probe-fonts.json").exists()
    spec = load_spec(ANALYSES / "probe-noisy-glyphs.json")
    assert spec.noise == ("salt_pepper", 0.2, 20, 0) and spec.base.model.kind == "dae"
    assert load_spec(ANALYSES / "probe-noisy-glyphs-ae2d.json").base.model.latent_dim == 2


def test_noisy_copies_are_labelled_by_the_glyph_they_copy(font3):
    data = noisy_copies(font3, ("salt_pepper", 0.2, 5, 0))
    assert len(data) == 160 and data.labels[:5] == [font3.labels[0]] * 5 and not data.codes
    changed = (abs(data.x[:5] - font3.x[0]) > 0.5).sum(1)
    assert changed.mean() == pytest.approx(0.2 * 35 / 2, abs=2.5)


def test_a_short_noisy_glyph_probe_learns_far_above_chance():
    spec = load_spec(ANALYSES / "probe-noisy-glyphs.json")
    base = with_changes(spec.base, train={"epochs": 400})
    spec = replace(spec, base=base, config=replace(spec.config, epochs=150))
    run = ProbeRunJob(spec).run()
    assert len(run.probe.classes) == 32                      # chance: 1/32
    assert run.probe.val_accuracy > 0.5 and run.baseline.val_accuracy > 0.5


def test_a_bad_noise_object_names_the_key():
    with pytest.raises(ConfigError) as e:
        spec_from_dict({"analysis": "probe", "model": "m", "noise": {"kind": "salt", "level": 0.2}})
    assert e.value.field == "noise.kind"
