"""The window (PySide6 + pyqtgraph); imports the core, never the reverse. app starts it; main_window
lays out the panels, each of which binds itself to the core's Workspace; menus, files, model_bar
and status_bar are its menu bar, file actions, toolbar and status bar; training_runner runs the
workspace's training and threads every other long job off the GUI thread; one folder a panel."""
import os

# superqt reaches Qt through qtpy, which would take PyQt5 first if a user's environment had it.
os.environ.setdefault("QT_API", "pyside6")
