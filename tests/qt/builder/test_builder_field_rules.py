"""The builder's form refuses what `aegui train` refuses, by the same rule: a typed number at and
just beyond each bound of its field is accepted or refused with the sentence the field's
description gives (the one the CLI prints, tests/core/config/test_field_rules.py), and a box
offers exactly the description's range, so it holds nothing a config file could not."""
import math

import pytest

from aegui.core.schema.experiment import Experiment
from aegui.core.config.fields import FIELDS
from aegui.qt.builder.model_builder import ModelBuilder
from aegui.qt.widgets.inputs.field_editors import FloatEditor, IntEditor, PercentEditor


@pytest.fixture(scope="module")
def builder(qapp):
    b = ModelBuilder()
    yield b
    b.deleteLater()


def typed_values(f) -> list[float]:
    out = [1.0]
    if f.range is not None:
        lo, hi = f.range
        out += [lo, math.nextafter(lo, -math.inf)]
        if hi != math.inf:
            out += [hi, math.nextafter(hi, math.inf)]
    return out


def test_every_typed_number_is_refused_with_the_sentence_the_cli_prints(builder):
    typed = [k for k, e in builder.form.editors.items() if isinstance(e, FloatEditor)]
    assert "train.learning_rate" in typed and "model.sparsity_rho" in typed
    for key in typed:
        f, edit = FIELDS[key], builder.form.editors[key].widget
        for value in typed_values(f):
            builder.set_experiment(Experiment())
            edit.setText(repr(value))
            got = [(e.field, e.problem) for e in builder.validate_fields() if e.field == key]
            expected = f.error(value)
            assert got == ([] if expected is None else [(expected.field, expected.problem)]), (key, value)


def test_every_box_offers_exactly_its_fields_range(builder):
    boxes = 0
    for key, editor in builder.form.editors.items():
        f = FIELDS[key]
        if isinstance(editor, IntEditor):
            assert (editor.widget.minimum(), editor.widget.maximum()) == f.range, key
        elif isinstance(editor, PercentEditor):
            lo, hi = editor.spin.minimum() / 100, editor.spin.maximum() / 100
            # The box's ends are the range's, or one step inside a bound the value may not reach.
            assert lo == pytest.approx(f.range[0] + (f.step / 100 if f.open in ("low", "both") else 0)), key
            assert hi == pytest.approx(f.range[1] - (f.step / 100 if f.open in ("high", "both") else 0)), key
            assert f.check(lo) is None and f.check(hi) is None, key
        else:
            continue
        boxes += 1
    assert boxes >= 10
