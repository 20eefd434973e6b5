"""The public functions, classes and methods of aegui/core and aegui/cli say what they do: at least
90 % of them in each tree have a docstring. Public: a name without a leading "_", at module level
or in a public class (a method of a private class, and a function nested in a function, are not
reached from outside). Read with ast, so nothing is imported. On failure, the files with the most
missing are printed first, each with the names it lacks.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEAST = 0.90


def public_definitions(tree: ast.Module):
    """(qualified name, node) of each public function, class and method of a module."""
    def walk(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                yield prefix + node.name, node
                if isinstance(node, ast.ClassDef):
                    yield from walk(node.body, f"{prefix}{node.name}.")
    yield from walk(tree.body, "")


def undocumented(tree: str) -> tuple[int, dict[str, list[str]]]:
    """(how many public definitions the tree has, {file: the names among them without a docstring})."""
    total, missing = 0, {}
    for path in sorted((ROOT / tree).rglob("*.py")):
        for name, node in public_definitions(ast.parse(path.read_text(encoding="utf-8"))):
            total += 1
            if ast.get_docstring(node) is None:
                missing.setdefault(str(path.relative_to(ROOT)), []).append(name)
    return total, missing


@pytest.mark.parametrize("tree", ["aegui/core", "aegui/cli"])
def test_most_public_definitions_have_a_docstring(tree):
    total, missing = undocumented(tree)
    lacking = sum(map(len, missing.values()))
    share = (total - lacking) / total
    worst = sorted(missing.items(), key=lambda item: -len(item[1]))[:15]
    report = "\n".join(f"  {len(names):3d} {path}: {', '.join(names)}" for path, names in worst)
    print(f"{tree}: {total - lacking} of {total} public definitions documented ({share:.1%})")
    assert share >= LEAST, f"{tree}: {share:.1%} of {total} documented, below {LEAST:.0%}; most lacking:\n{report}"


def test_the_count_sees_what_is_public():
    tree = ast.parse('''
def shown():
    """Has one."""
def bare(): pass
def _hidden(): pass
class Public:
    def method(self): pass
    def __init__(self): pass
    class Inner:
        """Has one."""
class _Private:
    def method(self): pass
def outer():
    """Has one."""
    def nested(): pass
''')
    found = {name: ast.get_docstring(node) is not None for name, node in public_definitions(tree)}
    assert found == {"shown": True, "bare": False, "Public": False, "Public.method": False, "Public.Inner": True,
                     "outer": True}
