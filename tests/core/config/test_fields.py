"""The field descriptions (aegui/core/config/fields.py): every Experiment field has one, of the type
its dataclass says, and the predicates say when a field applies, as the builder (which hides rows by
them) and the sweep editor (which warns by them) read them."""
from dataclasses import fields, replace

import pytest

from aegui.core.config import fields as F
from aegui.core.schema.experiment import DataConfig, Experiment, ModelSpec, NoiseConfig, TrainConfig

SECTIONS = {"data": DataConfig, "model": ModelSpec, "train": TrainConfig, "noise": NoiseConfig}
# Dataclass annotation -> the description types that hold such a value.
TYPES = {"int": ("int",), "float": ("float",), "bool": ("bool",), "str": ("text", "choice", "path"),
         "tuple[int, ...]": ("ints",), "tuple[str, ...]": ("names",), "int | None": ("int",)}


def exp(**sections) -> Experiment:
    """An Experiment with some fields changed, unvalidated: `exp(model={"kind": "vae"})`."""
    base = Experiment()
    return replace(base, **{k: replace(getattr(base, k), **v) for k, v in sections.items()})


def test_every_experiment_field_has_a_description_of_its_type():
    for section, cls in SECTIONS.items():
        for f in fields(cls):
            key = f"{section}.{f.name}"
            d = F.FIELDS.get(key)
            assert d is not None, f"{key} has no description in aegui/core/config/fields.py"
            assert d.type in TYPES[str(f.type)], (key, d.type, f.type)
            assert bool(d.optional) == (str(f.type) == "int | None"), key


def test_descriptions_name_real_fields_and_rows_come_after_the_row_they_join():
    order = list(F.FIELDS)
    for d in F.FIELDS.values():
        assert d.type in F.TYPES, d.key
        if d.section and not d.of:
            assert hasattr(getattr(Experiment(), d.section), d.name), d.key
        if d.of:
            assert d.of in F.FIELDS and not F.FIELDS[d.of].of, d.key
        if d.joins:
            assert order.index(d.joins) < order.index(d.key) and not F.FIELDS[d.joins].joins, d.key
        if d.percent:
            assert d.type == "float" and d.range is not None, d.key
    assert [f.key for f in F.in_group("name")] == ["name"]
    assert "data.catalogue" not in [f.key for f in F.in_group("data")]       # set from other rows
    assert "noise.level" in [f.key for f in F.in_group("model")]            # a denoiser's noise


def test_the_defaults_are_offered_and_the_choices_named():
    default = Experiment()
    for d in F.config_fields():
        assert d.check(d.value(default)) is None, d.key
        if d.type == "choice":
            assert d.choices and set(d.choice_labels) >= set(d.choices), d.key


def test_check_names_the_range_and_the_choices():
    clip = F.Field("train.clip", "Clip", "float", range=(0.0, 10.0))
    assert clip.check(2.5) is None
    assert clip.check(20.0) == "must be from 0 to 10, got 20"
    assert F.FIELDS["train.optimizer"].check("sgd") is None
    assert F.FIELDS["train.optimizer"].check("lbfgs").startswith("'lbfgs' is not one of sgd, momentum")
    assert F.FIELDS["train.target_max_wrong"].check(None) is None


APPLIES = [
    ("model.beta", exp(model={"kind": "vae"}), True), ("model.beta", exp(), False),
    ("model.kl_warmup", exp(model={"kind": "vae"}), True), ("model.kl_warmup", exp(model={"kind": "dae"}), False),
    ("model.sparsity", exp(model={"kind": "sparse"}), True),
    ("model.sparsity_weight", exp(model={"kind": "sparse", "sparsity": "l1"}), True),
    ("model.sparsity_weight", exp(model={"kind": "sparse", "sparsity": "topk"}), False),
    ("model.sparsity_rho", exp(model={"kind": "sparse", "sparsity": "kl"}), True),
    ("model.sparsity_rho", exp(model={"kind": "vae", "sparsity": "kl"}), False),
    ("model.sparsity_k", exp(model={"kind": "sparse", "sparsity": "topk"}), True),
    ("model.contractive_weight", exp(model={"kind": "contractive"}), True),
    ("model.contractive_weight", exp(), False),
    ("noise.level", exp(model={"kind": "dae"}), True), ("noise.level", exp(), False),
    ("noise.mode", exp(model={"kind": "dae"}), True), ("noise.kind", exp(model={"kind": "vae"}), False),
    ("model.flip_confidence", exp(model={"kind": "dae"}), True),
    ("model.flip_confidence", exp(model={"kind": "dae"}, data={"source": "digits"}), False),
    ("model.flip_confidence", exp(), False),
    ("model.latent_activation", exp(model={"kind": "vae"}), False),
    ("model.latent_activation", exp(), True),
    ("train.momentum", exp(train={"optimizer": "momentum"}), True), ("train.momentum", exp(), False),
    ("train.learning_rate", exp(), True), ("train.learning_rate", exp(train={"optimizer": "bfgs"}), False),
    ("train.schedule", exp(train={"optimizer": "powell"}), False),
    ("train.decay_rate", exp(train={"schedule": "exponential"}), True),
    ("train.decay_rate", exp(train={"schedule": "exponential", "optimizer": "cg"}), False),
    ("train.step_size", exp(train={"schedule": "step"}), True), ("train.step_gamma", exp(), False),
    ("data.fonts", exp(), True), ("data.fonts", exp(data={"source": "emoji"}), False),
    ("data.path", exp(), False), ("data.path", exp(data={"path": "mine.h"}), True),
    ("data.chars", exp(data={"source": "digits"}), False),
    ("data.folder", exp(data={"source": "folder"}), True), ("data.images", exp(data={"source": "idx"}), True),
    ("data.labels_path", exp(data={"source": "idx"}), True), ("data.labels_path", exp(), False),
    ("data.emoji_size", exp(data={"source": "emoji"}), True), ("data.size", exp(data={"source": "emoji"}), False),
    ("data.size", exp(data={"source": "folder"}), True),
    ("data.color", exp(data={"source": "emoji"}), True), ("data.color", exp(), False),
    ("data.subcategories", exp(data={"source": "emoji"}), True),
    ("data.classes", exp(data={"source": "digits"}), True), ("data.classes", exp(data={"source": "emoji"}), False),
    ("data.max_samples", exp(), False), ("data.max_samples", exp(data={"source": "idx"}), True),
    ("data.val_split", exp(), True),
    ("model.channels", exp(model={"arch": "conv"}), True), ("model.channels", exp(model={"arch": "local"}), True),
    ("model.channels", exp(), False), ("model.encoder", exp(), True),
    ("model.encoder", exp(model={"arch": "conv"}), False),
    ("model.latent", exp(model={"arch": "conv"}), True), ("model.latent", exp(model={"arch": "local"}), False),
    ("model.mirror", exp(), True), ("model.mirror", exp(model={"arch": "conv"}), False),
    ("model.decoder", exp(), True), ("model.decoder", exp(model={"mirror": True}), False),
    ("model.dropout", exp(), True), ("model.dropout", exp(model={"arch": "conv"}), False),
    ("model.dropout", exp(model={"kind": "contractive"}), False),
]


@pytest.mark.parametrize("key, experiment, expected", APPLIES,
                         ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(APPLIES)])
def test_when_a_field_applies(key, experiment, expected):
    assert F.applies(key, experiment) is expected


def test_when_a_field_can_be_edited():
    assert not F.FIELDS["data.split_seed"].enabled(exp())
    assert F.FIELDS["data.split_seed"].enabled(exp(data={"val_split": 0.2}))
    assert not F.FIELDS["noise.copies"].enabled(exp())
    assert F.FIELDS["noise.copies"].enabled(exp(noise={"mode": "fixed"}))


def test_the_architectures_rows_are_told_apart_in_one_table():
    assert F.arch_rows("mlp") == ("model.encoder", "model.latent", "model.mirror", "model.decoder", "model.dropout")
    assert F.arch_rows("conv") == ("model.channels", "model.latent")
    assert F.arch_rows("local") == ("model.channels",)
    assert F.arch_rows("no such arch") == ()


def test_a_hidden_value_the_config_would_refuse_reads_as_its_default():
    images = exp(model={"kind": "dae", "flip_confidence": 0.8}, data={"source": "digits"})
    assert F.keep_used(images).model.flip_confidence == 0.5
    glyphs = exp(model={"kind": "dae", "flip_confidence": 0.8})
    assert F.keep_used(glyphs) is glyphs


def test_labels_and_lists():
    assert F.label("model.layers[2]") == "Layers" and F.label("train.learning_rate") == "Learning rate"
    assert F.label("vary.nothing") == "vary.nothing"
    assert F.parse_ints("0, 1 7;9") == (0, 1, 7, 9) and F.parse_ints("") == ()
    with pytest.raises(ValueError, match="separated by commas"):
        F.parse_ints("1, two")
