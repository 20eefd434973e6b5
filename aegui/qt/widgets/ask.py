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
