"""A new data source is one module and one registration: bars_source.py registered with one call is
offered with its own rows, keeps its own rules and the ones every source keeps, sizes and counts its
samples, loads them, trains through the CLI and has a report key, with no code of aegui's own."""
import ast
import importlib
import json

import pytest

from aegui.core.data import sources
from aegui.core.schema.experiment import ConfigError, DataConfig, Experiment, ModelSpec, TrainConfig
from aegui.core.config.fields import FIELDS
from aegui.core.config.validation import validate
from bars_source import Bars


@pytest.fixture
def bars():
    source = sources.register(Bars())
    yield source
    sources.unregister(source.name)


def bars_experiment(size=4, **data) -> Experiment:
    d = size * size
    return Experiment(name="bars", data=DataConfig(source="bars", size=size, **data),
                      model=ModelSpec(layers=(d, 8, 2, 8, d)),
                      train=TrainConfig(epochs=20, batch_size=8, learning_rate=0.01, device="cpu"))


def test_an_unregistered_source_is_refused_by_name():
    with pytest.raises(ConfigError) as e:
        validate(bars_experiment())
    assert e.value.field == "data.source" and "'bars' is not one of font, emoji, folder, idx, digits" in str(e.value)


def test_a_registered_source_is_offered_with_its_own_rows(bars):
    field = FIELDS["data.source"]
    assert list(field.choices)[-1] == "bars" and field.choice_labels["bars"] == "Bars and stripes"
    exp = bars_experiment()
    shown = {key for key, f in FIELDS.items() if key.startswith("data.") and f.in_form and f.applies(exp)}
    assert shown == {"data.source", "data.size", "data.max_samples", "data.val_split", "data.split_seed"}


def test_its_own_rules_and_every_source_s_apply(bars):
    assert validate(bars_experiment()) is not None
    with pytest.raises(ConfigError) as e:
        validate(bars_experiment(size=9))
    assert e.value.field == "data.size" and "4 to 8 px" in e.value.problem
    with pytest.raises(ConfigError) as e:       # glyphs' settings: it is no source of glyphs
        validate(bars_experiment(extra_glyphs=("taught.h",)))
    assert e.value.field == "data.extra_glyphs"
    exp = bars_experiment()
    with pytest.raises(ConfigError) as e:
        validate(Experiment(name=exp.name, data=exp.data, model=exp.model, train=exp.train,
                            augment=exp.augment.__class__(enabled=True)))
    assert e.value.field == "augment.enabled"


def test_it_sizes_counts_and_loads_its_samples(bars):
    from aegui.core.data.datasets import from_config, load_split, official_test_set
    from aegui.core.train.memory import likely_samples
    data = DataConfig(source="bars", size=5)
    ds = from_config(data)
    assert sources.sample_shape(data) == tuple(ds.shape) == (5, 5)
    assert likely_samples(data) == len(ds) == 2 ** 6 - 4 and ds.dim == 25
    assert sorted(set(ds.labels)) == ["bars", "stripes"] and official_test_set(data) is None
    few = DataConfig(source="bars", size=5, max_samples=10, val_split=0.2)
    train, val = load_split(few)
    assert (len(train), len(val)) == (8, 2) and likely_samples(few) == 10


def test_a_registered_source_trains_through_the_cli(bars, tmp_path, capsys):
    from aegui.cli import main
    cfg = tmp_path / "bars.json"
    cfg.write_text(bars_experiment().to_json())
    out = tmp_path / "model"
    rc = main(["train", str(cfg), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    printed = json.loads(captured.out.strip().splitlines()[-1])
    assert (printed["dataset"], printed["samples"], printed["state"]) == ("bars and stripes 4x4", 28, "finished")
    assert main(["eval", str(out)]) == 0       # pictures, not glyphs: reconstruction errors
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["samples"] == 28
    assert main(["train", str(cfg), "--out", str(tmp_path / "other"), "--dataset", str(tmp_path)]) == 2
    assert "'bars', which is built in and reads no file" in capsys.readouterr().err


def test_a_report_key_covers_it(bars, tmp_path):
    from aegui.core.analyses.report.keys import data_part
    preset = tmp_path / "bars.json"
    preset.write_text(bars_experiment().to_json())
    font = tmp_path / "font.json"
    font.write_text(Experiment().to_json())
    assert data_part(preset) != data_part(font)


def test_every_source_module_states_its_numerics_revision():
    """The report's key reads each source's NUMERICS from its module's source, without importing it."""
    for name, source in sources.SOURCES.items():
        module = importlib.import_module(type(source).__module__)
        tree = ast.parse(open(module.__file__, encoding="utf-8").read())
        values = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == "NUMERICS" for t in node.targets)
                  and isinstance(node.value, ast.Constant)]
        assert len(values) == 1 and type(values[0]) is int and values[0] >= 1, name


def test_a_source_registers_by_where_its_class_is():
    """The registry's own lines name the class ("package.module:Class"), so a new source is its
    module and that one line: the module is imported and the class made there; a name taken twice
    is refused either way."""
    source = sources.register("bars_source:Bars")
    try:
        assert isinstance(source, Bars) and sources.SOURCES["bars"] is source
        with pytest.raises(ValueError, match="taken"):
            sources.register("bars_source:Bars")
    finally:
        sources.unregister("bars")
    assert "bars" not in sources.SOURCES
