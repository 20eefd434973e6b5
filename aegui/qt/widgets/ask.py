"""A question box that asks what it means: the question as its text (a window title is often not
shown), the facts below it, and buttons that say what they do instead of Yes / No."""
from __future__ import annotations

from PySide6.QtWidgets import QMessageBox


def question_box(parent, question: str, detail: str, do_text: str, keep_text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Question, question, question, QMessageBox.StandardButton.NoButton,
                      parent)
    box.setInformativeText(detail)
    box.do_button = box.addButton(do_text, QMessageBox.ButtonRole.DestructiveRole)
    box.keep_button = box.addButton(keep_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(box.keep_button)   # Enter must not throw work away
    box.setEscapeButton(box.keep_button)
    return box


def ask(parent, question: str, detail: str, do_text: str, keep_text: str) -> bool:
    """True when the user chose `do_text`."""
    box = question_box(parent, question, detail, do_text, keep_text)
    box.exec()
    return box.clickedButton() is box.do_button


def ask_label(parent, title: str, current: str = "") -> str | None:
    """A glyph's label (a character or a short word), asked until it is valid; None if cancelled."""
    from PySide6.QtWidgets import QInputDialog

    from aegui.core.data.library import clean_label
    from aegui.qt.i18n import tr
    prompt = tr("Label (a character or a short word):")
    while True:
        text, ok = QInputDialog.getText(parent, title, prompt, text=current)
        if not ok:
            return None
        try:
            return clean_label(text)
        except ValueError as e:
            # The core's reason is English; the prompt around it is translated.
            prompt, current = tr("{error}. Try another label:", error=str(e).capitalize()), text
