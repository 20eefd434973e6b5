"""The window (PySide6 + pyqtgraph); imports the core, never the reverse. app starts it, main_window
holds the panels (menus and model_files are its menu bar and its file actions), workers runs long
jobs off the GUI thread; one folder a panel."""
