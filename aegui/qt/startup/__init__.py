"""Start-up: `app` reads the options, makes the application and shows the window, then loads
torch and the demo models on a worker (`--smoke`, `--screenshot`); `feature_scan` replaces PySide's
per-module source scan, installed by aegui/qt/__init__.py before any other module of the window."""
