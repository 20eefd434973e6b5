"""How the window names a model, the same in every list: its name in the interface language
("(demo)" for the ones aegui ships, "+ 1 taught glyph" after a taught one's), then what tells it
apart from another of that name: its number among the models of that name in this session (the
first has none: "my first AE", then "my first AE #2"), the score of a run trained here and when it
was trained.

    General 5x7 denoiser (…) + 1 taught glyph #2 — 0 px, 14:32

fitted_title() shortens the name alone (never what tells models apart) to fit a width.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt
from PySide6.QtGui import QFontMetrics

from aegui.qt import i18n
from aegui.qt.i18n import number, tr

TAUGHT = re.compile(r"^(?P<base>.+) \+ (?P<n>\d+) taught glyphs?$")   # the name aegui teach gives
NAME = "\0"        # where the name goes in a title's frame


def shown_name(name: str) -> str:
    """A name in the interface language: the demo models' and the default one from the catalogue,
    a taught model's as its base's name + the glyphs taught; a name the user typed as it is."""
    frame, base = _taught_frame(name)
    return frame.replace(NAME, tr(base))


def title(model) -> str:
    frame, base = _frame(model)
    return frame.replace(NAME, tr(base))


def fitted_title(model, metrics: QFontMetrics, width: int, suffix: str = "") -> str:
    """title(model) + `suffix`, its name shortened with "…" until it fits `width` px; what follows
    the name (taught glyphs, number, score, time) always stays whole."""
    frame, base = _frame(model)
    frame += suffix
    name = tr(base)
    whole = frame.replace(NAME, name)
    if metrics.horizontalAdvance(whole) <= width:
        return whole
    room = width - metrics.horizontalAdvance(frame.replace(NAME, ""))
    least = metrics.horizontalAdvance(name[:8] + "…")
    return frame.replace(NAME, metrics.elidedText(name, Qt.TextElideMode.ElideRight, max(room, least)))


def numbered(model) -> bool:
    """Whether a title shows the model's number: from the second model of a name on."""
    return model is not None and (model.number or 0) > 1


def when_text(seconds: float) -> str:
    """When a model was trained, in the language's way: the time today, the date and time before."""
    moment = QDateTime.fromSecsSinceEpoch(int(seconds))
    locale = i18n.qlocale()
    clock = locale.toString(moment.time(), QLocale.FormatType.ShortFormat)
    if moment.date() == QDate.currentDate():
        return clock
    day = 'd MMM' if moment.date().year() == QDate.currentDate().year() else 'd MMM yyyy'
    return f"{locale.toString(moment.date(), day)} {clock}"


def score_text(trained) -> str:
    what, value = trained
    if what == "px":
        return f"{value} px"
    return f"{tr('loss')} {number(value, '.4g')}"


def _frame(model) -> tuple[str, str]:
    """(the title with NAME where the name goes, the name as stored, to translate)."""
    frame, base = _taught_frame(model.name)
    if model.demo:
        frame = tr("{name} (demo)", name=frame)
    if numbered(model):
        frame = tr("{name} #{number}", name=frame, number=model.number)
    trained_here = model.trained is not None
    when = when_text(model.trained_at) if model.trained_at is not None and not model.demo else None
    if trained_here and when:
        frame = tr("{name} — {score}, {when}", name=frame, score=score_text(model.trained), when=when)
    elif trained_here:
        frame = tr("{name} — {score}", name=frame, score=score_text(model.trained))
    elif when:
        frame = tr("{name} — {when}", name=frame, when=when)
    return frame, base


def _taught_frame(name: str) -> tuple[str, str]:
    taught = []
    while (m := TAUGHT.match(name)) is not None:
        name = m["base"]
        taught.insert(0, int(m["n"]))
    frame = NAME
    for n in taught:
        frame = tr("{name} + {n} taught glyph", name=frame, n=n) if n == 1 else \
            tr("{name} + {n} taught glyphs", name=frame, n=n)
    return frame, name
