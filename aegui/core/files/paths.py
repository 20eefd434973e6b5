"""Where shipped resources and user data live (source tree or a frozen bundle)."""
from __future__ import annotations

import os
import re
import sys
import unicodedata
from pathlib import Path

# Names Windows keeps for devices, with any extension ("nul.json" opens the null device there).
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10))}


def app_root() -> Path:
    """The folder holding resources/ and models/: the bundle's _internal/ when frozen, else the source checkout.
    """
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parents[3]


def resources_dir() -> Path:
    """The shipped resources: font.h, emoji, presets, sweeps, icons, translations."""
    return app_root() / "resources"


def models_dir() -> Path:
    """The shipped demo models."""
    return app_root() / "models"


def presets_dir() -> Path:
    """The shipped experiment presets, resources/presets."""
    return resources_dir() / "presets"


def course_font_path() -> Path:
    """The course's font.h (Font1, Font2, Font3)."""
    return resources_dir() / "font.h"


def user_data_dir() -> Path:
    """AEGUI_HOME wins (tests point it at a temp dir); else the XDG data dir."""
    if os.environ.get("AEGUI_HOME"):
        base = Path(os.environ["AEGUI_HOME"])
    elif sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home())) / "aegui"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support" / "aegui"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "aegui"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        # A read-only home, or a file where the folder should be: the window still starts (it
        # warns, see qt/settings.settings_problem); what is written here later says why it cannot.
        pass
    return base


def user_cache_dir() -> Path:
    """Where aegui keeps what it can make or fetch again (catalogue datasets, the user guide built
    from source): $AEGUI_HOME when set (tests), else the per-user cache folder (platformdirs:
    ~/.cache/aegui on Linux). Not made here: each user of it makes its own subfolder."""
    if os.environ.get("AEGUI_HOME"):
        return Path(os.environ["AEGUI_HOME"])
    import platformdirs
    return platformdirs.user_cache_path("aegui", appauthor=False)


def autosave_dir() -> Path:
    """Where every model trained in the window is written as soon as its run ends."""
    return user_data_dir() / "autosave"


def fresh_folder(base) -> Path:
    """`base`, or `base`-2, -3 ... when it exists: two runs ended in the same second must not
    write (and later delete) each other's files."""
    base = Path(base)
    folder, n = base, 2
    while folder.exists():
        folder, n = base.with_name(f"{base.name}-{n}"), n + 1
    return folder


def safe_name(text: str, fallback: str, limit: int = 60) -> str:
    """`text` (a model's or sweep's name) as a file or folder name that works on Windows, macOS and
    Linux: accents dropped where a letter has a plain form ("ñandú 2" -> "nandu-2"; it was "and-2"
    when every non-ASCII letter was dropped), letters of other scripts kept, each run of anything
    else (spaces, / \\ : * ? " < > |, control characters) one "-"; at most `limit` characters, and
    `fallback` when nothing is left."""
    # NFC: macOS keeps names decomposed, and a name should not change when it comes back from disk.
    plain = "".join(map(_plain, unicodedata.normalize("NFC", str(text))))
    name = re.sub(r"[^\w.-]+", "-", plain).strip("-.")[:limit].rstrip("-.")
    if name.split(".")[0].upper() in _RESERVED:
        name = f"_{name}"
    return name or fallback


def _plain(c: str) -> str:
    """"ñ" -> "n", "ﬁ" -> "fi", "²" -> "2"; a letter whose plain form is not ASCII stays whole
    (the mark of "デ" is part of the letter: without it, it is another one)."""
    base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    return base if base.isascii() else c
