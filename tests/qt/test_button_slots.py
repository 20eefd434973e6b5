"""A button's or action's slot never takes the `checked` flag for an argument it means otherwise.

Qt's clicked, triggered and toggled signals carry `checked`; PySide hands it to any slot that
accepts a positional argument, optional ones included. A slot such as `def reroll(self, seed=None)`
connected with `clicked=self.reroll` got seed False, that is 0, on every click: the button did
nothing after the first. This check reads aegui/qt's source (an ast walk) for every such
connection (`clicked=`, `triggered=`, `toggled=`, `.clicked/.triggered/.toggled.connect(...)`;
`menu.addAction(text, slot)` connects to the flagless `triggered()` and is safe) and fails when the slot's first positional parameter is
optional, unless its name says it is there for the flag (`_`, `checked`, `on`)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIGNALS = ("clicked", "triggered", "toggled")
FLAG_NAMES = ("_", "checked", "on", "_checked")


def _first_param(fn) -> tuple[str, bool] | None:
    """(name, optional) of a def's or lambda's first positional parameter after self/cls."""
    args = fn.args
    positional = args.posonlyargs + args.args
    first_default = len(positional) - len(args.defaults)
    for i, arg in enumerate(positional):
        if i == 0 and arg.arg in ("self", "cls") and not isinstance(fn, ast.Lambda):
            continue
        return arg.arg, i >= first_default
    return None


def _connections(tree):
    """(line, the slot expression, the class the connection is made in) for each connection."""
    classes = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for inner in ast.walk(node):
                classes.setdefault(id(inner), node)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        slots = [kw.value for kw in node.keywords if kw.arg in SIGNALS]
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "connect" and isinstance(f.value, ast.Attribute) \
                and f.value.attr in SIGNALS and node.args:
            slots.append(node.args[0])
        for slot in slots:
            yield node.lineno, slot, classes.get(id(node))


def trapped_slots(sources: dict[str, str]) -> list[str]:
    """'file:line: slot (parameter)' for each connection whose slot would read `checked` as an
    argument it means otherwise. `sources`: file name -> Python source."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    defs: dict[str, list] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                defs.setdefault(node.name, []).append(node)
    found = []
    for name, tree in trees.items():
        for line, slot, cls in _connections(tree):
            if isinstance(slot, ast.Lambda):
                candidates = [slot]
            elif isinstance(slot, ast.Attribute) and isinstance(slot.value, ast.Name) and slot.value.id == "self" \
                    and cls is not None and any(isinstance(n, ast.FunctionDef) and n.name == slot.attr for n in cls.body):
                candidates = [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == slot.attr]
            elif isinstance(slot, (ast.Attribute, ast.Name)):
                # Another object's method (self.canvas.clear): any of aegui's defs of that name.
                candidates = defs.get(slot.attr if isinstance(slot, ast.Attribute) else slot.id, [])
            else:
                candidates = []
            for fn in candidates:
                first = _first_param(fn)
                if first is not None and first[1] and first[0] not in FLAG_NAMES:
                    found.append(f"{name}:{line}: {ast.unparse(slot)[:60]} ({first[0]})")
    return found


def test_no_button_or_action_passes_its_checked_flag_as_an_argument():
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
               for p in sorted((ROOT / "aegui" / "qt").rglob("*.py"))}
    assert trapped_slots(sources) == []


def test_the_check_finds_the_trap_in_each_form():
    source = '''
class Panel:
    def __init__(self):
        self.a = QPushButton(clicked=self.reroll)
        self.b.clicked.connect(self.reroll)
        self.c = QAction(triggered=lambda seed=None: self.reroll(seed))
        self.menu.addAction("Again", self.reroll)        # safe: triggered() without the flag
        self.d = QPushButton(clicked=self.fine)
        self.e.toggled.connect(lambda _=False, k=1: self.fine())
        self.f.toggled.connect(self.show_it)

    def reroll(self, seed=None):
        pass

    def fine(self, *_):
        pass

    def show_it(self, index=0):
        pass
'''
    found = trapped_slots({"panel.py": source})
    assert [f.split(": ", 1)[0] for f in found] == ["panel.py:4", "panel.py:5", "panel.py:6", "panel.py:10"], found
