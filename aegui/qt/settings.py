"""Where the app's settings live. With AEGUI_HOME set (tests, a portable install, `--smoke`),
every settings file goes under it: aegui's own and the one Qt's file dialogs write
(QtProject.conf), so nothing touches ~/.config."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings


def settings_home() -> Path | None:
    home = os.environ.get("AEGUI_HOME")
    return Path(home) / "settings" if home else None


def configure() -> None:
    """Point Qt's user-scope settings at AEGUI_HOME (call before any QSettings is made)."""
    home = settings_home()
    if home is None:
        return
    home.mkdir(parents=True, exist_ok=True)
    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(home))


def app_settings(name: str = "aegui") -> QSettings:
    """The settings store named `name` ("aegui", or "aegui-headless" for runs that must not
    change the user's layout), honouring AEGUI_HOME."""
    configure()
    if settings_home() is not None or name != "aegui":
        return QSettings(QSettings.IniFormat, QSettings.UserScope, "aegui", name)
    return QSettings("aegui", "aegui")
