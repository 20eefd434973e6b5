"""The dark theme reaches every part of the window, and the light one comes back whole."""
from PySide6.QtWidgets import QApplication, QMessageBox


def test_the_dark_theme_reaches_notes_dialogs_and_message_boxes(qtbot):
    from PySide6.QtCore import Qt
    from aegui.qt import theme
    from aegui.qt.widgets.text.note import NoteLabel, is_dark
    note = NoteLabel("info")
    qtbot.addWidget(note)
    try:
        theme.apply("dark")
        QApplication.processEvents()
        assert QApplication.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)
        assert "#1d3147" in note.styleSheet()             # the dark note, not #e3f2fd
        box = QMessageBox(QMessageBox.Icon.Information, "t", "text")
        qtbot.addWidget(box)
        assert is_dark(box.palette())
    finally:
        theme.apply("light")
    QApplication.processEvents()
    assert "#e3f2fd" in note.styleSheet()
    assert not QApplication.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)


def test_switching_back_to_light_leaves_no_panel_dark(qtbot):
    from aegui.qt import theme
    from aegui.qt.builder.model_builder import ModelBuilder
    from aegui.qt.widgets.text.note import is_dark
    w = ModelBuilder()
    qtbot.addWidget(w)
    w.show()
    theme.apply("dark")
    QApplication.processEvents()
    theme.apply("light")
    QApplication.processEvents()
    assert not is_dark(w.palette()) and not is_dark(w.form_widget.palette())
