"""The architecture registry (aegui/core/archs/): every entry describes its model truthfully, and
the registry is what validation, the builder's fields and the memory guard read."""
import json
import subprocess
import sys

import pytest
import torch

from aegui.core import archs
from aegui.core.archs import ARCHS, arch_of, build_model, parameter_count
from aegui.core.schema.experiment import ConfigError, ModelSpec
from aegui.core.config.fields import FIELDS
from core_helpers import ROOT

# Models of the built-in architectures whose layer chains and feature maps are checked below; what
# every registered architecture must do is checked over the registry in test_every_architecture.py.
SPECS = {
    "mlp": ModelSpec(layers=(35, 10, 2, 10, 35)),
    "conv": ModelSpec(arch="conv", layers=(64, 4, 64), channels=(3, 5), input_shape=(8, 8)),
    "local": ModelSpec(arch="local", layers=(35, 140, 35), channels=(4, 4), input_shape=(7, 5)),
}


def test_the_builder_offers_the_registered_architectures_with_their_labels():
    names, labels = FIELDS["model.arch"].choices, FIELDS["model.arch"].choice_labels
    assert tuple(names) == tuple(ARCHS) and dict(labels) == {n: a.label for n, a in ARCHS.items()}


def test_every_label_has_its_spanish():
    catalogue = json.loads((ROOT / "resources" / "i18n" / "es.json").read_text(encoding="utf-8"))
    spanish = {k for section in catalogue.values() for k in section}
    assert [a.label for a in ARCHS.values() if a.label not in spanish] == []


def test_an_unknown_architecture_is_a_config_error_naming_the_field():
    with pytest.raises(ConfigError) as e:
        arch_of(ModelSpec(arch="transformer"))
    assert e.value.field == "model.arch" and f"is not one of {', '.join(ARCHS)}" in e.value.problem
    with pytest.raises(ConfigError):
        arch_of(["mlp"])          # a list from a damaged file is not a name


def test_the_layer_chains_the_builder_shows():
    chain = {n: " → ".join(f"[{t}]" if code else t for t, code in ARCHS[n].layer_chain(s, (7, 5) if n == "local"
                                                                                       else (8, 8), 2 if n == "mlp" else 1))
             for n, s in SPECS.items()}
    assert chain["mlp"] == "35 → 10 → [2] → 10 → 35"
    assert chain["conv"] == "8×8×1 → 4×4×3 → 2×2×5 → [4] → 2×2×5 → 4×4×3 → 8×8×1"
    assert chain["local"] == "7×5×1 → 7×5×4 → [7×5×4 = 140] → 7×5×1"
    # Sides the convolutions cannot halve: only the ends and the code.
    odd = ModelSpec(arch="conv", layers=(36, 4, 36), channels=(3, 5), input_shape=(6, 6))
    assert [t for t, _ in ARCHS["conv"].layer_chain(odd, (6, 6), 1)] == ["6×6×1", "4", "6×6×1"]


def test_the_form_layers_of_each_architecture():
    a = ARCHS
    assert a["mlp"].form_layers(35, 2, [20, 10], [10, 20], False, [], None) == ((35, 20, 10, 2, 10, 20, 35), 3, False)
    assert a["mlp"].form_layers(35, 2, [20], [], True, [], None) == ((35, 20, 2), 2, True)
    assert a["conv"].form_layers(64, 4, [20], [], False, [3], (8, 8)) == ((64, 4, 64), 1, False)
    assert a["local"].form_layers(35, 2, [20], [], True, [4, 6], (7, 5)) == ((35, 210, 35), 1, False)


def test_the_registry_imports_no_torch():
    code = "import sys, aegui.core.archs, aegui.core.config.validation; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_feature_maps_come_from_the_architecture(font3):
    from aegui.core.archs import inspect
    mlp, local = build_model(SPECS["mlp"]), build_model(SPECS["local"])
    assert inspect.is_dense(mlp) and not inspect.is_conv(mlp)
    assert inspect.is_conv(local) and not inspect.is_dense(local)
    with pytest.raises(ValueError):
        inspect.feature_maps(mlp, font3.x[0])
    assert [n for n, _ in inspect.feature_maps(local, font3.x[0])] == ["conv 1", "conv 2 = code"]
    conv = build_model(SPECS["conv"])
    assert [n for n, _ in inspect.feature_maps(conv, torch.rand(64).numpy())] == \
        ["conv 1", "conv 2", "code → maps", "deconv 1"]


def test_registering_checks_the_name():
    class Nameless(archs.Architecture):
        pass
    before = dict(ARCHS)
    with pytest.raises(ValueError):
        archs.register(Nameless())
    assert ARCHS == before
