"""Commands that only read or list start without torch: importing it takes seconds (longer than the
whole command), so `aegui --help`, `aegui data list` and `aegui report NAME --list` must answer
without it.

Each command runs in a fresh interpreter through the same entry point as `python -m aegui`
(aegui/__main__.py), and the interpreter says at exit whether any torch module was ever loaded.
The command must also have done its job (exit 0, its usual output): a command that failed early
would import nothing and prove nothing.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# At exit, after the command has run to its end (sys.exit included): which torch modules came in,
# and from which copy of aegui (this checkout's, not an installed one).
PROBE = """
import atexit, runpy, sys
def _tell():
    import aegui
    loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'torch')
    print('PROBE', aegui.__file__, len(loaded), ' '.join(loaded[:5]), file=sys.stderr)
atexit.register(_tell)
{before}
sys.argv = ['aegui', *sys.argv[1:]]
runpy.run_module('aegui', run_name='__main__', alter_sys=True)
"""


def run_probed(args, tmp_path, before=""):
    env = dict(os.environ, AEGUI_HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, "-c", PROBE.format(before=before), *args], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)
    probes = [ln.split(" ", 3) for ln in proc.stderr.splitlines() if ln.startswith("PROBE ")]
    assert len(probes) == 1, proc.stderr
    _, aegui_file, count, names = probes[0]
    assert Path(aegui_file).resolve() == ROOT / "aegui" / "__init__.py"
    return proc, int(count), names


@pytest.mark.parametrize("args, expected", [
    (["--help"], "usage: aegui"),
    (["data", "list"], "mnist"),
    (["report", "000", "--out", "{out}", "--list"], "000-architectures"),
], ids=["help", "data-list", "report-list"])
def test_listing_commands_import_no_torch(tmp_path, args, expected):
    args = [a.format(out=tmp_path / "report") for a in args]
    proc, count, names = run_probed(args, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert expected in proc.stdout
    assert count == 0, f"aegui {' '.join(args)} imported torch ({names} ...)"


def test_listing_a_finished_report_imports_no_torch(tmp_path):
    """--list on a report folder with finished experiments reads their records, not their models
    (the committed row is done, or stale after a change of the code it was made with: either way
    its record and row key are read)."""
    out = tmp_path / "report"
    shutil.copytree(ROOT / "docs" / "course-reports" / "002-model-kinds", out / "002-model-kinds")
    proc, count, names = run_probed(["report", "002", "--out", str(out), "--list"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "002-model-kinds" in proc.stdout and ("done (" in proc.stdout or " stale " in proc.stdout)
    assert count == 0, f"report --list imported torch ({names} ...)"


def test_the_probe_sees_torch_when_it_is_imported(tmp_path):
    """The check above can fail: the same probe, with torch imported before the command, counts it."""
    proc, count, names = run_probed(["data", "list"], tmp_path, before="import torch")
    assert proc.returncode == 0, proc.stderr
    assert count > 0 and "torch" in names.split()
