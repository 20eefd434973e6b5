"""The builder's form comes from the field descriptions (aegui/core/config/fields.py): a field
described at run time gets its row, filled, read back, checked and hidden with no builder code;
every row hides when its description says; the editor factory round-trips every plain field;
the builder is composed of its sections, not mixed from them."""
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget
from shiboken6 import isValid

from aegui.core.config import fields
from aegui.core.schema.experiment import DataConfig, Experiment, ModelSpec, TrainConfig
from aegui.core.config.validation import with_changes
from aegui.core.config.fields import FIELDS, Field
from aegui.qt import i18n
from aegui.qt.builder.config_files import ConfigFiles
from aegui.qt.builder.data_section import DataSection
from aegui.qt.builder.families import FamilySwitch
from aegui.qt.builder.form import FieldForm
from aegui.qt.builder.model_builder import ModelBuilder
from aegui.qt.builder.model_section import ModelSection
from aegui.qt.builder.training_section import TrainingSection
from aegui.qt.widgets.inputs.field_editors import EDITORS, make_editor
from aegui.qt.widgets.inputs.layer_editor import NumberEdit

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class ClippedTrain(TrainConfig):
    """A TrainConfig with a field the trainer would read: what a new plain field adds to experiment.py."""
    clip: float = 1.0


@dataclass(frozen=True)
class ClippedExperiment(Experiment):
    train: TrainConfig = field(default_factory=ClippedTrain)


CLIP = Field("train.clip", "Gradient clip", "float", "Largest gradient norm a step may take",
             range=(0.0, 10.0), applies=lambda e: e.train.optimizer != "sgd")


@pytest.fixture
def clip_builder(qtbot, monkeypatch):
    # What the new field changes: its dataclass (here a subclass every experiment the builder
    # makes is of) and its description; the builder's code stays as it is.
    monkeypatch.setattr("aegui.qt.builder.model_builder.Experiment", ClippedExperiment)
    monkeypatch.setitem(fields.FIELDS, CLIP.key, CLIP)
    b = ModelBuilder()
    qtbot.addWidget(b)
    b.resize(360, 900)
    b.show()
    yield b
    # The field goes with the monkeypatch: the builder goes first, and every text and refresh it
    # and its rows bound with it, so a change of language after the field is gone reaches none.
    b.close()
    b.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not isValid(b)
    monkeypatch.undo()
    i18n.set_language("es")


def pick(combo: QComboBox, key) -> None:
    combo.setCurrentIndex(combo.findData(key))


def test_a_field_described_at_run_time_gets_its_row_with_no_builder_code(clip_builder, tmp_path):
    b = clip_builder
    # Built: a number box in the Training group, labelled and explained as described.
    edit = b.field_widget("train.clip")
    assert isinstance(edit, NumberEdit)
    group = edit.parentWidget()
    assert group.title() == "Training"
    assert group.layout().labelForField(edit).text() == "Gradient clip"
    assert edit.toolTip() == "Largest gradient norm a step may take"
    # Filled from and read back into the experiment, of the class it came in.
    assert b.experiment() == ClippedExperiment()
    exp = ClippedExperiment(train=ClippedTrain(clip=0.5))
    b.set_experiment(exp)
    assert edit.text() == "0.5"
    assert b.experiment() == exp
    edit.setText("0.25")
    assert b.experiment().train == ClippedTrain(clip=0.25)
    # Checked: text that is not a number, and a value outside the described range.
    edit.setText("abc")
    [error] = b.validate_fields()
    assert (error.field, error.problem) == ("train.clip", "not a number")
    assert edit.property("invalid") is True and "Gradient clip: not a number" in b.error_label.text()
    assert not b.train_button.isEnabled()
    edit.setText("20")
    assert "must be from 0 to 10" in edit.toolTip() and not b.train_button.isEnabled()
    edit.setText("2")
    assert not edit.property("invalid") and b.train_button.isEnabled()
    # Hidden when its predicate says it does not apply.
    assert edit.isVisibleTo(b)
    pick(b.form.widget("train.optimizer"), "sgd")
    assert not edit.isVisibleTo(b)
    pick(b.form.widget("train.optimizer"), "adam")
    assert edit.isVisibleTo(b)
    b.grab().save(str(tmp_path / "clip.png"))


STATES = [
    Experiment(),
    with_changes(Experiment(), model={"kind": "vae"}, train={"optimizer": "momentum", "schedule": "step"}),
    with_changes(Experiment(), model={"kind": "sparse", "sparsity": "kl", "latent_activation": "sigmoid"},
                 train={"optimizer": "bfgs"}, data={"val_split": 0.2}),
    with_changes(Experiment(), model={"kind": "dae", "mirror": True, "layers": (35, 16, 2)},
                 noise={"mode": "fixed"}, train={"schedule": "exponential"}),
    with_changes(Experiment(), model={"arch": "local", "kind": "dae", "layers": (35, 280, 35), "channels": (8, 8),
                                      "input_shape": (7, 5), "latent_activation": "elu"}),
    Experiment(data=DataConfig(source="emoji", color="rgb"),
               model=ModelSpec(kind="vae", arch="conv", layers=(3072, 16, 3072), input_shape=(32, 32, 3))),
    Experiment(data=DataConfig(source="digits"), model=ModelSpec(kind="contractive", layers=(64, 32, 2, 32, 64))),
]


@pytest.mark.parametrize("exp", STATES, ids=["ae", "vae", "sparse-bfgs", "dae-mirror", "local", "emoji-conv",
                                             "digits"])
def test_every_row_shows_exactly_when_its_field_applies(builder, exp):
    builder.set_experiment(exp)
    assert builder.experiment() == exp
    shown = builder.experiment()
    for layout in builder.form_widget.findChildren(QFormLayout):
        for row in range(layout.rowCount()):
            item = layout.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if item is None or layout.itemAt(row, QFormLayout.ItemRole.SpanningRole) is not None:
                continue           # the note about a refused font.h spans the form: no field
            key = next((k for k, (_, _, w) in builder.form._rows.items() if w is item.widget()), None)
            assert key is not None, f"a row with no field: {item.widget()}"
            assert item.widget().isVisibleTo(builder) == FIELDS[key].applies(shown), key
    # Greyed out, not hidden: the split seed without a validation share, copies of fresh noise.
    assert builder.form.widget("data.split_seed").isEnabled() == (exp.data.val_split > 0)
    assert builder.form.widget("noise.copies").isEnabled() == (exp.noise.mode == "fixed")


def test_the_factory_round_trips_every_plain_field_and_names_choices_in_spanish(qtbot):
    made = 0
    for f in FIELDS.values():
        if not f.section or f.of or not (f.percent or f.type in EDITORS) or f.type == "path":
            continue
        editor = make_editor(f)
        qtbot.addWidget(editor.widget)
        value = f.value(Experiment())
        editor.set_value(value)
        assert editor.value() == value, f.key
        made += 1
    assert made >= 45
    optimizer = make_editor(FIELDS["train.optimizer"])
    qtbot.addWidget(optimizer.widget)
    names = lambda: [optimizer.widget.itemText(i) for i in range(optimizer.widget.count())]  # noqa: E731
    assert names()[1] == "SGD + momentum"
    i18n.set_language("es")        # the editor names its choices again, on its own
    assert names()[1] == "SGD + momento"
    level = make_editor(FIELDS["noise.level"])
    qtbot.addWidget(level.widget)
    level.set_value(0.123456)
    assert level.spin.text() == "12,3 %" and level.slider.value() == 12     # Spanish: a decimal comma
    assert level.value() == 0.123456          # the exact value until the box is edited
    level.slider.setValue(30)
    assert level.value() == 0.3


def shown_texts(editor) -> dict[str, str]:
    """The texts an editor writes itself (its row's label and tooltip are the form's)."""
    w, f = editor.widget, editor.field
    out = {}
    if f.suffix:
        out["suffix"] = (editor.spin if f.percent else w).suffix()
    if f.special:
        out["special"] = w.specialValueText()
    if f.optional:
        out["optional"] = editor.check.text()
    if f.placeholder:
        out["placeholder"] = w.placeholderText()
    if f.type == "bool":
        out["label"] = w.text()
    if isinstance(w, QComboBox):
        out.update((f"choice {i}", w.itemText(i)) for i in range(w.count()))
    return out


def test_every_field_editor_follows_the_language_on_its_own(qtbot):
    """An editor made by the factory names its choices and writes its suffix, special value,
    check box and placeholder in the interface language, and again after every switch both ways,
    with no form telling it to: the sweep editor shows these editors outside the builder's form."""
    editors = [make_editor(f) for f in FIELDS.values()
               if f.section and not f.of and (f.percent or f.type in EDITORS)]
    for editor in editors:
        qtbot.addWidget(editor.widget)
    english = {e.field.key: shown_texts(e) for e in editors}
    i18n.set_language("es")
    spanish = {e.field.key: shown_texts(e) for e in editors}
    made_in_spanish = [make_editor(e.field) for e in editors]
    for editor in made_in_spanish:
        qtbot.addWidget(editor.widget)
    assert spanish == {e.field.key: shown_texts(e) for e in made_in_spanish}
    changed = [key for key in english if english[key] != spanish[key]]
    assert len(changed) >= 15, changed
    i18n.set_language("en")
    assert {e.field.key: shown_texts(e) for e in editors} == english


def test_the_builder_is_composed_of_its_sections_not_mixed_from_them(builder):
    assert ModelBuilder.__bases__ == (QWidget,)
    for cls in (FieldForm, DataSection, ModelSection, TrainingSection, FamilySwitch, ConfigFiles):
        assert cls.__bases__ == (object,), cls
    source = "".join(p.read_text() for p in (ROOT / "aegui" / "qt" / "builder").glob("*.py"))
    assert "hasattr(" not in source
    assert isinstance(builder.data, DataSection) and builder.model.builder is builder


def test_a_loaded_value_the_form_cannot_offer_is_kept(builder):
    exp = replace(Experiment(), train=replace(TrainConfig(), device="mps"))
    builder.set_devices([("auto", "Auto"), ("cpu", "CPU")])
    builder.set_experiment(exp)
    assert builder.form.widget("train.device").currentText() == "mps (not available)"
    assert builder.experiment() == exp


def test_a_loaded_value_between_the_steps_of_its_box_is_kept(builder):
    # The box shows whole percents up to 99 %; the config allows anything below 1.
    exp = with_changes(Experiment(), model={"kind": "dae", "layers": (35, 16, 35), "flip_confidence": 0.995},
                       noise={"level": 0.123456})
    builder.set_experiment(exp)
    assert builder.form.widget("model.flip_confidence").value() == 99 and builder.validate_fields() == []
    assert builder.experiment() == exp
