"""The one Spanish catalogue (resources/i18n/es.json): every text the window translates has exactly
one entry, and every entry is a text the window can show."""
import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "resources" / "i18n" / "es.json"


def catalogue_keys() -> list[str]:
    """Every English text of the catalogue as written, repeats included (within a section and
    across sections; json.loads would keep only the last of two equal keys)."""
    keys: list[str] = []

    def pairs(items):
        if all(isinstance(v, str) for _, v in items):
            keys.extend(k for k, _ in items)
        return dict(items)
    json.loads(CATALOGUE.read_text(encoding="utf-8"), object_pairs_hook=pairs)
    return keys


def spanish() -> dict[str, str]:
    from aegui.qt.i18n import read_catalogue
    return read_catalogue("es")


def _docstrings(tree) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


# function -> the positions of its English texts: a data source's form problems (and the nouns of
# their counts) are translated by the builder (aegui/core/data/sources/base.py).
TRANSLATING = {"tr": (0,), "bind_text": (2,), "form_problem": (1,), "Count": (1, 2)}


def source_texts() -> tuple[set[str], list[tuple[str, str, int]]]:
    """(every string literal of aegui's code and of the shipped JSON files, docstrings left out;
    the literals given to tr() with where they are)."""
    texts, translated = set(), []
    for path in sorted((ROOT / "aegui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                texts.add(node.value)
            # tr("English", ...), bind_text(owner, setter, "English", ...), form_problem(field, "English", ...)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in TRANSLATING:
                for at in TRANSLATING[node.func.id]:
                    arg = node.args[at] if len(node.args) > at else None
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        translated.append((arg.value, str(path.relative_to(ROOT)), node.lineno))

    def walk(value):
        if isinstance(value, str):
            texts.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    for folder in (ROOT / "resources", ROOT / "models"):
        for path in folder.rglob("*.json"):
            walk(json.loads(path.read_text(encoding="utf-8")))
    return texts, translated


def test_every_english_text_has_exactly_one_entry():
    keys = catalogue_keys()
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    assert repeated == []


def test_every_literal_given_to_tr_is_translated():
    SPANISH = spanish()
    _, translated = source_texts()
    missing = [f"{where}:{line}: {text!r}" for text, where, line in translated if text not in SPANISH]
    assert missing == []


def test_no_entry_is_left_over():
    SPANISH = spanish()
    texts, _ = source_texts()
    unused = [k for k in SPANISH if k not in texts]
    assert unused == []


def test_placeholders_survive_the_translation():
    import string
    SPANISH = spanish()

    def names(text):
        return sorted(f[1] for f in string.Formatter().parse(text) if f[1] is not None)
    bad = [k for k, v in SPANISH.items() if "{" in k and names(k) != names(v)]
    assert bad == []


def test_the_check_finds_a_repeated_key(tmp_path, monkeypatch):
    fake = tmp_path / "es.json"
    fake.write_text('{"menus": {"Save": "Guardar", "Open": "Abrir"}, "editor": {"Save": "Grabar"}}')
    monkeypatch.setattr(sys.modules[__name__], "CATALOGUE", fake)
    keys = catalogue_keys()
    assert keys.count("Save") == 2


def test_every_text_of_the_field_descriptions_is_translated():
    """The builder translates the descriptions' texts (aegui/core/config/fields.py) as it lays out the
    form, so no tr() literal names them: each needs its entry all the same."""
    from aegui.core.config.fields import FIELDS
    SPANISH = spanish()
    missing = sorted({(f.key, text) for f in FIELDS.values()
                      for text in (f.label, f.tip, f.suffix, f.special, f.placeholder, f.optional, f.unit, f.lead,
                                   f.unreadable, f.unknown, f.dialog, f.file_filter, *f.choice_labels.values())
                      if text and text not in SPANISH})
    assert missing == []


def test_the_step_replay_search_and_drawing_widgets_speak_spanish(qtbot):
    from aegui.qt import i18n
    from aegui.qt.builder.step_controls import StepControls
    from aegui.qt.editor.image_canvas import DrawPanel
    from aegui.qt.latent.latent_canvas import LatentCanvas
    from aegui.qt.network.network_view import NetworkView
    canvas, net, steps, draw = LatentCanvas(), NetworkView(), StepControls(), DrawPanel()
    for w in (canvas, net, steps, draw):
        qtbot.addWidget(w)
    i18n.set_language("es")
    assert steps.epoch_button.text() == "Paso: época" and steps.speed_combo.itemText(0) == "Lo más rápido posible"
    assert canvas.replay.play_button.text() == "Reproducir" and canvas.replay.act_record.text() == "Grabar repetición"
    assert canvas.replay.info.full_text().startswith("Sin repetición")
    assert canvas.search.edit.placeholderText() == "Buscar etiqueta…"
    assert canvas.search.space.itemText(1) == "píxeles"
    assert net.message.text().startswith("Sin modelo") and "Unidades" in net.hint.text()
    assert draw.clear_button.text() == "Borrar todo" and draw.noise.itemText(2) == "sal y pimienta"
    i18n.set_language("en")
    assert steps.epoch_button.text() == "Step epoch" and canvas.replay.play_button.text() == "Play"
