"""The window (PySide6 + pyqtgraph); imports the core, never the reverse. app starts it; main_window
lays out the panels, each of which binds itself to the core's Workspace; menus, files, model_bar
and status_bar are its menu bar, file actions, toolbar and status bar; training_runner runs the
workspace's training and threads every other long job off the GUI thread; one folder a panel."""
import os

# superqt reaches Qt through qtpy, which would take PyQt5 first if a user's environment had it.
os.environ.setdefault("QT_API", "pyside6")

# Before any other module of the window: PySide's import hook reads every later module's source
# through linecache (feature_scan says what it costs and what replaces it).
from aegui.qt.startup.feature_scan import install as _install_feature_scan  # noqa: E402

_install_feature_scan()
