"""Field names as the builder and the sweep editor show them, in the interface language."""
from __future__ import annotations

from aegui.core.config import fields
from aegui.qt.i18n import tr


def field_label(key: str) -> str:
    """The translated row label of a config field ('train.learning_rate' -> 'Learning rate'),
    or the key itself for a field with none."""
    return tr(fields.FIELDS[key].label) if key in fields.FIELDS else key
