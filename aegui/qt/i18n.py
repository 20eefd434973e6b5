"""English/Spanish UI text.

Source strings are English. Each widget module registers its Spanish strings with
`register({...})` next to the code that uses them, so no shared catalogue grows conflicts.
Widgets re-read their texts in a `retranslate()` method connected to `notifier.changed`.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

LANGUAGES = {"en": "English", "es": "Español"}

_catalog: dict[str, dict[str, str]] = {"es": {}}
_language = "en"


class _Notifier(QObject):
    changed = Signal(str)


notifier = _Notifier()


def register(spanish: dict[str, str]) -> None:
    """Add Spanish strings. One English text has one translation: two panels giving the same text
    different ones would each show whichever module was imported last."""
    catalog = _catalog["es"]
    for text, es in spanish.items():
        if catalog.get(text, es) != es:
            raise ValueError(f"{text!r} is already translated as {catalog[text]!r}, not {es!r}: "
                             "use one translation, or another English text")
    catalog.update(spanish)


def tr(text: str, **fmt) -> str:
    out = _catalog.get(_language, {}).get(text, text)
    return out.format(**fmt) if fmt else out


def language() -> str:
    return _language


def set_language(code: str) -> None:
    global _language
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(LANGUAGES)}")
    if code != _language:
        _language = code
        notifier.changed.emit(code)


_translators = []


def install_qt_translator(code: str) -> None:
    """Qt's own strings (file dialogs, Yes/No buttons) in the chosen language, where Qt ships them."""
    from PySide6.QtCore import QLibraryInfo, QTranslator
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    if code == "en":
        return
    path = QLibraryInfo.path(QLibraryInfo.TranslationsPath)
    for base in ("qtbase", "qt"):
        t = QTranslator()
        if t.load(f"{base}_{code}", path):
            app.installTranslator(t)
            _translators.append(t)
