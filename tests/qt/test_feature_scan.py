"""PySide's import hook asks of each module loaded after Qt whether its source mentions PySide6.
The window replaces the way it finds out (aegui/qt/startup/feature_scan.py): the same answers, without
reading every module's source into linecache, which made `import torch` after Qt 15-35 % slower
here and kept a thousand sources in memory. Checked: the replacement is in place once the window's
package is imported, it answers as PySide's own check does, and a module imported afterwards no
longer has its source kept."""
import importlib
import json
import subprocess
import sys
from pathlib import Path

import aegui.qt  # noqa: F401  (installs the check)
from aegui.qt.startup import feature_scan

ROOT = Path(__file__).resolve().parents[2]


def test_the_window_package_puts_the_cheaper_check_in_pyside_s_hook():
    import shibokensupport.feature as feature
    assert getattr(feature, feature_scan.NAME) is feature_scan.mentions_pyside
    assert callable(feature_scan.replaced) and feature_scan.replaced is not feature_scan.mentions_pyside
    assert feature_scan.install()          # a second call leaves it as it is
    assert getattr(feature, feature_scan.NAME) is feature_scan.mentions_pyside


def test_it_answers_as_pyside_s_own_check():
    names = ["aegui.qt.startup.app", "aegui.qt.startup.feature_scan", "aegui.core.workspace.workspace", "json",
             "PySide6.QtCore", "pyqtgraph", "pyqtgraph.Qt", "numpy", "aegui.core.data.noise"]
    answers = {}
    for name in names:
        module = importlib.import_module(name)
        answers[name] = (feature_scan.replaced(module), feature_scan.mentions_pyside(module))
    assert {n: ours for n, (_theirs, ours) in answers.items()} == {n: theirs for n, (theirs, _ours) in answers.items()}
    # Both kinds of answer were among them.
    assert answers["aegui.qt.startup.app"] == (True, True) and answers["aegui.core.data.noise"] == (False, False)
    assert answers["PySide6.QtCore"] == (False, False)     # a compiled module has no source


PROBE = """
import json, linecache, sys
import PySide6.QtCore   # PySide's hook first, as pytest-qt or pyqtgraph may bring it
import aegui.qt
fresh = "{module}" not in sys.modules
import {module}
print(json.dumps({{"fresh": fresh, "kept": sys.modules["{module}"].__file__ in linecache.cache}}))
"""


def test_a_module_imported_after_the_window_package_leaves_no_source_in_memory():
    # A standard module the window does not load itself; PySide's own check would read it in.
    module = "wave"
    proc = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.splitlines()[-1])
    assert seen["fresh"] is True, seen       # imported here for the first time, after the hook
    assert seen["kept"] is False, seen
