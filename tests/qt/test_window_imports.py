"""What the window's modules bring in before its first paint: not torch (it comes on a worker once
the window is shown), not the panels built only when the Experiments perspective is first reached,
and not Pillow (only reading a picture needs it). Checked in a fresh interpreter, after importing
what main.py imports to show the window, from this checkout."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import aegui, aegui.qt.startup.app, aegui.qt.window.main_window
print(aegui.__file__)
print(' '.join(sorted(m for m in sys.modules)))
"""

NOT_BEFORE_THE_WINDOW = ("torch", "PIL", "aegui.qt.experiments.experiments_panel",
                         "aegui.qt.analyses.analyses_panel", "aegui.qt.compare.compare_panel",
                         "aegui.qt.training.training_panel")


def test_the_window_modules_leave_torch_pillow_and_later_panels_out():
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    aegui_file, modules = proc.stdout.splitlines()[:2]
    assert Path(aegui_file).resolve() == ROOT / "aegui" / "__init__.py"
    loaded = set(modules.split())
    assert "aegui.qt.window.main_window" in loaded    # the probe saw the window's imports
    assert [m for m in NOT_BEFORE_THE_WINDOW if m in loaded] == []


# The window built and shown as app.run shows it, then the modules in at that moment (before
# start_loading brings torch and the demo models), then taken apart as app.run takes it apart.
SHOWN = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import aegui.qt.startup.app as app
qt_app = app.make_application()
settings = app.run_settings(True)
win = app.show_window(qt_app, settings, app.apply_look(settings, app.parse_args(["--smoke"])), (1280, 800), None)
print(' '.join(sorted(m for m in sys.modules)), flush=True)
app.take_apart(win)      # as app.run ends: left to interpreter shutdown, Qt's teardown may crash (-11)
"""

# superqt's package brings every widget it has (~50 ms): its throttles and workers are made on
# their first use, once the window is up. The model builder (not in the Explore perspective) is
# built when first reached; the catalogue's download dialog when File > Open dataset asks for it.
NOT_WHEN_SHOWN = NOT_BEFORE_THE_WINDOW + ("superqt", "aegui.qt.builder.model_builder",
                                          "aegui.qt.builder.fetch_dialog")


def test_the_shown_window_has_not_imported_superqt_nor_the_later_panels(tmp_path):
    env = dict(os.environ, AEGUI_HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", SHOWN], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = set(proc.stdout.split())
    assert "aegui.qt.window.main_window" in loaded and "pyqtgraph" in loaded
    assert [m for m in NOT_WHEN_SHOWN if m in loaded] == []
