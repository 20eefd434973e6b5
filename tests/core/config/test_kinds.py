"""A model kind is what its flags say (aegui/core/schema/kinds.py).

A kind registered under a new name with a built-in kind's flags, and an objective for it, must be
treated exactly like that built-in kind by every place that asks: the form's rows, validation, the
memory estimate, the network's layout, training's objective and Explain. A place that still
compared the kind's name ("dae", "vae", ...) would treat the new kind as a plain autoencoder.
"""
from dataclasses import replace

import numpy as np
import pytest

from aegui.core.analyses.explain import explain
from aegui.core.archs import build_model
from aegui.core.config import validation
from aegui.core.schema.experiment import KINDS, ConfigError, Experiment, ModelSpec
from aegui.core.config.fields import FIELDS
from aegui.core.schema.kinds import KIND_TABLE, kind_of
from aegui.core.models.objectives import OBJECTIVES, objective_of
from aegui.core.train.memory import estimate

BASES = {
    "ae": ModelSpec(),
    "dae": ModelSpec(kind="dae"),
    "vae": ModelSpec(kind="vae", beta=0.5, kl_warmup=3),
    "sparse": ModelSpec(kind="sparse", sparsity="kl", latent_activation="sigmoid", sparsity_weight=0.1),
    "contractive": ModelSpec(kind="contractive", contractive_weight=0.01),
}


def copy_name(base: str) -> str:
    return f"copy_of_{base}"


@pytest.fixture
def registered(monkeypatch):
    """Registers a copy of every built-in kind (its flags under a new name, its objective), as a new
    kind would be: model.kind accepts it from the registry."""
    for base in KINDS:
        name = copy_name(base)
        monkeypatch.setitem(KIND_TABLE, name, replace(KIND_TABLE[base], name=name, label=name))
        monkeypatch.setitem(OBJECTIVES, name, type(f"CopyOf{base}", (type(OBJECTIVES[base]),), {"kind": name})())


def experiments(spec: ModelSpec) -> list[Experiment]:
    """The spec in settings where a kind's flags matter: fresh noise, fixed noisy copies, and scipy's
    whole-batch optimizer (which needs a deterministic loss)."""
    base = Experiment(model=spec)
    fixed = replace(base, noise=replace(base.noise, mode="fixed", copies=4))
    scipy = replace(base, train=replace(base.train, optimizer="bfgs", batch_size=0))
    return [base, fixed, scipy]


def refusal(exp: Experiment, name: str, base: str) -> str | None:
    try:
        validation.validate(exp)
    except ConfigError as e:
        return str(e).replace(name, base)
    return None


def test_the_registered_kinds_are_told_apart_by_their_flags_alone():
    flags = [replace(k, name="", label="", noun="", with_noise="") for k in KIND_TABLE.values()]
    assert len(set(flags)) == len(flags)


@pytest.mark.parametrize("base", KINDS)
def test_a_new_kind_with_a_built_in_kinds_flags_is_treated_like_it(registered, base):
    name = copy_name(base)
    spec = BASES[base]
    new = replace(spec, kind=name)
    assert kind_of(new).corrupts_inputs == kind_of(spec).corrupts_inputs
    assert objective_of(new).corrupts_inputs == objective_of(spec).corrupts_inputs
    assert objective_of(new).samples_codes == objective_of(spec).samples_codes
    for exp, exp_new in zip(experiments(spec), experiments(new)):
        assert [k for k, f in FIELDS.items() if f.applies(exp_new)] == [k for k, f in FIELDS.items() if f.applies(exp)]
        assert refusal(exp_new, name, base) == refusal(exp, name, base)
        assert estimate(exp_new, 200, models=2) == estimate(exp, 200, models=2)
    model, model_new = build_model(spec, 1), build_model(new, 1)
    model.init_weights([0])
    model_new.init_weights([0])
    assert model_new.flat.shape == model.flat.shape and model_new.is_vae == model.is_vae
    x = np.random.default_rng(0).random(35).astype(np.float32)
    seen, seen_new = explain(model, x, seed=1), explain(model_new, x, seed=1)
    assert (seen_new.vae is None, seen_new.denoise is None) == (seen.vae is None, seen.denoise is None)
    np.testing.assert_array_equal(seen_new.output, seen.output)
