import json
import os
import subprocess
import sys

from core_helpers import ROOT

QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")

SCRIPT = """
import importlib, json, pkgutil, sys
import aegui.core
names = sorted(m.name for m in pkgutil.walk_packages(aegui.core.__path__, "aegui.core.") if not m.ispkg)
for name in names + ["aegui", "aegui.cli"]:
    importlib.import_module(name)
import aegui.cli
aegui.cli.build_parser()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in %r)
print(json.dumps({"imported": names, "qt": loaded}))
""" % (QT_MODULES,)


def test_core_and_cli_never_import_qt(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), AEGUI_HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = {"aegui.core.schema.experiment", "aegui.core.train.session", "aegui.core.runs.storage",
                "aegui.core.models.latent", "aegui.core.models.mlp_net", "aegui.core.data.noise",
                "aegui.core.data.datasets", "aegui.core.config.student_json"}
    assert expected <= set(result["imported"])
    assert result["qt"] == []
