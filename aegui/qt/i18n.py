"""English/Spanish UI text.

Source strings are English; their Spanish is in one catalogue, resources/i18n/es.json (sections
name the part of the window a text belongs to; tests/qt/test_spanish.py keeps it whole). Widgets
re-read their texts in a `retranslate()` method connected to `notifier.changed`.
"""
from __future__ import annotations

import json

from PySide6.QtCore import QObject, Signal

from aegui.core.files.paths import resources_dir

LANGUAGES = {"en": "English", "es": "Español"}


def read_catalogue(code: str) -> dict[str, str]:
    """English text -> its translation, from resources/i18n/<code>.json (sections flattened)."""
    sections = json.loads((resources_dir() / "i18n" / f"{code}.json").read_text(encoding="utf-8"))
    return {text: out for section in sections.values() for text, out in section.items()}


_catalog: dict[str, dict[str, str]] = {"es": read_catalogue("es")}
_language = "en"


class _Notifier(QObject):
    changed = Signal(str)


notifier = _Notifier()


def tr(text: str, **fmt) -> str:
    out = _catalog.get(_language, {}).get(text, text)
    return out.format(**fmt) if fmt else out


def language() -> str:
    return _language


def plural(n: int, one: str, many: str) -> str:
    """`one` when n is exactly 1, `many` otherwise: English and Spanish agree on this (0 takes the
    plural: "0 pixels", "0 píxeles"). Both come translated, `many` filled in, so the catalogue's
    checks see them as tr() texts: plural(n, tr("1 pixel"), tr("{n} pixels", n=n))."""
    return one if int(n) == 1 else many


def number(x: float, places: int = 1) -> str:
    """A decimal as the window's language writes it: 1.5 in English, 1,5 in Spanish."""
    from PySide6.QtCore import QLocale
    lang = QLocale.Language.Spanish if _language == "es" else QLocale.Language.English
    return QLocale(lang).toString(float(x), "f", places)


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
