"""The builder's number fields in Spanish: the learning rate (a text field) and the percentages
(spin boxes: noise level, validation share) show a decimal comma, read what a Spanish user types
(0,003; 12,5) and the '.' key too (Qt's Spanish spin box read 7.5 as 75), switch back to the
point in English, and the saved configuration keeps JSON's point."""
import json
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from aegui.core.schema.experiment import Experiment, ModelSpec, NoiseConfig
from aegui.qt import i18n


def _retype(qtbot, edit, text: str) -> None:
    """Select what the field holds and type over it, as a user does; Enter ends the edit."""
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def test_the_builder_reads_and_writes_the_spanish_decimal_comma(builder, qtbot, tmp_path):
    exp = Experiment(model=ModelSpec(kind="dae"), noise=NoiseConfig(level=0.1))
    builder.set_experiment(replace(exp, train=replace(exp.train, learning_rate=0.01)))
    lr = builder.field_widget("train.learning_rate")
    noise = builder.form.editor("noise.level").spin
    split = builder.form.editor("data.val_split").spin
    assert (lr.text(), noise.text(), split.text()) == ("0.01", "10.0 %", "0.0 %")

    i18n.set_language("es")
    assert (lr.text(), noise.text(), split.text()) == ("0,01", "10,0 %", "0,0 %")
    _retype(qtbot, lr, "0,003")
    _retype(qtbot, noise.lineEdit(), "12,5")
    _retype(qtbot, split.lineEdit(), "7.5")       # the point key, as on the numeric keypad
    got = builder.experiment()
    assert got.train.learning_rate == 0.003
    assert got.noise.level == 0.125
    assert got.data.val_split == 0.075
    assert (lr.text(), noise.text(), split.text()) == ("0,003", "12,5 %", "7,5 %")

    path = tmp_path / "config.json"
    builder.save_config(path)
    saved = json.loads(path.read_text())
    assert (saved["train"]["learning_rate"], saved["noise"]["level"], saved["data"]["val_split"]) == \
        (0.003, 0.125, 0.075)
    assert "0,003" not in path.read_text()

    i18n.set_language("en")
    assert (lr.text(), noise.text(), split.text()) == ("0.003", "12.5 %", "7.5 %")
    back = builder.experiment()
    assert (back.train.learning_rate, back.noise.level, back.data.val_split) == (0.003, 0.125, 0.075)
