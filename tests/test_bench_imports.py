"""The benchmarks and tools still name what aegui has: every aegui module and name a script in
bench/ or tools/ (the screenshot scripts, the documentation's reference generator) imports (at its
top or inside a function) exists.

`make bench` is not part of CI (it runs for an hour), so a function moved to another module broke
it without any test noticing: bench/sweep_vs_sequential.py imported `preset_sweeps` from the
Experiments panel after it had moved to the preset menu, and stopped `make bench` half-way. This
checks the imports only, without running the benchmarks: the modules are imported (the Qt ones
offscreen, as everywhere in the tests) and each imported name is looked up.
"""
import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "bench").glob("*.py")) + sorted((ROOT / "tools").glob("*.py"))


def aegui_imports(source: str) -> list[tuple[int, str, str | None]]:
    """(line, module, name or None) of every import of an aegui module in `source`, at any depth."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "aegui":
            found += [(node.lineno, node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names if alias.name.split(".")[0] == "aegui"]
    return found


def missing(imports) -> list[str]:
    """What of `imports` cannot be imported: 'line: module.name (why)'."""
    bad = []
    for line, module, name in imports:
        try:
            mod = importlib.import_module(module)
        except ImportError as e:
            bad.append(f"{line}: {module} ({e})")
            continue
        if name is not None and name != "*" and not hasattr(mod, name):
            try:
                importlib.import_module(f"{module}.{name}")      # a submodule named in a from-import
            except ImportError:
                bad.append(f"{line}: {module}.{name} (no such name)")
    return bad


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.relative_to(ROOT).as_posix() for p in SCRIPTS])
def test_every_aegui_name_a_benchmark_imports_exists(script):
    assert missing(aegui_imports(script.read_text(encoding="utf-8"))) == []


def test_a_moved_name_is_found():
    source = ("import json\nfrom aegui.core.data.noise import apply_noise\n"
              "def later():\n    from aegui.qt.experiments.experiments_panel import preset_sweeps\n"
              "    import aegui.core.no_such_module\n")
    found = aegui_imports(source)
    assert [(line, module) for line, module, _ in found] == [
        (2, "aegui.core.data.noise"), (4, "aegui.qt.experiments.experiments_panel"), (5, "aegui.core.no_such_module")]
    problems = missing(found)
    assert problems[0] == "4: aegui.qt.experiments.experiments_panel.preset_sweeps (no such name)"
    assert problems[1].startswith("5: aegui.core.no_such_module (")
    assert len(problems) == 2
