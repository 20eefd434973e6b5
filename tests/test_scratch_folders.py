"""The project's own scripts leave nothing behind in the system's temp folder.

A test run used to leave about 140 folders in /tmp (one per fuzz example), `make fuzz` thousands,
and every benchmark, screenshot run and package build one more, run after run. Read from the
source, three rules:

- tests make their folders under pytest's own (tmp_path, tmp_path_factory; pytest keeps the last
  three runs' and removes older ones), so a `tempfile.mkdtemp` in tests/ always names `dir=`;
- a Python script of bench/, tools/ or installer/ removes each folder it makes with
  `tempfile.mkdtemp` when it ends (`atexit.register(shutil.rmtree, ...)`; a `with
  TemporaryDirectory()` needs nothing);
- a shell script removes each `mktemp -d` folder with a `trap 'rm -rf ...' EXIT`.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ("bench", "tools", "installer")
REMOVED_AT_EXIT = re.compile(r"atexit\.register\(\s*shutil\.rmtree")
TRAP = re.compile(r"^\s*trap\s+['\"][^'\"]*rm -rf", re.M)


def _mkdtemp_calls(source: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "mkdtemp"]


def unscoped_in_test(source: str) -> list[int]:
    """Lines of a test's mkdtemp calls that make their folder outside pytest's (no `dir=`)."""
    return [c.lineno for c in _mkdtemp_calls(source) if not any(k.arg == "dir" for k in c.keywords)]


def script_leaks(source: str) -> bool:
    """Whether a script makes more mkdtemp folders than it removes at exit."""
    return len(_mkdtemp_calls(source)) > len(REMOVED_AT_EXIT.findall(source))


def shell_leaks(source: str) -> bool:
    """Whether a shell script makes more `mktemp -d` folders than its traps remove."""
    return source.count("mktemp -d") > len(TRAP.findall(source))


def test_the_checks_flag_a_leaking_test_script_and_shell_script():
    leaky = "import tempfile\nfolder = tempfile.mkdtemp()\n"
    assert unscoped_in_test(leaky) == [2]
    assert unscoped_in_test("from tempfile import mkdtemp\nf = mkdtemp(dir=base)\n") == []
    assert script_leaks(leaky)
    assert not script_leaks(leaky + "atexit.register(shutil.rmtree, folder, True)\n")
    assert shell_leaks('home=$(mktemp -d)\nAEGUI_HOME="$home" app --smoke\n')
    assert not shell_leaks('home=$(mktemp -d)\ntrap \'rm -rf "$home"\' EXIT\n')


def test_tests_make_their_folders_under_pytests():
    bad = [f"{p.relative_to(ROOT)}:{line}" for p in sorted((ROOT / "tests").rglob("*.py"))
           for line in unscoped_in_test(p.read_text(encoding="utf-8"))]
    assert not bad, "tempfile.mkdtemp outside pytest's folders (pass dir=tmp_path): " + ", ".join(bad)


def test_scripts_remove_the_folders_they_make():
    py = [p for folder in SCRIPTS for p in sorted((ROOT / folder).rglob("*.py"))]
    sh = [p for folder in SCRIPTS + (".ci",) for p in sorted((ROOT / folder).rglob("*"))
          if p.is_file() and (p.suffix == ".sh" or p.read_bytes().startswith(b"#!/usr/bin/env bash"))]
    assert py and sh
    bad = [str(p.relative_to(ROOT)) for p in py if script_leaks(p.read_text(encoding="utf-8"))]
    bad += [str(p.relative_to(ROOT)) for p in sh if shell_leaks(p.read_text(encoding="utf-8"))]
    assert not bad, "temporary folders left behind by: " + ", ".join(bad)
