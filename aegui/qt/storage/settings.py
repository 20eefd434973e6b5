"""Where the app's settings live. With AEGUI_HOME set (tests, a portable install, `--smoke`),
every settings file goes under it: aegui's own and the one Qt's file dialogs write
(QtProject.conf), so nothing touches ~/.config."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings


def settings_home() -> Path | None:
    home = os.environ.get("AEGUI_HOME")
    return Path(home) / "settings" if home else None


def settings_problem() -> str | None:
    """Why the settings cannot be saved under AEGUI_HOME (read-only, or a file where the folder
    should be), one sentence; None when they can. The window then keeps them in memory; a
    headless run stops with it."""
    home = settings_home()
    if home is None:
        return None
    import errno

    from aegui.core.files.errors import os_problem
    try:
        home.mkdir(parents=True, exist_ok=True)
        # mkdir passes on a read-only folder that exists: only writing tells.
        with tempfile.TemporaryFile(dir=home):
            pass
    except OSError as e:
        reason = ("a part of that path is a file, not a folder" if e.errno in (errno.ENOTDIR, errno.EEXIST)
                  else os_problem(e))
        return f"cannot save the settings in {home} (AEGUI_HOME): {reason}"
    return None


def configure() -> None:
    """Point Qt's user-scope settings at AEGUI_HOME (call before any QSettings is made). Where
    that folder cannot be made, QSettings keeps what is set in memory (its saves fail quietly)."""
    home = settings_home()
    if home is None:
        return
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass        # settings_problem() says why; start-up goes on
    for fmt in (QSettings.NativeFormat, QSettings.IniFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(home))


def app_settings(name: str = "aegui") -> QSettings:
    """The settings store named `name` ("aegui", or "aegui-headless" for runs that must not
    change the user's layout), honouring AEGUI_HOME."""
    configure()
    if settings_home() is not None or name != "aegui":
        return QSettings(QSettings.IniFormat, QSettings.UserScope, "aegui", name)
    return QSettings("aegui", "aegui")


def save_blob(settings: QSettings, key: str, blob) -> None:
    """Bytes (a window geometry, a dock state) with a hash of them, for saved_layout()."""
    import hashlib
    settings.setValue(key, blob)
    settings.setValue(f"{key}_sha256", hashlib.sha256(bytes(blob)).hexdigest())


def saved_layout(settings: QSettings, key: str):
    """The bytes saved under `key` if they are bytes and their hash matches, else None: Qt's
    restoreState() crashed the process on a damaged window_state (make fuzz, a mutated
    settings file), so only what save_layout wrote, unchanged, reaches it."""
    import hashlib
    from PySide6.QtCore import QByteArray
    blob, digest = settings.value(key), settings.value(f"{key}_sha256")
    if not isinstance(blob, (QByteArray, bytes)) or not isinstance(digest, str):
        return None
    return blob if hashlib.sha256(bytes(blob)).hexdigest() == digest else None
