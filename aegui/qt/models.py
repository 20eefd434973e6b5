"""How the window names a model: its name in the interface language, "(demo)" for the ones aegui
ships, and the score of one trained in this session."""
from __future__ import annotations

from aegui.qt.i18n import number, tr


def title(model) -> str:
    name = tr(model.name)
    if model.demo:
        name = tr("{name} (demo)", name=name)
    if model.trained is None:
        return name
    what, value = model.trained
    score = f"{value} px" if what == "px" else f"{tr('loss')} {number(value, '.4g')}"
    return tr("Trained: {name}", name=f"{name} — {score}")
