"""The package layout as a rule: no import loops inside aegui, no Qt in aegui.core, small files.

The graph is read from the source (ast), imports inside functions included: a lazy import
that closes a loop is still a loop, only one that fails later.
"""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "aegui"
QT_ROOTS = ("PySide6", "shiboken6", "pyqtgraph")
MAX_LINES = 800


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def imported_names(path: Path, name: str, known: set[str]) -> set[str]:
    """Every module (of `known` or outside aegui) that `name` imports, at any depth in the file."""
    is_pkg = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                out.add(sub if sub in known else mod)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imported_names(path, name, known) for name, path in mods.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import loop as [a, b, ..., a], or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in edges:
                continue
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_every_module_and_its_imports():
    edges = graph()
    assert "aegui.core.models.nets" in edges and "aegui.qt.main_window" in edges
    assert "aegui.core.schema.experiment" in edges["aegui.core.models.nets"]
    assert "PySide6.QtWidgets" in edges["aegui.qt.main_window"]


def test_the_cycle_finder_finds_a_loop_and_passes_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_module_imports_one_that_imports_it_back():
    cycle = find_cycle(graph())
    assert cycle is None, "import loop: " + " -> ".join(cycle)


def package_graph(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """aegui.core's packages (schema, files, data, ...) and which others each imports, from
    every import statement of their modules."""
    def package(mod: str) -> str | None:
        parts = mod.split(".")
        return parts[2] if len(parts) > 2 and parts[:2] == ["aegui", "core"] else None
    out: dict[str, set[str]] = {}
    for name, deps in edges.items():
        if (here := package(name)) is not None:
            out.setdefault(here, set()).update(p for d in deps if (p := package(d)) not in (None, here))
    return out


def test_the_package_graph_sees_a_loop_between_two_packages():
    # A package's __init__ (a registry) counts as the package.
    edges = {"aegui.core.a.x": {"aegui.core.b"}, "aegui.core.b": {"aegui.core.a.z"}, "aegui.core.a.z": set()}
    assert package_graph(edges) == {"a": {"b"}, "b": {"a"}}
    assert find_cycle(package_graph(edges)) == ["a", "b", "a"]


def test_no_package_of_the_core_imports_one_that_imports_it_back():
    """The core's packages stand in floors (schema, files, data, models, archs, config, train, runs,
    analyses, workspace): a package that imports another, even lazily inside a function, is never
    imported by it, so each can be read, tested and moved with only the ones beneath it."""
    cycle = find_cycle(package_graph(graph()))
    assert cycle is None, "package loop in aegui.core: " + " -> ".join(cycle)


def test_core_never_imports_qt_or_the_window():
    bad = [f"{name} imports {dep}" for name, deps in graph().items() if name.startswith("aegui.core")
           for dep in deps if dep.split(".")[0] in QT_ROOTS or dep.startswith("aegui.qt")]
    assert bad == []


def test_no_source_file_over_the_line_limit():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_package_says_what_lives_there():
    silent = [name for name, path in modules().items()
              if path.name == "__init__.py" and name != "aegui" and not ast.get_docstring(ast.parse(path.read_text()))]
    assert silent == []


# ---------------------------------------------------------------- architectures through their registry

# The registry (aegui/core/archs/) and the networks of the built-in architectures: the only places
# that may tell architectures apart by name.
ARCH_MODULES = ("aegui.core.archs", "aegui.core.models.arch", "aegui.core.models.conv",
                "aegui.core.models.local", "aegui.core.models.nets")


def arch_dispatch(source: str, arch_names) -> list[tuple[int, str]]:
    """(line, what) of each place in `source` that picks a branch by architecture instead of asking
    the registry: a comparison with something named `arch`, with an architecture's name (or a
    tuple / list / set holding one), IMAGE_ARCHS, or a dict keyed by architecture names."""
    names = set(arch_names)

    def names_arch(node) -> bool:
        return (isinstance(node, ast.Name) and (node.id == "arch" or node.id.endswith("_arch"))) or \
               (isinstance(node, ast.Attribute) and node.attr == "arch")

    def arch_literal(node) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str) and node.value in names
        return isinstance(node, (ast.Tuple, ast.List, ast.Set)) and any(arch_literal(e) for e in node.elts)

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(names_arch(s) for s in sides):
                found.append((node.lineno, "compares `arch`"))
            elif any(arch_literal(s) for s in sides):
                found.append((node.lineno, "compares with an architecture's name"))
        elif isinstance(node, ast.Name) and node.id == "IMAGE_ARCHS" or \
                isinstance(node, ast.Attribute) and node.attr == "IMAGE_ARCHS":
            found.append((node.lineno, "IMAGE_ARCHS"))
        elif isinstance(node, ast.Dict) and sum(arch_literal(k) for k in node.keys if k is not None) >= 2:
            found.append((node.lineno, "a table keyed by architecture names"))
    return found


def test_the_dispatch_check_finds_each_way_of_naming_an_architecture():
    source = ("if spec.arch == 'conv': pass\n"
              "ok = m.arch in ('conv', 'local')\n"
              "img = combo.currentData() != 'local'\n"
              "if arch not in IMAGE_ARCHS: pass\n"
              "maps = {'conv': 1, 'local': 2}\n"
              "fine = arch_of(spec).reads_images and kind == 'vae'\n")
    assert sorted(line for line, _ in arch_dispatch(source, ("mlp", "conv", "local"))) == [1, 2, 3, 4, 4, 5]


def test_architectures_are_told_apart_only_through_their_registry():
    from aegui.core.archs import ARCHS
    bad = [f"{path.relative_to(ROOT)}:{line}: {what}" for name, path in modules().items()
           if not any(name == m or name.startswith(m + ".") for m in ARCH_MODULES)
           for line, what in arch_dispatch(path.read_text(encoding="utf-8"), ARCHS)]
    assert bad == []


PANELS = ("builder", "training", "latent", "editor", "experiments", "analyses", "library", "network", "explain",
          "compare")
MAIN_WINDOW_LINES = 400
# Words that name a piece of work rather than what a file is about.
ISSUE_WORDS = re.compile(r"issue|(^|_)fix(es)?(_|$)|defect|walkthrough|finding|followup|(^|_)i\d+(_|$)|(^|_)watch(_|$)")


def test_no_panel_module_imports_another_panels_module():
    """Panels bind themselves to the workspace and never to each other (one folder a panel)."""
    bad = []
    for name, deps in graph().items():
        parts = name.split(".")
        if len(parts) < 4 or parts[:2] != ["aegui", "qt"] or parts[2] not in PANELS:
            continue
        for dep in deps:
            d = dep.split(".")
            if d[:2] == ["aegui", "qt"] and len(d) > 2 and d[2] in PANELS and d[2] != parts[2]:
                bad.append(f"{name} imports {dep}")
    assert bad == []


def test_the_main_window_only_lays_out():
    lines = len((PKG / "qt" / "main_window.py").read_text(encoding="utf-8").splitlines())
    assert lines <= MAIN_WINDOW_LINES


def aegui_classes() -> dict[str, str]:
    """Class name -> module of every class defined in aegui."""
    out = {}
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                out[node.name] = name
    return out


def mixin_heavy(sources: dict[str, str], ours: set[str]) -> list[str]:
    """Classes built from more than one of `ours` (aegui's own classes): mixins instead of objects
    they compose. `sources`: where -> source text."""
    bad = []
    for where, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                own = [b.id for b in node.bases if isinstance(b, ast.Name) and b.id in ours]
                if len(own) > 1:
                    bad.append(f"{where}: {node.name}({', '.join(own)})")
    return bad


def test_no_class_has_more_than_one_mixin_base():
    sources = {name: path.read_text(encoding="utf-8") for name, path in modules().items()}
    assert mixin_heavy(sources, set(aegui_classes())) == []


def test_the_mixin_check_finds_a_class_of_two_mixins():
    text = "class Session: pass\nclass Form: pass\nclass Both(Session, Form): pass\nclass One(Session, dict): pass\n"
    assert mixin_heavy({"two": text}, {"Session", "Form"}) == ["two: Both(Session, Form)"]


def test_no_module_or_test_file_is_named_after_an_issue():
    files = [*PKG.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").glob("*.py")]
    named = [str(p.relative_to(ROOT)) for p in files if ISSUE_WORDS.search(p.stem)]
    assert named == []
    assert ISSUE_WORDS.search("test_window_fixes") and ISSUE_WORDS.search("test_issue_12")
    assert not ISSUE_WORDS.search("test_latent_canvas") and not ISSUE_WORDS.search("prefix_tree")
