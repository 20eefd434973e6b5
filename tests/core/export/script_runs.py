"""What the export tests share: exporting a model through the command line, running the script
the way a user without aegui would, and `aegui eval`'s JSON for the same model."""
import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from core_helpers import last_json, run_cli

# What an exported script may import: the standard library's argparse, json, sys and pathlib, and numpy.
ALLOWED_IMPORTS = {"argparse", "json", "sys", "pathlib", "numpy"}

# Runs the script as `python FILE.py ARGS` would, with torch and aegui made unimportable: an import
# of either (even one numpy does not need) fails the run.
GUARD = ("import runpy, sys; sys.modules['torch'] = None; sys.modules['aegui'] = None; "
         "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')")

# Keys only the script prints: a convolutional model's forward-only note.
SCRIPT_ONLY = ("forward_only", "note")


def imports_of(script: Path) -> set[str]:
    """The top-level packages the script imports, read from its source."""
    found = set()
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add((node.module or "").split(".")[0])
    return found


def run_script(script: Path, *args) -> dict:
    """The one JSON line the script prints, run in a fresh interpreter (-I: no PYTHONPATH, no user
    site) from the script's folder with torch and aegui blocked."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-I", "-c", GUARD, str(script), *map(str, args)], cwd=script.parent,
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout
    return json.loads(lines[0])


def export(capsys, model, script: Path, *options) -> str:
    """`aegui export MODEL SCRIPT` in-process; returns its stderr line, asserting it succeeded
    and wrote a script that imports only what ALLOWED_IMPORTS lists."""
    status = run_cli(["export", model, script, *options])
    err = capsys.readouterr().err
    assert status == 0, err
    assert script.is_file() and script.with_suffix(".npz").is_file()
    assert imports_of(script) <= ALLOWED_IMPORTS, imports_of(script)
    return err


def eval_json(capsys, model, *args) -> dict:
    """What `aegui eval MODEL ARGS` prints last."""
    capsys.readouterr()
    assert run_cli(["eval", model, *args]) == 0
    return last_json(capsys.readouterr().out)


def without(result: dict, keys=SCRIPT_ONLY) -> dict:
    return {k: v for k, v in result.items() if k not in keys}


def saved(tmp_path, exp, name: str) -> Path:
    """A model of `exp` trained on its own data through the core API and saved as `aegui train`
    saves it; returns its folder."""
    from aegui.core.data.datasets import from_config
    from aegui.core.runs.storage import save_model
    from aegui.core.train.session import train
    session, _ = train(exp, from_config(exp.data))
    folder = tmp_path / name
    save_model(folder, session.best_model(), exp, {})
    return folder
