"""What every registered architecture must do, checked over the registry itself with the
throw-away tied-weight architecture (tied_arch.py) registered beside the built-in ones: a test
here covers a new architecture the moment it is registered, and no test lists the built-in names.

Each model is laid out as the model builder lays one out (the architecture's own form_layers), so
an architecture that the builder can show is one these tests can build."""
import numpy as np
import pytest
import torch

from aegui.core import archs
from aegui.core.analyses.explain import explain
from aegui.core.schema.experiment import KINDS, ConfigError, ModelSpec
from aegui.core.config.fields import FIELDS
from tied_arch import Tied

# The registry's entries, the throw-away one included (it is registered by the fixture below).
NAMES = [*archs.ARCHS, Tied.name]
# A k-sparse code exercises the top-k step Explain shows; the other kinds keep their defaults.
KIND_SETTINGS = {"sparse": {"sparsity": "topk", "sparsity_k": 2}}


@pytest.fixture(autouse=True)
def tied():
    arch = archs.register(Tied())
    yield arch
    archs.unregister(arch.name)


def sample_spec(arch, kind: str = "ae") -> ModelSpec:
    """A small model of `arch` on 8x8 grey images, laid out from the builder's rows: 64 inputs,
    a latent size of 4, one hidden layer of 8 each way, two conv layers of 3 and 2 channels."""
    channels = (3, 2)
    layers, _, mirror = arch.form_layers(64, 4, [8], [8], False, list(channels), (8, 8))
    images = {"channels": channels, "input_shape": (8, 8)} if arch.reads_images else {}
    return ModelSpec(arch=arch.name, kind=kind, layers=tuple(layers), mirror=mirror, **images,
                     **KIND_SETTINGS.get(kind, {}))


def accepted_kinds(arch) -> list[str]:
    kinds = []
    for kind in KINDS:
        try:
            arch.validate(sample_spec(arch, kind))
        except ConfigError:
            continue
        kinds.append(kind)
    return kinds


def model_of(spec: ModelSpec, k: int = 1, seed: int = 3):
    model = archs.build_model(spec, k)
    model.init_weights(list(range(seed, seed + k)))
    with torch.no_grad():          # biases start at 0; make them matter
        model.flat.add_(0.05 * torch.randn(model.flat.shape, generator=torch.Generator().manual_seed(seed)))
    return model


@pytest.mark.parametrize("name", NAMES)
def test_each_entry_counts_builds_and_sizes_its_model(name):
    arch = archs.ARCHS[name]
    spec = sample_spec(arch)
    assert archs.arch_of(spec) is arch and arch.name == name and arch.label
    arch.validate(spec)
    model = archs.build_model(spec, 2)
    assert archs.parameter_count(spec) == model.parameter_count() == model.flat.shape[1]
    assert arch.input_size(spec) == model.input_dim == spec.full_layers[0] == 64
    assert arch.forward_values(spec) > 0 and arch.step_activations(spec) > 0
    one = model.select(1)
    assert type(one) is type(model) and torch.equal(one.flat[0], model.flat[1].detach())


@pytest.mark.parametrize("name", NAMES)
def test_the_builder_rows_are_fields_the_builder_knows(name):
    arch = archs.ARCHS[name]
    assert set(arch.builder_rows) <= set(FIELDS)
    assert ("model.channels" in arch.builder_rows) == (arch.max_layers is not None) == arch.reads_images


@pytest.mark.parametrize("name", NAMES)
def test_the_builder_field_offers_it_under_its_label(name):
    """The builder's architecture choice (described once, at import) reads the registry as it is."""
    arch, choice = archs.ARCHS[name], FIELDS["model.arch"]
    assert name in choice.choices and choice.choice_labels[name] == arch.label and choice.check(name) is None


@pytest.mark.parametrize("name", NAMES)
def test_named_weights_load_back_into_a_fresh_model(name):
    """What storage saves (named_weights) is what a fresh model loads: the same outputs."""
    spec = sample_spec(archs.ARCHS[name])
    model, fresh = model_of(spec, k=2), archs.build_model(spec, 1)
    fresh.load_named_weights(model.named_weights(1))
    x = torch.rand(5, 64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(fresh(x)[0], model(x)[1])


@pytest.mark.parametrize("name", NAMES)
def test_explain_walks_every_kind_of_every_architecture(name):
    """Explain's layer-by-layer walk ends where the model's own encode and decode end, for each
    kind the architecture accepts; each layer is named after the weights it holds."""
    arch = archs.ARCHS[name]
    kinds = accepted_kinds(arch)
    assert "ae" in kinds
    for kind in kinds:
        model = model_of(sample_spec(arch, kind))
        x = np.random.default_rng(1).random(64).astype(np.float32)
        ex = explain(model, x, seed=2)
        xt = torch.as_tensor(x[None])
        with torch.no_grad():
            mean = model.encode(xt)[0, 0]      # a VAE's mean; a k-sparse code's top k
            if kind == "vae":
                np.testing.assert_allclose(ex.vae.mean, mean, rtol=1e-5, atol=1e-5)
                np.testing.assert_allclose(ex.vae.mean_output, model.decode(mean[None])[0, 0], rtol=1e-5,
                                           atol=1e-5)
            else:
                np.testing.assert_allclose(ex.code, mean, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(ex.output, model.decode(torch.as_tensor(ex.code)[None])[0, 0],
                                       rtol=1e-5, atol=1e-5)
        assert ex.layers[0].name == "input" and ex.layers[-1].role == "output", kind
        # The encoder's layers, the last one giving the code, then the decoder's.
        code_role = "mean, log-variance" if kind == "vae" else "code"
        roles, parts = [lay.role for lay in ex.layers], [lay.part for lay in ex.layers]
        n_enc = roles.index(code_role)
        assert roles.count(code_role) == 1 and parts == [""] + ["encoder"] * n_enc + ["decoder"] * (len(parts) - n_enc - 1)
        weights = model.named_weights()
        for lay in ex.layers[1:]:
            assert any(key.startswith(lay.name + ".") for key in weights), (kind, lay.name, list(weights))
            assert lay.pre is not None and lay.pre.shape == lay.post.shape
