"""Where shipped resources and user data live (source tree or a frozen bundle)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def app_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) if frozen else Path(__file__).resolve().parents[3]


def resources_dir() -> Path:
    return app_root() / "resources"


def models_dir() -> Path:
    return app_root() / "models"


def presets_dir() -> Path:
    return resources_dir() / "presets"


def course_font_path() -> Path:
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
