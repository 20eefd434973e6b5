"""English/Spanish UI text.

Source strings are English; their Spanish is in one catalogue, resources/i18n/es.json (sections
name the part of the window a text belongs to; tests/qt/test_spanish.py keeps it whole). A widget
declares each of its texts once, where it makes the widget that shows it: `bind_text(owner, setter,
"English")`; a text that depends on state is written by the code that changes the state, and
`on_language(owner, refresh)` asks for it again after a change of language. One slot on `notifier`
re-applies them all, texts first and refreshes after (a refresh may measure the new texts).

Numbers follow the language too: `number(value, ".2f")` writes 0,25 in Spanish and 0.25 in
English, and tr() writes every number it is given that way (so tr("{mse:.4f}", mse=x) needs no
care at the call). A space before % in both languages ("10 %", as the app's texts write it), "–"
for a value that is not a number (nan, inf). Thousands are grouped only where the spec asks (",":
sample and parameter counts; never epochs or pixels), with a narrow space (see GROUPING).
"""
from __future__ import annotations

import json
import math
import numbers
import string
import weakref
from typing import Callable

from PySide6.QtCore import QLocale, QObject, Signal
from shiboken6 import isValid

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


class _Bindings(QObject):
    """The texts and refreshes of one owner; a child of it, so they go when it goes."""

    def __init__(self, owner: QObject):
        super().__init__(owner)
        self.setObjectName(_BINDINGS)
        self.texts: list[tuple[Callable[[str], object], str, dict]] = []
        self.refreshes: list[Callable[[], object]] = []
        _live.append(weakref.ref(self))


_BINDINGS = "aegui-texts"
_live: list[weakref.ref] = []      # every owner's bindings, in the order they were made


def _bindings(owner: QObject) -> _Bindings:
    from PySide6.QtCore import Qt
    found = owner.findChild(_Bindings, _BINDINGS, Qt.FindChildOption.FindDirectChildrenOnly)
    return found if found is not None else _Bindings(owner)


def bind_text(owner: QObject, setter: Callable[[str], object], english: str, **fmt) -> None:
    """setter(tr(english, **fmt)) now and after every change of language, for as long as `owner`
    (usually the panel that made the widget) lives."""
    _bindings(owner).texts.append((setter, english, fmt))
    setter(tr(english, **fmt))


def on_language(owner: QObject, refresh: Callable[[], object]) -> None:
    """refresh() after every change of language (after every bound text is in the new language),
    for as long as `owner` lives: for texts made from state, a list filled from data, sizes fitted
    to texts. Not called now: the owner writes them as its state is set."""
    _bindings(owner).refreshes.append(refresh)


def _alive(ref: weakref.ref) -> bool:
    b = ref()
    return b is not None and isValid(b)


def _retranslate(_code: str) -> None:
    _live[:] = [ref for ref in _live if _alive(ref)]
    live = [ref() for ref in _live]
    for b in live:
        for setter, english, fmt in b.texts:
            setter(tr(english, **fmt))
    for b in live:
        # A refresh may close its owner (a hint that no longer applies): the rest still run.
        for refresh in list(b.refreshes):
            if isValid(b):
                refresh()


notifier.changed.connect(_retranslate)


QLOCALES = {"en": (QLocale.Language.English, QLocale.Country.UnitedStates),
            "es": (QLocale.Language.Spanish, QLocale.Country.Spain)}
NOT_A_NUMBER = "–"
PERCENT_GAP = "\u00a0"   # no-break: "10 %" is never split across lines
# Thousands: a narrow no-break space in both languages (as the builder always wrote "2 625
# parameters"; a comma or a point would read as a decimal mark in the other language), from four
# digits in English and from five in Spanish, as the RAE advises (1797, 60 000).
GROUPING = {"en": ("\u202f", 4), "es": ("\u202f", 5)}   # separator, fewest integer digits that get one


def qlocale(code: str | None = None) -> QLocale:
    """The QLocale of a language (the current one by default)."""
    return QLocale(*QLOCALES[code or _language])


def localize(text: str) -> str:
    """A number as Python writes it ("-1.5e-05", "10%", "60,000.5") in the current language's
    symbols."""
    loc = qlocale()
    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    separator, fewest = GROUPING[_language]
    digits = sum(ch.isdigit() for ch in text.partition(".")[0])
    group = separator if digits >= fewest else ""
    out = text.translate({ord("."): loc.decimalPoint(), ord("-"): loc.negativeSign(), ord(","): group})
    return out + PERCENT_GAP + loc.percent() if percent else out


class Number(str):
    """The text of a number, which remembers the number: tr() writes it again in the language
    current when the text is shown, so a sentence kept and re-translated after a language change
    (a status line) does not keep the old decimal point."""
    value: object
    spec: str


def number(value, spec: str = "") -> Number:
    """`value` formatted by a Python format spec (".1f", ".3g", ".0%", ",") in the current
    language: number(0.5, ".1f") -> "0,5" in Spanish; nan and inf (and None) -> "–"."""
    if "_" in spec:
        raise ValueError(f"format spec {spec!r}: group thousands with ',' (written in the language's way)")
    if value is None or (isinstance(value, numbers.Real) and not math.isfinite(value)):
        text = NOT_A_NUMBER
    else:
        # str(), not format(x, ""), for a numpy float32: its format gives 0.10000000149011612.
        text = localize(format(value, spec) if spec else str(value))
    out = Number(text)
    out.value, out.spec = value, spec
    return out


def number_list(values, spec: str = "") -> str:
    """Numbers in a row: "0.5, -1.2" in English, "0,5; -1,2" in Spanish (where a comma between
    them would read as a decimal comma)."""
    separator = "; " if qlocale().decimalPoint() == "," else ", "
    return separator.join(number(v, spec) for v in values)


class _NumberFormatter(string.Formatter):
    def format_field(self, value, format_spec):
        if isinstance(value, Number):
            return number(value.value, format_spec or value.spec)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return number(value, format_spec)
        return super().format_field(value, format_spec)


_formatter = _NumberFormatter()


def tr(text: str, **fmt) -> str:
    """`text` in the current language, its {placeholders} filled; numbers among them are
    written in the language's convention (see number)."""
    out = _catalog.get(_language, {}).get(text, text)
    return _formatter.format(out, **fmt) if fmt else out


def language() -> str:
    return _language


def plural(n: int, one: str, many: str) -> str:
    """`one` when n is exactly 1, `many` otherwise: English and Spanish agree on this (0 takes the
    plural: "0 pixels", "0 píxeles"). Both come translated, `many` filled in, so the catalogue's
    checks see them as tr() texts: plural(n, tr("1 pixel"), tr("{n} pixels", n=n))."""
    return one if int(n) == 1 else many


def set_language(code: str) -> None:
    global _language
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(LANGUAGES)}")
    previous, _language = _language, code
    apply_locale(code)      # after _language: widgets rewrite their numbers as the locale changes
    if code != previous:
        notifier.changed.emit(code)


def apply_locale(code: str) -> None:
    """Qt's own number texts in the language too: spin boxes show and read 0,5 in Spanish. Every
    window gets the locale (a widget takes its window's; windows do not pass it on to their
    dialogs), and windows made later the default. Even for English: the system's locale, say
    German, must not decide the decimal point of an English window."""
    from PySide6.QtWidgets import QApplication

    loc = qlocale(code)
    QLocale.setDefault(loc)
    if QApplication.instance() is None:
        return
    for w in QApplication.topLevelWidgets():
        if w.locale() != loc:
            w.setLocale(loc)


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
