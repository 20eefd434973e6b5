"""One mechanism re-translates the window: a text declared once with bind_text() follows every
change of language, a refresh registered with on_language() runs after every bound text is in the
new language, and an owner's bindings go with it (no error, no leak)."""
import gc
import weakref

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from aegui.qt import i18n
from aegui.qt.i18n import bind_text, on_language


class Panel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.button = QPushButton(self)
        self.label = QLabel(self)
        bind_text(self, self.button.setText, "Clear")
        self.seen = []
        on_language(self, lambda: self.seen.append(self.button.text()))


def test_a_bound_text_follows_the_language_both_ways(qtbot):
    panel = Panel()
    qtbot.addWidget(panel)
    assert panel.button.text() == "Clear"
    i18n.set_language("es")
    assert panel.button.text() == "Limpiar"
    i18n.set_language("en")
    assert panel.button.text() == "Clear"


def test_a_refresh_runs_after_the_texts_of_every_owner(qtbot):
    """A refresh registered before a later owner's texts still sees them translated: refreshes
    measure and combine texts, so they run once every text is in the new language."""
    first = Panel()
    later = QLabel()
    qtbot.addWidget(first)
    qtbot.addWidget(later)
    seen = []
    on_language(first, lambda: seen.append(later.text()))
    bind_text(later, later.setText, "Clear")
    i18n.set_language("es")
    assert first.seen == ["Limpiar"]
    assert seen == ["Limpiar"]


def test_a_deleted_owner_is_forgotten(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    panel = Panel(holder)
    panel.deleteLater()
    qtbot.waitUntil(lambda: not holder.findChildren(Panel))
    i18n.set_language("es")          # would raise if its button's setText were called
    assert all(ref() is None or ref().parent() is not panel for ref in i18n._live)


def test_a_dropped_owner_is_garbage_collected(qtbot):
    """The bindings hold the owner's own methods: they must not keep a closed panel alive."""
    panel = Panel()
    ref = weakref.ref(panel)
    del panel
    gc.collect()
    assert ref() is None
