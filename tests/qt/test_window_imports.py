"""What the window's modules bring in before its first paint: not torch (it comes on a worker once
the window is shown), not the panels built only when the Experiments perspective is first reached,
and not Pillow (only reading a picture needs it). Checked in a fresh interpreter, after importing
what main.py imports to show the window, from this checkout."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import aegui, aegui.qt.app, aegui.qt.main_window
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
    assert "aegui.qt.main_window" in loaded    # the probe saw the window's imports
    assert [m for m in NOT_BEFORE_THE_WINDOW if m in loaded] == []
