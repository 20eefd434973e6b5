"""A user's value as a message repeats it: cut to a length a message can carry (a layer line of
1 MB was echoed whole). Its own module so that registries (schema/registry.py) can word their
errors without importing the experiment schema, which imports them."""
from __future__ import annotations

ECHO_LIMIT = 60


def shown(value, limit: int = ECHO_LIMIT) -> str:
    """repr() of a user's value for a message, cut to about `limit` characters: 'conv 1 3x3 sss…'
    (1,000,011 characters)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str):
        return f"{text[:limit - 2]}…{text[0]} ({len(value):,} characters)"
    size = f" ({len(value):,} items)" if isinstance(value, (list, tuple, dict)) else ""
    return f"{text[:limit - 1]}…{size}"
