"""The '.' key types the decimal comma in every number box of the Spanish window, and only number
boxes pay for it: a filter on the whole application ran Python for every event of every widget
(tens of thousands while the window starts), where one on each double spin box runs for its own."""
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QLabel

from aegui.qt import i18n
from aegui.qt.perspectives.table import PERSPECTIVES
from aegui.qt.widgets.inputs import decimal_key


def test_every_number_box_of_the_spanish_window_takes_the_point_as_the_comma(window, qtbot):
    for p in PERSPECTIVES:      # every panel built and shown once
        window.arranger.switch(p.key)
    i18n.set_language("es")
    try:
        boxes = [b for b in window.findChildren(QDoubleSpinBox) if b.decimals() > 0]
        assert len(boxes) >= 4
        for box in boxes:
            edit = box.lineEdit()
            box.setFocus()
            edit.setText(edit.text().replace(box.cleanText(), ""))
            edit.setCursorPosition(len(box.prefix()))
            QTest.keyClicks(edit, "0.")
            assert "0," in edit.text(), (box.objectName() or type(box.parent()).__name__, edit.text())
    finally:
        i18n.set_language("en")


def test_events_of_other_widgets_do_not_reach_the_decimal_key_filter(window):
    """Counted with a profile hook on the filter's code: whatever object Qt calls it on."""
    import sys
    code = decimal_key.DecimalKey.eventFilter.__code__
    calls = []

    def hook(frame, what, _arg):
        if what == "call" and frame.f_code is code:
            calls.append(frame.f_locals.get("obj"))

    i18n.set_language("es")
    label = window.findChild(QLabel)
    sys.setprofile(hook)
    try:
        for _ in range(20):
            QApplication.sendEvent(label, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Period,
                                                    Qt.KeyboardModifier.NoModifier, "."))
            QApplication.sendEvent(label, QEvent(QEvent.Type.ToolTipChange))
    finally:
        sys.setprofile(None)
        i18n.set_language("en")
    assert calls == []
