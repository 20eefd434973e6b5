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
MAX_FUNCTION_LINES = 80
# Functions allowed over MAX_FUNCTION_LINES, with their length: none today. An entry may not grow,
# and one split below the limit must leave the list (so it only shrinks).
LONG_FUNCTIONS: dict[str, int] = {}


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
    assert "aegui.core.models.mlp_net" in edges and "aegui.qt.window.main_window" in edges
    assert "aegui.core.schema.experiment" in edges["aegui.core.models.mlp_net"]
    assert "PySide6.QtWidgets" in edges["aegui.qt.window.main_window"]


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


def function_lengths(sources: dict[str, str]) -> dict[str, int]:
    """Lines of every function and method (first line of its `def` to its last), as "file:name"."""
    return {f"{where}:{node.name}": node.end_lineno - node.lineno + 1
            for where, text in sources.items() for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def over_function_limit(lengths: dict[str, int], allowed: dict[str, int]) -> list[str]:
    """Functions over MAX_FUNCTION_LINES that are not allowed that long, and allowed ones that are
    no longer long (their entry is to be removed)."""
    bad = [f"{name}: {n} lines" + (f" (allowed {allowed[name]})" if name in allowed else "")
           for name, n in sorted(lengths.items()) if n > max(MAX_FUNCTION_LINES, allowed.get(name, 0))]
    bad += [f"{name}: no longer over {MAX_FUNCTION_LINES} lines, remove it from LONG_FUNCTIONS"
            for name in sorted(allowed) if lengths.get(name, 0) <= MAX_FUNCTION_LINES]
    return bad


def test_the_function_length_check_finds_a_long_a_grown_and_a_stale_entry():
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    text = f"def long():\n{body}\ndef short():\n    pass\n"
    lengths = function_lengths({"m.py": text})
    assert lengths == {"m.py:long": MAX_FUNCTION_LINES + 1, "m.py:short": 2}
    assert over_function_limit(lengths, {}) == [f"m.py:long: {MAX_FUNCTION_LINES + 1} lines"]
    assert over_function_limit(lengths, {"m.py:long": MAX_FUNCTION_LINES + 1}) == []
    assert over_function_limit(lengths, {"m.py:long": MAX_FUNCTION_LINES}) == [
        f"m.py:long: {MAX_FUNCTION_LINES + 1} lines (allowed {MAX_FUNCTION_LINES})"]
    assert over_function_limit(lengths, {"m.py:long": 90, "m.py:short": 90}) == [
        f"m.py:short: no longer over {MAX_FUNCTION_LINES} lines, remove it from LONG_FUNCTIONS"]


def test_no_function_over_the_line_limit():
    """A function longer than a screenful does several things; split it by what it does. The
    few still that long are listed in LONG_FUNCTIONS, which may only shrink."""
    sources = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
               for path in modules().values()}
    assert over_function_limit(function_lengths(sources), LONG_FUNCTIONS) == []


def test_every_package_says_what_lives_there():
    silent = [name for name, path in modules().items()
              if path.name == "__init__.py" and name != "aegui" and not ast.get_docstring(ast.parse(path.read_text()))]
    assert silent == []


MAX_MODULES_PER_FOLDER = 15
# Folders still over the limit, each at most the count it has: the list may only shrink (none today:
# core/train is grouped into backends/ and loop/, the report's figures and verdicts into their folders).
CROWDED_FOLDERS: dict[str, int] = {}


def crowded_folders(root: Path, limit: int = MAX_MODULES_PER_FOLDER) -> dict[str, int]:
    """Folders at or under `root` that hold more than `limit` modules, with their count. A folder's
    modules are the .py files directly in it, __init__.py included; a subfolder's count for it alone."""
    out = {}
    for folder in [root, *sorted(p for p in root.rglob("*") if p.is_dir() and p.name != "__pycache__")]:
        n = sum(1 for p in folder.glob("*.py"))
        if n > limit:
            out[folder.relative_to(root).as_posix()] = n
    return out


def over_folder_limit(crowded: dict[str, int], allowed: dict[str, int]) -> list[str]:
    """Folders over the limit that are not allowed to be, allowed ones that grew, and allowed ones
    no longer over it (their entry is to be removed)."""
    bad = [f"{name}: {n} modules" + (f" (allowed {allowed[name]})" if name in allowed else "")
           for name, n in sorted(crowded.items()) if n > allowed.get(name, MAX_MODULES_PER_FOLDER)]
    bad += [f"{name}: no longer over {MAX_MODULES_PER_FOLDER} modules, remove it from CROWDED_FOLDERS"
            for name in sorted(allowed) if name not in crowded]
    return bad


def test_the_folder_check_counts_each_folders_own_modules(tmp_path):
    for name in ("__init__", "a", "b"):
        (tmp_path / f"{name}.py").write_text("")
    (tmp_path / "sub").mkdir()
    for name in ("__init__", "d"):
        (tmp_path / "sub" / f"{name}.py").write_text("")
    (tmp_path / "sub" / "notes.txt").write_text("")
    (tmp_path / "sub" / "__pycache__").mkdir()
    for name in ("x", "y", "z"):
        (tmp_path / "sub" / "__pycache__" / f"{name}.py").write_text("")
    assert crowded_folders(tmp_path, limit=2) == {".": 3}
    assert crowded_folders(tmp_path, limit=1) == {".": 3, "sub": 2}
    assert crowded_folders(tmp_path, limit=3) == {}


def test_the_folder_check_finds_a_crowded_a_grown_and_a_stale_entry():
    over = MAX_MODULES_PER_FOLDER + 2
    assert over_folder_limit({"qt": over}, {}) == [f"qt: {over} modules"]
    assert over_folder_limit({"qt": over}, {"qt": over}) == []
    assert over_folder_limit({"qt": over}, {"qt": over - 1}) == [f"qt: {over} modules (allowed {over - 1})"]
    assert over_folder_limit({}, {"qt": over}) == [
        f"qt: no longer over {MAX_MODULES_PER_FOLDER} modules, remove it from CROWDED_FOLDERS"]


def test_no_folder_holds_more_than_15_modules():
    """A newcomer finds each place from the tree alone: a folder of more than 15 modules is a list
    to read through, not a place. So modules are grouped by concern (the window's start-up, workers,
    storage and frame; each panel and its pieces; the shared widgets by kind). The few folders still
    that crowded are listed in CROWDED_FOLDERS, which may only shrink."""
    assert over_folder_limit(crowded_folders(PKG), CROWDED_FOLDERS) == []
    assert not any(name.startswith("qt") for name in CROWDED_FOLDERS)


# ---------------------------------------------------------------- architectures through their registry

# The registry (aegui/core/archs/) and the networks of the built-in architectures: the only places
# that may tell architectures apart by name.
ARCH_MODULES = ("aegui.core.archs", "aegui.core.models.param_layouts", "aegui.core.models.conv_net",
                "aegui.core.models.local_net", "aegui.core.models.mlp_net", "aegui.core.models.convlayers_net",
                "aegui.core.models.layer_kinds")


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


def look_alikes(archs: set[str], models: set[str], packages: set[str]) -> list[str]:
    """The modules of aegui/core/models/ a newcomer could take for another place: one named as a
    registry entry of aegui/core/archs/ (two conv.py: which one is the architecture?) or as a package
    of the core (an arch.py beside archs/), and a network `<arch>_net` whose architecture has no
    registry module. Names without ".py"."""
    found = [f"models/{m}.py is also archs/{m}.py" for m in sorted(models & archs)]
    found += [f"models/{m}.py looks like the package {p}/" for m in sorted(models) for p in sorted(packages)
              if m.rstrip("s") == p.rstrip("s")]
    found += [f"models/{m}.py is the network of no archs/{m[:-len('_net')]}.py" for m in sorted(models)
              if m.endswith("_net") and m[:-len("_net")] not in archs]
    return found


def test_the_look_alike_check_finds_a_shared_name_a_package_name_and_an_orphan_network():
    archs = {"base", "conv", "local", "mlp"}
    assert look_alikes(archs, {"conv", "arch", "mlp_net", "tied_net", "losses"}, {"archs", "models"}) == [
        "models/conv.py is also archs/conv.py", "models/arch.py looks like the package archs/",
        "models/tied_net.py is the network of no archs/tied.py"]
    assert look_alikes(archs, {"conv_net", "local_net", "layers", "network"}, {"archs", "models"}) == []


def dict_keys(path: Path, name: str) -> set[str]:
    """The string keys of the module-level dict `name` in `path`, read from the source."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return {k.value for k in node.value.keys}
    raise AssertionError(f"{path.relative_to(ROOT)} has no module-level {name}")


def test_a_network_kind_and_a_layer_kind_each_have_one_place_to_go():
    """An architecture is archs/<name>.py and its torch network models/<name>_net.py; nothing else
    in models/ shares a name with archs/ or a package, so the tree alone says which file is which.
    A layer kind is one entry in models/layer_kinds.py's LAYER_KINDS and its forward pass in
    models/convlayers_net.py's FORWARD (docs/architecture.md, "Where a change goes")."""
    core = PKG / "core"

    def stems(folder: Path) -> set[str]:
        return {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}

    packages = {p.name for p in core.iterdir() if (p / "__init__.py").is_file()}
    assert look_alikes(stems(core / "archs"), stems(core / "models"), packages) == []
    kinds = dict_keys(core / "models" / "layer_kinds.py", "LAYER_KINDS")
    assert kinds and kinds == dict_keys(core / "models" / "convlayers_net.py", "FORWARD")


# The panels' folders, as the window's panel table names the modules that make them (read as text:
# the table lives in aegui.qt, whose import installs the window's import hook).
PANEL_TABLE = PKG / "qt" / "perspectives" / "panels.py"
PANELS = tuple(sorted(set(re.findall(r'"aegui\.qt\.(\w+)\.\w+:', PANEL_TABLE.read_text(encoding="utf-8")))))
MAIN_WINDOW_LINES = 400
# Words that name a piece of work rather than what a file is about.
ISSUE_WORDS = re.compile(r"issue|(^|_)fix(es)?(_|$)|defect|walkthrough|finding|followup|(^|_)i\d+(_|$)|(^|_)watch(_|$)")


def test_no_panel_module_imports_another_panels_module():
    """Panels bind themselves to the workspace and never to each other (one folder a panel)."""
    assert {"builder", "latent", "editor", "training", "compare"} <= set(PANELS)    # the table was read
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
    lines = len((PKG / "qt" / "window" / "main_window.py").read_text(encoding="utf-8").splitlines())
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


TRACKER_CITATION = re.compile(r"\b(issue|defect|finding|acceptance)\s+\d+", re.IGNORECASE)


def tracker_citations(texts: dict[str, str]) -> list[str]:
    """Lines that cite the project's issue tracker by number (an issue, defect, finding or
    acceptance point); an upstream project's issue named with its project ("Ray issues 24359") is a
    reference a reader can follow."""
    return [f"{name}:{i}" for name, text in texts.items() for i, line in enumerate(text.splitlines(), 1)
            if TRACKER_CITATION.search(line) and not re.search(r"\b[A-Z]\w+ issues? \d", line)]


def test_code_and_tests_say_why_without_the_issue_tracker():
    """A docstring or comment says what is checked and why in words a newcomer can read: a number
    in the project's tracker sends them to a tracker they may not have."""
    files = [*PKG.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").glob("*.py"),
             *(ROOT / "tools").glob("*.py"), ROOT / "main.py"]
    texts = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in files if p.name != "test_layout.py"}
    assert tracker_citations(texts) == []
    assert tracker_citations({"a": '"""The panel (issue 24)."""', "b": "# Issue 22, defect 13: x",
                              "c": "# Ray issues 24359, 54260 lose a cancel"}) == ["a:1", "b:1"]


KIND_MODULES = ("aegui.core.schema.kinds", "aegui.core.models.objectives")


def kind_dispatch(source: str, kind_names) -> list[tuple[int, str]]:
    """(line, what) of each place in `source` that picks a branch by a model kind's name instead
    of asking the kind's flags (schema/kinds.py): a comparison of something named `kind` (or
    `kinds`, `*_kind`, `.get("kind")`) with a kind's name, a comparison with two kinds' names, or a
    dict keyed by kinds' names. "ae" alone is also the embedding's method name, hence the `kind`."""
    names = set(kind_names)

    def names_kind(node) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == "kind"
        return (isinstance(node, ast.Name) and node.id in ("kind", "kinds") or
                isinstance(node, ast.Name) and node.id.endswith("_kind")) or \
               (isinstance(node, ast.Attribute) and node.attr == "kind")

    def kind_literals(node) -> int:
        if isinstance(node, ast.Constant):
            return int(isinstance(node.value, str) and node.value in names)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return sum(kind_literals(e) for e in node.elts)
        return 0

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            literals = sum(kind_literals(s) for s in sides)
            if literals >= 2 or literals and any(names_kind(s) for s in sides):
                found.append((node.lineno, "compares with a kind's name"))
        elif isinstance(node, ast.Dict) and sum(kind_literals(k) for k in node.keys if k is not None) >= 2:
            found.append((node.lineno, "a table keyed by kinds' names"))
    return found


def test_the_kind_check_finds_each_way_of_naming_a_kind():
    source = ("if spec.kind == 'dae': pass\n"
              "vae = kind == 'vae'\n"
              "bad = m.kind not in ('vae', 'contractive')\n"
              "some = 'dae' in kinds\n"
              "plain = m.get('kind', 'ae') == 'ae'\n"
              "titles = {'dae': 1, 'vae': 2}\n"
              "fine = kind_of(spec).corrupts_inputs and method == 'ae' and noise.kind == 'gaussian'\n")
    assert sorted(line for line, _ in kind_dispatch(source, ("ae", "dae", "vae", "contractive"))) == \
        [1, 2, 3, 4, 5, 6]


def test_model_kinds_are_told_apart_only_through_their_flags():
    """A kind's name is compared only where kinds are registered (schema/kinds.py) and trained
    (models/objectives.py); everywhere else asks the kind's flags, so a new kind needs no edit there."""
    from aegui.core.schema.experiment import KINDS
    bad = [f"{path.relative_to(ROOT)}:{line}: {what}" for name, path in modules().items()
           if name not in KIND_MODULES
           for line, what in kind_dispatch(path.read_text(encoding="utf-8"), KINDS)]
    assert bad == []


# ---------------------------------------------------------------- data sources through their registry

# The registry of data sources and their modules (aegui/core/data/sources/): the only places that may
# tell data sources apart by name.
SOURCE_MODULES = ("aegui.core.data.sources",)


def source_dispatch(source: str, source_names) -> list[tuple[int, str]]:
    """(line, what) of each place in `source` that picks a branch by a data source's name instead of
    asking its registry entry: a comparison of something named `source` (`*_source`, `.source`,
    `.source()`) with a source's name, a comparison with two sources' names, or a dict keyed by
    sources' names (most of its keys). "folder" alone is a common word, hence the `source`."""
    names = set(source_names)

    def names_source(node) -> bool:
        if isinstance(node, ast.Call):
            node = node.func
        return (isinstance(node, ast.Name) and (node.id == "source" or node.id.endswith("_source"))) or \
               (isinstance(node, ast.Attribute) and node.attr == "source")

    def source_literals(node) -> int:
        if isinstance(node, ast.Constant):
            return int(isinstance(node.value, str) and node.value in names)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return sum(source_literals(e) for e in node.elts)
        return 0

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            literals = sum(source_literals(s) for s in sides)
            if literals >= 2 or literals and any(names_source(s) for s in sides):
                found.append((node.lineno, "compares with a data source's name"))
        elif isinstance(node, ast.Dict):
            # Mostly sources' names: a table of file kinds that has "font" and "idx" among ten is not one.
            keyed = sum(source_literals(k) for k in node.keys if k is not None)
            if keyed >= 2 and 2 * keyed >= len(node.keys):
                found.append((node.lineno, "a table keyed by data sources' names"))
    return found


def test_the_source_check_finds_each_way_of_naming_a_data_source():
    source = ("if data.source == 'font': pass\n"
              "images = exp.data.source != 'font'\n"
              "if source in ('emoji', 'digits'): pass\n"
              "kept = self.source() == 'idx'\n"
              "edit = {'folder': a, 'idx': b}.get(source)\n"
              "both = name in ('folder', 'idx')\n"
              "fine = source_of(data).glyphs and kind == 'folder' and base.source == source\n"
              "limits = {'font': 1, 'idx': 2, 'json': 3, 'model': 4, 'picture': 5}\n")
    assert sorted(line for line, _ in source_dispatch(source, ("font", "emoji", "folder", "idx", "digits"))) == \
        [1, 2, 3, 4, 5, 6]


def test_data_sources_are_told_apart_only_through_their_registry():
    """A data source's name is compared only in its registry and its own module
    (aegui/core/data/sources/); everywhere else asks its entry (its rows, its flags, its reader), so
    a new source needs no edit there."""
    from aegui.core.data.sources import NAMES
    bad = [f"{path.relative_to(ROOT)}:{line}: {what}" for name, path in modules().items()
           if not any(name == m or name.startswith(m + ".") for m in SOURCE_MODULES)
           for line, what in source_dispatch(path.read_text(encoding="utf-8"), NAMES)]
    assert bad == []


# ---------------------------------------------------------------- jobs through their contract

JOB_WORDS = re.compile(r"job|runner", re.I)
JOB_CONTRACT = {"cancel", "cancelled", "steps", "run", "result", "where", "stop"}


def guessed_contracts(source: str) -> list[tuple[int, str]]:
    """(line, call) of each hasattr() that asks a job or runner whether it has a part of the job
    contract, or asks anything whether it can cancel / stop: the contract
    (aegui.core.jobs.job.Job) says it, so guessing means two places decide what a job is."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr" \
                and len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
            who, what = ast.unparse(node.args[0]), node.args[1].value
            if (JOB_WORDS.search(who) and what in JOB_CONTRACT) or what in ("cancel", "stop"):
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_module_guesses_whether_a_job_can_cancel():
    found = {name: hits for name, path in modules().items()
             if (hits := guessed_contracts(path.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_contract_check_finds_each_way_of_guessing():
    text = ('if hasattr(job, "cancel"): pass\nif hasattr(self.job, "steps"): pass\n'
            'x = hasattr(runner, "where")\n(c.stop if hasattr(c, "stop") else c.cancel)()\n'
            'ok = hasattr(model, "encode") or hasattr(job, "title")\n')
    assert [line for line, _ in guessed_contracts(text)] == [1, 2, 3, 4]


def untyped_items(source: str, job_names: set[str]) -> list[tuple[int, str]]:
    """(line, class) of each dict a job class hands out as a progress item: a dict literal (or
    dict(...)) yielded by one of its methods, or returned by a method of the class that one of its
    methods yields (`yield self._cancelled(start)`). Readers of such items index them by string
    keys that no type states, so a renamed key fails only when the item is read."""
    def is_dict(node) -> bool:
        return isinstance(node, (ast.Dict, ast.DictComp)) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict")

    found = []
    for cls in ast.walk(ast.parse(source)):
        if not (isinstance(cls, ast.ClassDef) and cls.name in job_names):
            continue
        methods = {f.name: f for f in cls.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for node in ast.walk(cls):
            if not isinstance(node, ast.Yield) or node.value is None:
                continue
            value = node.value
            if is_dict(value):
                found.append((node.lineno, cls.name))
            elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                    and isinstance(value.func.value, ast.Name) and value.func.value.id == "self" \
                    and value.func.attr in methods:
                helper = methods[value.func.attr]
                found += [(r.lineno, cls.name) for r in ast.walk(helper)
                          if isinstance(r, ast.Return) and r.value is not None and is_dict(r.value)]
    return found


def job_names() -> set[str]:
    bases = job_classes()

    def is_job(name, seen=()):
        return name == "Job" or any(b not in seen and is_job(b, (*seen, name)) for b in bases.get(name, []))
    return {n for n in bases if n != "Job" and is_job(n)}


def test_every_job_yields_typed_progress():
    """Each job's steps() yields Progress objects (aegui.core.jobs.job.Progress, subclassed with
    the job's own fields), never dicts, so the window, the report and the CLI read a job's
    progress by attribute and a misspelt or renamed field fails where it is written."""
    names = job_names()
    assert {"FetchJob", "ReportJob", "ProbeJob", "ClassifierJob"} <= names
    found = {name: hits for name, path in modules().items()
             if (hits := untyped_items(path.read_text(encoding="utf-8"), names))}
    assert found == {}


def test_the_progress_check_finds_dicts_yielded_directly_and_through_a_helper():
    text = ("class A(Job):\n"
            "    def steps(self):\n"
            "        yield {'state': 'running'}\n"
            "        yield dict(state='x')\n"
            "        yield self._end()\n"
            "        yield Progress(state='finished')\n"
            "    def _end(self):\n"
            "        return {'state': 'cancelled'}\n"
            "class NotAJob:\n"
            "    def steps(self):\n"
            "        yield {'a': 1}\n")
    assert untyped_items(text, {"A"}) == [(3, "A"), (4, "A"), (8, "A")]


def job_classes() -> dict[str, list[str]]:
    """Class name -> base names of every class in aegui."""
    out = {}
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                out[node.name] = [ast.unparse(b).split(".")[-1] for b in node.bases]
    return out


def test_every_job_class_follows_the_job_contract():
    """Every class named *Job (and every runner the window or the CLI iterates as one) subclasses
    aegui.core.jobs.job.Job, so the thread layer and the CLI know its steps / cancel / result."""
    bases = job_classes()

    def is_job(name, seen=()):
        return name == "Job" or any(b not in seen and is_job(b, (*seen, name)) for b in bases.get(name, []))
    named = [n for n in bases if n != "Job" and (n.endswith("Job") or n.endswith("SweepRunner")
                                                 or n in ("SearchRunner", "NoisyCopiesTest"))]
    assert len(named) >= 12
    assert [n for n in named if not is_job(n)] == []


# ---------------------------------------------------------------- no reaching into another object

# Third-party private members with no public reader, each with why; nothing of aegui's own.
FOREIGN_PRIVATES = {
    "_version": "torch.Tensor._version: autograd's in-place write counter; torch has no public reader",
    "_fused_adam_": "torch's fused Adam kernel, called per model row (torch.optim.Adam steps one rate)",
    "_fused_adamw_": "the same kernel for AdamW",
    "_MEIPASS": "sys._MEIPASS: where PyInstaller documents a frozen bundle's files",
}
ACCESSORS = ("getattr", "setattr", "hasattr", "delattr")


def _own(node: ast.expr) -> bool:
    """self, cls or super(): the object whose class wrote the private name."""
    return (isinstance(node, ast.Name) and node.id in ("self", "cls")) or \
        (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super")


def _private(name) -> bool:
    return isinstance(name, str) and name.startswith("_") and not name.startswith("__") \
        and name not in FOREIGN_PRIVATES


def private_reaches(source: str) -> list[tuple[int, str]]:
    """(line, expression) of each read or write of `x._name` (or getattr/setattr(x, "_name"))
    where x is not self / cls / super(): a private member used from outside its class, so the
    class can no longer change it without breaking a caller it cannot see."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _private(node.attr) and not _own(node.value):
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ACCESSORS \
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) \
                and _private(node.args[1].value) and not _own(node.args[0]):
            found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def test_the_private_check_finds_each_way_of_reaching_in():
    text = ("a = canvas._codes\nself.canvas._xy = 1\nf(c._decode(z))\ngetattr(plot, '_dots', None)\n"
            "setattr(plot, '_fit', True)\n"
            "self._x = cls._y + super()._z\nn = x.__len__()\nv = t._version\ngetattr(self, '_once', 0)\n")
    assert [line for line, _ in private_reaches(text)] == [1, 2, 3, 4, 5]


def test_no_module_reaches_into_another_objects_private_members():
    found = {name: hits for name, path in modules().items()
             if (hits := private_reaches(path.read_text(encoding="utf-8")))}
    assert sum(map(len, found.values())) == 0, found


def _name_of(node) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def titles_over_glyph_views(source: str) -> list[int]:
    """Lines of the loops that put a widget in row r of a grid column and a GlyphView (or what was
    made from GlyphViews) in row r + 1 of the same column: a row of titled glyph views laid out by
    hand, which aegui.qt.widgets.glyphs.glyph_strip.GlyphStrip does once for every panel."""
    tree = ast.parse(source)
    glyphs = {"GlyphView"}
    assigns = [n for n in ast.walk(tree) if isinstance(n, ast.Assign)]
    for _ in range(3):      # names made from names made from GlyphViews (a zip of them, a tuple)
        for node in assigns:
            if any(_name_of(n) in glyphs for n in ast.walk(node.value)):
                glyphs.update(name for t in node.targets for n in ast.walk(t) if (name := _name_of(n)))
    found = []
    for loop in ast.walk(tree):
        if not isinstance(loop, (ast.For, ast.comprehension)) or \
                not any(_name_of(n) in glyphs for n in ast.walk(loop.iter)):
            continue
        rows: dict[tuple[str, str], set[int]] = {}
        for call in ast.walk(loop) if isinstance(loop, ast.For) else ():
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "addWidget" \
                    and len(call.args) >= 3 and isinstance(call.args[1], ast.Constant) \
                    and isinstance(call.args[2], ast.Name):
                rows.setdefault((ast.unparse(call.func.value), call.args[2].id), set()).add(call.args[1].value)
        if any(r + 1 in taken for taken in rows.values() for r in taken):
            found.append(loop.lineno)
    return found


def test_the_glyph_row_check_finds_titles_laid_over_views_by_hand():
    by_hand = ("views = (GlyphView(), GlyphView())\ncolumns = zip(titles, views)\n"
               "for col, (title, view) in enumerate(columns):\n"
               "    grid.addWidget(title, 0, col)\n    grid.addWidget(view, 1, col)\n"
               "for col, plot in enumerate(plots):\n    grid.addWidget(name, 0, col)\n    grid.addWidget(plot, 1, col)\n"
               "for col, view in enumerate(views):\n    grid.addWidget(view, 0, col)\n")
    assert titles_over_glyph_views(by_hand) == [3]


def test_rows_of_titled_glyph_views_are_glyph_strips():
    """The pixel editor's previews, the Compare panel's hovered sample and the Explain panel's
    pictures are GlyphStrips: one widget lays titles over glyph views, binds the titles' texts and
    shares the views' scale, where each panel did it by hand (and differently)."""
    found = {name: lines for name, path in modules().items()
             if name != "aegui.qt.widgets.glyphs.glyph_strip"
             and (lines := titles_over_glyph_views(path.read_text(encoding="utf-8")))}
    assert found == {}
    for name in ("aegui.qt.editor.pixel_editor", "aegui.qt.compare.compare_panel", "aegui.qt.explain.explain_panel"):
        assert "GlyphStrip(" in modules()[name].read_text(encoding="utf-8"), name


def translating_by_hand(source: str) -> list[str]:
    """Where a module re-translates on its own: a retranslate method, a call of one, a connection to
    the language notifier (`i18n.notifier.changed…`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "retranslate":
            found.append(f"{node.lineno}: def retranslate")
        elif isinstance(node, ast.Attribute) and node.attr == "retranslate":
            found.append(f"{node.lineno}: .retranslate")
        elif isinstance(node, ast.Attribute) and node.attr == "changed" and ast.unparse(node.value).endswith("notifier"):
            found.append(f"{node.lineno}: notifier.changed")
    return sorted(found, key=lambda hit: (int(hit.split(":")[0]), hit))


def test_the_translation_check_finds_each_way_of_translating_by_hand():
    source = ("class P:\n    def __init__(self):\n        i18n.notifier.changed.connect(self.retranslate)\n"
              "        notifier.changed.connect(self.fill)\n        other.changed.connect(self.fill)\n\n"
              "    def retranslate(self):\n        self.form.retranslate()\n")
    assert translating_by_hand(source) == ["3: .retranslate", "3: notifier.changed", "4: notifier.changed",
                                           "7: def retranslate", "8: .retranslate"]


def test_one_mechanism_translates_the_window():
    """Each text is declared once where its widget is made (i18n.bind_text) and each text made from
    state is refreshed through i18n.on_language, so one slot, in one order (texts, then the refreshes
    that measure them), re-translates the window. A widget with its own retranslate method or its own
    connection to the notifier writes its texts twice, in an order no one chose."""
    found = {name: hits for name, path in modules().items()
             if name.startswith("aegui.qt.") and name != "aegui.qt.i18n"
             and (hits := translating_by_hand(path.read_text(encoding="utf-8")))}
    assert found == {}
