"""The panels (training, analyses, guide, library) and the window's own parts (menus, toolbar,
status bar, Models dialog) declare each text once, where they make its widget (i18n.bind_text),
and ask for their state-made texts again with i18n.on_language: no `retranslate` method that
repeats every text, no slot of their own on the language notifier, no panel re-translating
another's widgets. The window still shows every text in the language chosen, both ways."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT = ROOT / "aegui" / "qt"
FOLDERS = ("training", "analyses", "guide", "library")


def bound_modules() -> list[Path]:
    top = [p for p in QT.glob("*.py") if p.name != "i18n.py"]
    return sorted(top + [p for folder in FOLDERS for p in (QT / folder).rglob("*.py")])


def own_translation(source: str) -> list[str]:
    """Where a module translates by hand: a retranslate method, a call of one, or a connection
    to the language notifier (`i18n.notifier.changed…` or `notifier.changed…`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "retranslate":
            found.append(f"{node.lineno}: def retranslate")
        elif isinstance(node, ast.Attribute) and node.attr == "retranslate":
            found.append(f"{node.lineno}: .retranslate")
        elif isinstance(node, ast.Attribute) and node.attr == "changed" and (
                isinstance(node.value, ast.Name) and node.value.id == "notifier"
                or isinstance(node.value, ast.Attribute) and node.value.attr == "notifier"):
            found.append(f"{node.lineno}: notifier.changed")
    return sorted(found)


def test_the_check_finds_each_way_of_translating_by_hand():
    source = ("class P:\n    def __init__(self):\n        i18n.notifier.changed.connect(self.retranslate)\n"
              "        notifier.changed.connect(self.fill)\n\n    def retranslate(self):\n        self.form.retranslate()\n")
    assert own_translation(source) == ["3: .retranslate", "3: notifier.changed", "4: notifier.changed",
                                       "6: def retranslate", "7: .retranslate"]


def test_no_panel_nor_window_part_translates_by_hand():
    found = [f"{path.relative_to(ROOT)}:{where}" for path in bound_modules()
             for where in own_translation(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_window_texts_follow_the_language_both_ways(window):
    """Menus, dock titles, the toolbar, an analysis tab's buttons, its tab name and Export menu, the
    training charts' checkbox, a library button: Spanish after the switch, the same English after
    the switch back."""
    from aegui.qt import i18n
    win = window

    def texts():
        return {"menu": win.menus.menu_file.title(), "dock": win.docks["training"].windowTitle(),
                "model": win.model_bar.model_label.text(), "run": win.analyses.probe.run_button.text(),
                "export": win.analyses.denoise.export_menu.actions()[0].text(),
                "log": win.training.log_check.text(), "send": win.library.send_button.text(),
                "tab": win.analyses.tabs.tabText(0), "undo": win.menus.act_undo.text()}
    english = texts()
    assert english == {"menu": "&File", "dock": "Training", "model": " Model: ", "run": "Run",
                       "export": "Figure as PNG…", "log": "Log scale", "send": "Send to editor",
                       "tab": "Denoising curve", "undo": "Undo"}
    i18n.set_language("es")
    spanish = texts()
    assert spanish == {key: f" {i18n.tr(text.strip())} " if key == "model" else i18n.tr(text)
                       for key, text in english.items()}
    assert spanish["run"] != "Run" and win.menus.lang_actions["es"].isChecked()
    i18n.set_language("en")
    assert texts() == english and win.menus.lang_actions["en"].isChecked()
