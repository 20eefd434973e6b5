"""The window (PySide6 + pyqtgraph); imports the core, never the reverse. startup/ starts it;
window/ is the main window (it lays out the panels, each of which binds itself to the core's
Workspace) with its menu bar, toolbar and status bar; workers/ runs the training and every other
long job off the GUI thread; storage/ reads and writes files and settings; models/ names the open
models; widgets/ holds what several panels share. One folder a panel (builder/, latent/, editor/,
...), listed in perspectives/panels.py."""
import os

# superqt reaches Qt through qtpy, which would take PyQt5 first if a user's environment had it.
os.environ.setdefault("QT_API", "pyside6")

# Before any other module of the window: PySide's import hook reads every later module's source
# through linecache (feature_scan says what it costs and what replaces it).
from aegui.qt.startup.feature_scan import install as _install_feature_scan  # noqa: E402

_install_feature_scan()
